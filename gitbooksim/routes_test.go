package gitbooksim_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

func TestListPaginationFollowsTheSpec(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	const path = "/spaces/acme-developer-portal/integrations"
	var names []string
	page, pages := "", 0
	for {
		q := url.Values{"limit": {"7"}}
		if page != "" {
			q.Set("page", page)
		}
		a := get(t, srv, gitbooksim.DemoToken, path+"?"+q.Encode())
		if a.status != http.StatusOK {
			t.Fatalf("page %d: status %d %s", pages, a.status, a.body)
		}
		pages++
		m := a.object(t)
		// count is present on every page and is the total.
		if _, ok := m["count"].(float64); !ok {
			t.Errorf("page %d: count = %#v, want a number", pages, m["count"])
		}
		items, _ := m["items"].([]any)
		if len(items) == 0 || len(items) > 7 {
			t.Errorf("page %d: %d items", pages, len(items))
		}
		for _, it := range items {
			names = append(names, it.(map[string]any)["name"].(string))
		}
		next, present := m["next"]
		if !present {
			break // the last page has no next at all, not a null one
		}
		nextPage, _ := next.(map[string]any)["page"].(string)
		if nextPage == "" || pages > 10 {
			t.Fatalf("page %d: next = %#v", pages, next)
		}
		page = nextPage
	}
	a := get(t, srv, gitbooksim.DemoToken, path+"?limit=1000")
	total := a.object(t)["count"].(float64)
	if int(total) != len(names) || pages != (len(names)+6)/7 {
		t.Errorf("%d names over %d pages, count %v", len(names), pages, total)
	}
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("names over the pages are not sorted and unique: %v", names)
	}
	if _, present := a.object(t)["next"]; present {
		t.Error("a page holding everything has a next page")
	}
}

func TestListPageSizes(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{DefaultPageSize: 4, MaxPageSize: 6})
	items := func(a answer) int {
		t.Helper()
		if a.status != http.StatusOK {
			t.Fatalf("status %d %s", a.status, a.body)
		}
		return len(a.object(t)["items"].([]any))
	}
	const path = "/spaces/acme-developer-portal/integrations"
	if n := items(get(t, srv, gitbooksim.DemoToken, path)); n != 4 {
		t.Errorf("no limit: %d items, want the default 4", n)
	}
	if n := items(get(t, srv, gitbooksim.DemoToken, path+"?limit=50")); n != 6 {
		t.Errorf("limit 50: %d items, want the maximum 6", n)
	}
	// A page past the end: no items, still the count, no next.
	past := base64.RawURLEncoding.EncodeToString([]byte("offset:1000"))
	m := get(t, srv, gitbooksim.DemoToken, path+"?page="+past).object(t)
	if _, hasNext := m["next"]; len(m["items"].([]any)) != 0 || m["count"] == nil || hasNext {
		t.Errorf("page past the end = %v, want no items, a count and no next", m)
	}
	negative := base64.RawURLEncoding.EncodeToString([]byte("offset:-1"))
	for _, bad := range []string{"limit=-1", "limit=1001", "limit=x"} {
		assertEnvelope(t, get(t, srv, gitbooksim.DemoToken, path+"?"+bad), http.StatusBadRequest, "limit must be a number between 0 and 1000")
	}
	for _, bad := range []string{"page=%21%21", "page=" + negative, "page=" + base64.RawURLEncoding.EncodeToString([]byte("nope"))} {
		assertEnvelope(t, get(t, srv, gitbooksim.DemoToken, path+"?"+bad), http.StatusBadRequest, "Invalid page")
	}
	search := get(t, srv, gitbooksim.DemoToken, path+"?search=nothing-matches-this")
	if m := search.object(t); len(m["items"].([]any)) != 0 || m["count"].(float64) != 0 {
		t.Errorf("search without matches = %s, want no items and a count of 0", search.body)
	}
}

func TestInstallAnswersAndRefusals(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	const path = "/integrations/okta/installations/inst-acme-okta/spaces"
	a := call(t, srv, http.MethodPost, gitbooksim.DemoToken, path, `{"space": "acme-changelog"}`)
	if a.status != http.StatusCreated || a.header.Get("Location") != "/v1"+path+"/acme-changelog" {
		t.Errorf("install: %d, Location %q", a.status, a.header.Get("Location"))
	}
	if m := a.object(t); m["space"] != "acme-changelog" || m["integration"] != "okta" || m["status"] != "active" {
		t.Errorf("install answer = %s", a.body)
	}
	for _, body := range []string{``, `{}`, `{"space": 5}`, `[]`, `not json`} {
		assertEnvelope(t, call(t, srv, http.MethodPost, gitbooksim.DemoToken, path, body),
			http.StatusBadRequest, `The body must be a JSON object with a string property "space"`)
	}
	assertEnvelope(t, call(t, srv, http.MethodPost, gitbooksim.ReaderToken, path, `{"space": "acme-changelog"}`),
		http.StatusForbidden, "You do not have permission to install integrations on this space")
	assertEnvelope(t, call(t, srv, http.MethodPost, gitbooksim.DemoToken, "/integrations/okta/installations/inst-northwind-jira/spaces", `{"space": "acme-changelog"}`),
		http.StatusNotFound, "Installation not found")
	assertEnvelope(t, call(t, srv, http.MethodDelete, gitbooksim.DemoToken, path+"/acme-api-reference", ""),
		http.StatusNotFound, "The integration is not installed on this space")
	if a := call(t, srv, http.MethodDelete, gitbooksim.DemoToken, path+"/acme-changelog", ""); a.status != http.StatusNoContent || len(a.body) != 0 {
		t.Errorf("uninstall: %d %q, want 204 without a body", a.status, a.body)
	}
	assertEnvelope(t, get(t, srv, gitbooksim.DemoToken, "/nope"), http.StatusNotFound, "No route for GET /v1/nope")
	assertEnvelope(t, call(t, srv, http.MethodPut, gitbooksim.DemoToken, "/spaces/acme-handbook", "{}"), http.StatusNotFound, "No route for PUT /v1/spaces/acme-handbook")
	calls := srv.Calls()
	if last := calls[len(calls)-1]; last.Op != "" || last.Method != http.MethodPut {
		t.Errorf("unknown route recorded as %+v, want no operation", last)
	}
}
