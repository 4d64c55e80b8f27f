package gitbooksim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

// The walk's routes answer each token what its roles let it see.
func TestWalkRoutesAreScopedByToken(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	items := func(a answer) []any {
		t.Helper()
		list, _ := a.object(t)["items"].([]any)
		return list
	}
	if n := len(items(get(t, srv, gitbooksim.ReaderToken, "/orgs"))); n != 1 {
		t.Errorf("the reader is in %d organizations, want 1 (acme)", n)
	}
	if n := len(items(get(t, srv, gitbooksim.DemoToken, "/orgs"))); n != 3 {
		t.Errorf("the administrator is in %d organizations, want 3", n)
	}
	assertEnvelope(t, get(t, srv, gitbooksim.ReaderToken, "/orgs/northwind/spaces"), http.StatusNotFound, "Organization not found")
	assertEnvelope(t, get(t, srv, gitbooksim.ReaderToken, "/orgs/northwind/installations"), http.StatusNotFound, "Organization not found")
	assertEnvelope(t, get(t, srv, gitbooksim.ReaderToken, "/integrations/slack/installations/inst-northwind-slack"), http.StatusNotFound, "Installation not found")
	assertEnvelope(t, get(t, srv, gitbooksim.ReaderToken, "/integrations/acme-status/installations"), http.StatusForbidden,
		"You do not have permission to list the installations of this integration")
	assertEnvelope(t, get(t, srv, "", "/user"), http.StatusUnauthorized, "You must be authenticated to access this resource")
	// acme's private integration is in acme's marketplace alone.
	if !strings.Contains(string(get(t, srv, gitbooksim.ReaderToken, "/integrations?limit=1000").body), `"acme-status"`) {
		t.Error("acme's own integration is not in its reader's marketplace")
	}
}

func TestInstallationSpacesAreIDsUnlessExtended(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	const path = "/integrations/slack/installations/inst-acme-slack/spaces"
	plain := get(t, srv, gitbooksim.DemoToken, path).object(t)["items"].([]any)
	if _, ok := plain[0].(map[string]any)["space"].(string); !ok {
		t.Errorf("without extended, space is %v, want its ID", plain[0].(map[string]any)["space"])
	}
	extended := get(t, srv, gitbooksim.DemoToken, path+"?extended=true").object(t)["items"].([]any)
	if s, ok := extended[0].(map[string]any)["space"].(map[string]any); !ok || s["object"] != "space" {
		t.Errorf("with extended, space is %v, want the space", extended[0].(map[string]any)["space"])
	}
	assertEnvelope(t, get(t, srv, gitbooksim.DemoToken, path+"?extended=maybe"), http.StatusBadRequest, "Invalid extended")
	assertEnvelope(t, get(t, srv, gitbooksim.DemoToken, "/orgs?limit=1001"), http.StatusBadRequest, "limit must be a number between 0 and 1000")
	assertEnvelope(t, get(t, srv, gitbooksim.DemoToken, "/integrations?category=nope"), http.StatusBadRequest, "Invalid category")
}
