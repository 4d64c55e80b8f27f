package gitbooksim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

func TestWritesLeaveTheCallersDatasetAlone(t *testing.T) {
	data := gitbooksim.DemoData()
	before := gitbooksim.DemoData()
	srv := newServer(t, gitbooksim.Options{Data: data})
	a := call(t, srv, http.MethodPost, gitbooksim.DemoToken, "/integrations/okta/installations/inst-acme-okta/spaces", `{"space": "acme-changelog"}`)
	if a.status != http.StatusCreated {
		t.Fatalf("install: %d %s", a.status, a.body)
	}
	// Slack is on three of acme's spaces: removing one from the middle shifts the rest.
	a = call(t, srv, http.MethodDelete, gitbooksim.DemoToken, "/integrations/slack/installations/inst-acme-slack/spaces/acme-changelog", "")
	if a.status != http.StatusNoContent {
		t.Fatalf("uninstall: %d %s", a.status, a.body)
	}
	if diff := cmp.Diff(before.Installations, data.Installations, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("the caller's installations changed (-before +after):\n%s", diff)
	}
	// A second simulator on the same data starts from it, not from the first's state.
	other := newServer(t, gitbooksim.Options{Data: data})
	if strings.Contains(string(get(t, other, gitbooksim.DemoToken, "/spaces/acme-changelog/integrations").body), `"name":"okta"`) {
		t.Error("a write to one simulator shows in another")
	}
}
