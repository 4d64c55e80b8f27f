package gitbooksim_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
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

// walkLists are the walk's paged lists as the demo administrator reads
// them, each with what tells its items apart.
var walkLists = []struct {
	path string
	key  func(item map[string]any) string
}{
	{"/orgs", byKey("id")},
	{"/orgs/acme/spaces", byKey("id")},
	{"/orgs/acme/installations", func(item map[string]any) string { return item["installation"].(map[string]any)["id"].(string) }},
	{"/integrations", byKey("name")},
	{"/integrations/acme-status/installations", byKey("id")},
	{"/integrations/slack/installations/inst-acme-slack/spaces", byKey("space")},
	{"/integrations/slack/installations/inst-acme-slack/spaces?extended=true", func(item map[string]any) string {
		return item["space"].(map[string]any)["id"].(string)
	}},
}

func byKey(k string) func(map[string]any) string {
	return func(item map[string]any) string { return item[k].(string) }
}

// Every list of the walk pages as listSpaceIntegrations does: pages of
// limit items walked by next.page cover the whole list once, in order, with
// its count on every page; a bad limit or page is a 400.
func TestWalkListsPageToTheirEnd(t *testing.T) {
	// acme's integration made public and installed in northwind too, so
	// that its owner's list has more than one page.
	d := gitbooksim.DemoData()
	for i := range d.Integrations {
		if d.Integrations[i].Name == "acme-status" {
			d.Integrations[i].Visibility = upstream.IntegrationVisibilityPublic
		}
	}
	d.Installations = append(d.Installations, gitbooksim.Installation{ID: "inst-northwind-acme-status", Integration: "acme-status", Organization: "northwind"})
	srv := newServer(t, gitbooksim.Options{Data: d})
	for _, l := range walkLists {
		sep := "?"
		if strings.Contains(l.path, "?") {
			sep = "&"
		}
		whole := get(t, srv, gitbooksim.DemoToken, l.path+sep+"limit=1000").object(t)
		var want []string
		for _, it := range whole["items"].([]any) {
			want = append(want, l.key(it.(map[string]any)))
		}
		if len(want) < 2 || whole["count"] != float64(len(want)) {
			t.Errorf("%s: %d items, count %v: want at least two, counted", l.path, len(want), whole["count"])
			continue
		}
		var got []string
		page := ""
		for pages := 0; pages <= len(want); pages++ {
			q := l.path + sep + "limit=2"
			if page != "" {
				q += "&page=" + page
			}
			m := get(t, srv, gitbooksim.DemoToken, q).object(t)
			if m["count"] != float64(len(want)) {
				t.Errorf("%s page %d: count %v, want %d", l.path, pages, m["count"], len(want))
			}
			for _, it := range m["items"].([]any) {
				got = append(got, l.key(it.(map[string]any)))
			}
			next, ok := m["next"].(map[string]any)
			if !ok {
				break
			}
			page = next["page"].(string)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s by pages of 2: %v, want %v", l.path, got, want)
		}
		assertEnvelope(t, get(t, srv, gitbooksim.DemoToken, l.path+sep+"limit=-1"), http.StatusBadRequest, "limit must be a number between 0 and 1000")
		assertEnvelope(t, get(t, srv, gitbooksim.DemoToken, l.path+sep+"page=nope"), http.StatusBadRequest, "Invalid page")
	}
	// The simulator's page sizes bound these lists as they do the others.
	small := newServer(t, gitbooksim.Options{DefaultPageSize: 1, MaxPageSize: 2})
	if n := len(get(t, small, gitbooksim.DemoToken, "/orgs").object(t)["items"].([]any)); n != 1 {
		t.Errorf("no limit: %d organizations, want the default page of 1", n)
	}
	if n := len(get(t, small, gitbooksim.DemoToken, "/integrations?limit=50").object(t)["items"].([]any)); n != 2 {
		t.Errorf("limit 50: %d integrations, want the largest page of 2", n)
	}
}

// Each of the walk's operations is counted under its operationId and meets
// the faults aimed at it, as the other operations do.
func TestWalkOperationsAreCountedAndFaulted(t *testing.T) {
	for op, path := range map[string]string{
		"getAuthenticatedUser":                  "/user",
		"listOrganizationsForAuthenticatedUser": "/orgs",
		"listSpacesInOrganizationById":          "/orgs/acme/spaces",
		"listOrganizationInstallations":         "/orgs/acme/installations",
		"listIntegrations":                      "/integrations",
		"listIntegrationInstallations":          "/integrations/acme-status/installations",
		"getIntegrationInstallationById":        "/integrations/slack/installations/inst-acme-slack",
		"listIntegrationInstallationSpaces":     "/integrations/slack/installations/inst-acme-slack/spaces",
	} {
		srv := newServer(t, gitbooksim.Options{})
		if a := get(t, srv, gitbooksim.DemoToken, path); a.status != http.StatusOK {
			t.Errorf("%s: %d %s", op, a.status, a.body)
		}
		assertEnvelope(t, get(t, srv, "gb_nobody", path), http.StatusUnauthorized, "You must be authenticated to access this resource")
		srv.SetFault(gitbooksim.FailAlways(op, gitbooksim.Fault{Status: http.StatusServiceUnavailable}))
		assertEnvelope(t, get(t, srv, gitbooksim.DemoToken, path), http.StatusServiceUnavailable, "Service Unavailable")
		if a := get(t, srv, gitbooksim.DemoToken, "/orgs/acme"); a.status != http.StatusOK {
			t.Errorf("a fault aimed at %s hit getOrganizationById: %d", op, a.status)
		}
		if got := srv.Counts(); got[op] != 3 || got["getOrganizationById"] != 1 || len(got) != 2 {
			t.Errorf("%s: counts %v", op, got)
		}
	}
}

// getAuthenticatedUser says who each token is; a user the dataset says
// little of gets an id and a name derived from its token, never the token.
func TestUserSaysWhoTheTokenIs(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{Data: &gitbooksim.Dataset{Users: []gitbooksim.User{
		{Token: "gb_plain"},
		{Token: "gb_full", ID: "u-1", DisplayName: "Full", Email: "full@example.com", PhotoURL: "https://example.com/full.png", Label: " (full)"},
	}}})
	plain := get(t, srv, "gb_plain", "/user").object(t)
	id, _ := plain["id"].(string)
	if !strings.HasPrefix(id, "u-") || strings.Contains(id, "gb_plain") || plain["displayName"] != "User "+id || plain["object"] != "user" {
		t.Errorf("a user with a token alone: %v", plain)
	}
	if _, ok := plain["email"]; ok {
		t.Errorf("a user without an email is answered one: %v", plain)
	}
	want := map[string]any{"object": "user", "id": "u-1", "displayName": "Full (full)", "email": "full@example.com",
		"photoURL": "https://example.com/full.png", "urls": map[string]any{"location": "https://api.gitbook.com/v1/users/u-1"}}
	if diff := cmp.Diff(want, get(t, srv, "gb_full", "/user").object(t)); diff != "" {
		t.Errorf("a user the dataset describes (-want +got):\n%s", diff)
	}
	if again := get(t, srv, "gb_plain", "/user").object(t)["id"]; again != id {
		t.Errorf("the derived id changes: %v, then %v", id, again)
	}
}
