package gitbooksim_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

func TestDriftAddsValuesAndPropertiesNoVersionLists(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{Fault: gitbooksim.FailAlways("", gitbooksim.Drift())})
	a := call(t, srv, http.MethodGet, gitbooksim.DemoToken, "/spaces/acme-developer-portal/integrations?limit=2", "")
	if a.status != http.StatusOK || a.header.Get("Content-Length") != strconv.Itoa(len(a.body)) {
		t.Fatalf("status %d, Content-Length %q for %d bytes", a.status, a.header.Get("Content-Length"), len(a.body))
	}
	list := a.object(t)
	if list[gitbooksim.DriftProperty] == nil {
		t.Error("the list has no new property")
	}
	for _, item := range list["items"].([]any) {
		in := item.(map[string]any)
		scopes, categories := in["scopes"].([]any), in["categories"].([]any)
		if scopes[len(scopes)-1] != gitbooksim.DriftValues["scopes"] || categories[len(categories)-1] != gitbooksim.DriftValues["categories"] || len(categories) < 2 {
			t.Errorf("%s: scopes %v, categories %v: want a new value after the known ones", in["name"], scopes, categories)
		}
		if in["visibility"] != gitbooksim.DriftValues["visibility"] || in["target"] != gitbooksim.DriftValues["target"] {
			t.Errorf("%s: visibility %v, target %v", in["name"], in["visibility"], in["target"])
		}
		owner := in["owner"].(map[string]any)
		if owner["plan"] != gitbooksim.DriftValues["plan"] || owner[gitbooksim.DriftProperty] == nil || in[gitbooksim.DriftProperty] == nil {
			t.Errorf("%s: owner %v", in["name"], owner)
		}
	}
	// Errors pass through as they are.
	if a := call(t, srv, http.MethodGet, gitbooksim.DemoToken, "/spaces/nope", ""); a.status != http.StatusNotFound {
		t.Errorf("missing space: %d", a.status)
	}
}
