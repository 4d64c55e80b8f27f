package upstreamtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitbook-graphql/facade/upstream/upstreamtest"
)

func TestWritesLeaveTheCallersDatasetAlone(t *testing.T) {
	data := upstreamtest.DemoData()
	before := upstreamtest.DemoData()
	srv := newServer(t, upstreamtest.Options{Data: data})
	a := call(t, srv, http.MethodPost, upstreamtest.DemoToken, "/integrations/okta/installations/inst-acme-okta/spaces", `{"space": "acme-changelog"}`)
	if a.status != http.StatusCreated {
		t.Fatalf("install: %d %s", a.status, a.body)
	}
	// Slack is on three of acme's spaces: removing one from the middle shifts the rest.
	a = call(t, srv, http.MethodDelete, upstreamtest.DemoToken, "/integrations/slack/installations/inst-acme-slack/spaces/acme-changelog", "")
	if a.status != http.StatusNoContent {
		t.Fatalf("uninstall: %d %s", a.status, a.body)
	}
	if diff := cmp.Diff(before.Installations, data.Installations, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("the caller's installations changed (-before +after):\n%s", diff)
	}
	// A second simulator on the same data starts from it, not from the first's state.
	other := newServer(t, upstreamtest.Options{Data: data})
	if strings.Contains(string(get(t, other, upstreamtest.DemoToken, "/spaces/acme-changelog/integrations").body), `"name":"okta"`) {
		t.Error("a write to one simulator shows in another")
	}
}
