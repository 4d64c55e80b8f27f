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

// Drift reaches the walk's answers too: each list, each item and what
// items embed gain the new property, and the integrations beside their
// installations the new values.
func TestDriftReachesTheWalk(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{Fault: gitbooksim.FailAlways("", gitbooksim.Drift())})
	if u := get(t, srv, gitbooksim.DemoToken, "/user").object(t); u[gitbooksim.DriftProperty] == nil {
		t.Errorf("the user: %v", u)
	}
	for _, l := range walkLists {
		if l.path == "/integrations/acme-status/installations" {
			continue // the demo has one, in the list below
		}
		list := get(t, srv, gitbooksim.DemoToken, l.path).object(t)
		items, _ := list["items"].([]any)
		if list[gitbooksim.DriftProperty] == nil || len(items) == 0 {
			t.Errorf("%s: %v", l.path, list)
			continue
		}
		for _, it := range items {
			if it.(map[string]any)[gitbooksim.DriftProperty] == nil {
				t.Errorf("%s: an item without the new property: %v", l.path, it)
			}
		}
	}
	items := get(t, srv, gitbooksim.DemoToken, "/orgs/acme/installations?search=slack").object(t)["items"].([]any)
	item := items[0].(map[string]any)
	inst, in := item["installation"].(map[string]any), item["integration"].(map[string]any)
	if inst[gitbooksim.DriftProperty] == nil || in["target"] != gitbooksim.DriftValues["target"] {
		t.Errorf("an organization's installation: %v", item)
	}
	// An installation's target is an object: Drift leaves its shape alone.
	if target, ok := inst["target"].(map[string]any); !ok || target["organization"] != "acme" {
		t.Errorf("installation target: %v", inst["target"])
	}
}
