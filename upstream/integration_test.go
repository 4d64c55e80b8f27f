package upstream_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

func integration(t *testing.T, data *gitbooksim.Dataset, name string) *upstream.Integration {
	t.Helper()
	for _, in := range data.Integrations {
		if in.Name == name {
			return &in
		}
	}
	t.Fatalf("no integration %q in the demo data", name)
	return nil
}

func TestGetIntegration(t *testing.T) {
	srv, c := setup(t)
	data := gitbooksim.DemoData()
	for _, tc := range []struct {
		name      string
		ownerPerm upstream.OrganizationPermissions
		admin     bool
	}{
		{"slack", upstream.OrganizationPermissions{}, false},   // public, owned by GitBook
		{"mermaid", upstream.OrganizationPermissions{}, false}, // a markdown block
		{"acme-status", orgAdmin, true},                        // private to acme, which DemoToken administers
	} {
		want := integration(t, data, tc.name)
		// The owner is embedded whole, with the caller's permissions in it.
		want.Owner = *organization(t, data, want.Owner.ID)
		want.Owner.Permissions = tc.ownerPerm
		want.Permissions = upstream.IntegrationPermissions{Admin: tc.admin}
		got, err := c.GetIntegration(t.Context(), tc.name)
		if err != nil {
			t.Fatalf("GetIntegration(%q): %v", tc.name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GetIntegration(%q) (-want +got):\n%s", tc.name, diff)
		}
	}

	slack, _ := c.GetIntegration(t.Context(), "slack")
	if slack.Owner.ID != "gitbook" || slack.Owner.Title != "GitBook" || slack.Owner.Plan != upstream.BillingProductEnterprise2024 {
		t.Errorf("slack owner = %+v, want GitBook's organization", slack.Owner)
	}
	wantCSP := "connect-src https://slack.com; default-src 'self'; img-src https://*.slack-edge.com"
	if slack.ContentSecurityPolicy == nil || slack.ContentSecurityPolicy.HeaderValue() != wantCSP {
		t.Errorf("slack CSP = %+v, want %q", slack.ContentSecurityPolicy, wantCSP)
	}
	mermaid, _ := c.GetIntegration(t.Context(), "mermaid")
	if len(mermaid.Blocks) != 1 || mermaid.Blocks[0].Markdown == nil || mermaid.Blocks[0].Markdown.Codeblock != "mermaid" {
		t.Errorf("mermaid blocks = %+v, want one markdown block", mermaid.Blocks)
	}

	if got := srv.PathCounts()["GET /v1/integrations/acme-status"]; got != 1 {
		t.Errorf("GET /v1/integrations/acme-status called %d times, want 1", got)
	}
	_, err := c.GetIntegration(t.Context(), "no-such-integration")
	if e := asError(t, srv, err); e.StatusCode != http.StatusNotFound || e.Message != "Integration not found" {
		t.Errorf("GetIntegration(no-such-integration) = %+v, want a 404", e)
	}
}

func TestGetIntegrationPrivateToOthers(t *testing.T) {
	data := gitbooksim.DemoData()
	data.Users = append(data.Users, gitbooksim.User{Token: "outsider", Roles: map[string]upstream.MemberRole{}})
	srv := newServer(t, gitbooksim.Options{Data: data})
	outsider := newClient(t, srv, nil).WithAuthorization("Bearer outsider")
	if _, err := outsider.GetIntegration(t.Context(), "slack"); err != nil {
		t.Errorf("public integration: %v", err)
	}
	_, err := outsider.GetIntegration(t.Context(), "acme-status")
	if e := asError(t, srv, err); e.StatusCode != http.StatusNotFound {
		t.Errorf("private integration to an outsider: %+v, want a 404", e)
	}
	if strings.Contains(err.Error(), "outsider") {
		t.Errorf("Error() = %q echoes the token", err)
	}
}

// portalIntegrations is what the demo installs on acme-developer-portal,
// in the simulator's order (by name).
func portalIntegrations(data *gitbooksim.Dataset, spaceID string) []string {
	var names []string
	for _, inst := range data.Installations {
		if slices.Contains(inst.Spaces, spaceID) && !slices.Contains(names, inst.Integration) {
			names = append(names, inst.Integration)
		}
	}
	slices.Sort(names)
	return names
}

func TestListSpaceIntegrationsPaginates(t *testing.T) {
	srv, c := setup(t)
	const space = "acme-developer-portal"
	want := portalIntegrations(gitbooksim.DemoData(), space)
	const limit = 10
	if len(want) <= 2*limit {
		t.Fatalf("the demo installs %d integrations on %s; the test needs more than %d", len(want), space, 2*limit)
	}

	var got []string
	var pages []string // the page token of each call
	opts := upstream.ListSpaceIntegrationsOptions{ListOptions: upstream.ListOptions{Limit: limit}}
	for {
		list, err := c.ListSpaceIntegrations(t.Context(), space, opts)
		if err != nil {
			t.Fatalf("page %d: %v", len(pages), err)
		}
		pages = append(pages, opts.Page)
		if list.Count == nil || int(*list.Count) != len(want) {
			t.Errorf("page %d: count = %v, want %d", len(pages)-1, list.Count, len(want))
		}
		if len(list.Items) > limit {
			t.Errorf("page %d: %d items, want at most %d", len(pages)-1, len(list.Items), limit)
		}
		for _, in := range list.Items {
			got = append(got, in.Name)
		}
		if list.Next == nil {
			break
		}
		if list.Next.Page == "" || len(pages) > len(want) {
			t.Fatalf("page %d: next = %+v", len(pages)-1, list.Next)
		}
		opts.Page = list.Next.Page
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("integrations over all pages (-want +got):\n%s", diff)
	}
	if wantPages := (len(want) + limit - 1) / limit; len(pages) != wantPages {
		t.Errorf("%d pages, want %d", len(pages), wantPages)
	}

	calls := srv.Calls()
	if len(calls) != len(pages) {
		t.Fatalf("%d calls for %d pages", len(calls), len(pages))
	}
	for i, call := range calls {
		wantQuery := url.Values{"limit": {"10"}}
		if pages[i] != "" {
			wantQuery.Set("page", pages[i])
		}
		if call.Op != "listSpaceIntegrations" || call.Method != http.MethodGet || call.Path != "/v1/spaces/"+space+"/integrations" || call.Authorization != demoAuth {
			t.Errorf("call %d = %+v", i, call)
		}
		if diff := cmp.Diff(wantQuery, call.Query); diff != "" {
			t.Errorf("call %d query (-want +got):\n%s", i, diff)
		}
	}
}

func TestListSpaceIntegrationsItemsAreWholeIntegrations(t *testing.T) {
	_, c := setup(t)
	list, err := c.ListSpaceIntegrations(t.Context(), "acme-changelog", upstream.ListSpaceIntegrationsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Next != nil || list.Count == nil || *list.Count != 1 {
		t.Fatalf("acme-changelog integrations = %+v, want slack alone", list)
	}
	slack, err := c.GetIntegration(t.Context(), "slack")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*slack, list.Items[0]); diff != "" {
		t.Errorf("listed slack differs from GetIntegration's (-get +list):\n%s", diff)
	}
}

func TestListSpaceIntegrationsSearch(t *testing.T) {
	srv, c := setup(t)
	for _, tc := range []struct {
		search string
		want   []string
	}{
		{"sync", []string{"github"}},                                             // title "GitHub Sync"
		{"GITHUB", []string{"github", "github-files"}},                           // case-insensitive, on the name
		{"a&b c=d", []string{}},                                                  // reaches the upstream intact
		{"", portalIntegrations(gitbooksim.DemoData(), "acme-developer-portal")}, // no parameter at all
	} {
		srv.ResetStats()
		list, err := c.ListSpaceIntegrations(t.Context(), "acme-developer-portal", upstream.ListSpaceIntegrationsOptions{Search: tc.search})
		if err != nil {
			t.Fatalf("search %q: %v", tc.search, err)
		}
		got := []string{}
		for _, in := range list.Items {
			got = append(got, in.Name)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("search %q (-want +got):\n%s", tc.search, diff)
		}
		if list.Count == nil || int(*list.Count) != len(tc.want) {
			t.Errorf("search %q: count = %v, want %d", tc.search, list.Count, len(tc.want))
		}
		wantQuery := url.Values{}
		if tc.search != "" {
			wantQuery.Set("search", tc.search)
		}
		calls := srv.Calls()
		if len(calls) != 1 {
			t.Fatalf("search %q: %d calls", tc.search, len(calls))
		}
		if diff := cmp.Diff(wantQuery, calls[0].Query); diff != "" {
			t.Errorf("search %q: query (-want +got):\n%s", tc.search, diff)
		}
	}
}

func TestListSpaceIntegrationBlocks(t *testing.T) {
	srv, c := setup(t)
	data := gitbooksim.DemoData()
	const space = "acme-developer-portal"
	var want []upstream.SpaceIntegrationBlocks
	for _, name := range portalIntegrations(data, space) {
		if in := integration(t, data, name); len(in.Blocks) > 0 {
			want = append(want, upstream.SpaceIntegrationBlocks{Name: name, Blocks: in.Blocks})
		}
	}
	if len(want) < 2 {
		t.Fatalf("the demo has %d integrations with blocks on %s; want several", len(want), space)
	}
	got, err := c.ListSpaceIntegrationBlocks(t.Context(), space)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("blocks (-want +got):\n%s", diff)
	}

	// A space whose integrations have no blocks: an empty list, not an error.
	none, err := c.ListSpaceIntegrationBlocks(t.Context(), "acme-changelog")
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("acme-changelog blocks = %#v, %v; want an empty list", none, err)
	}

	calls := srv.Calls()
	if len(calls) != 2 || calls[0].Op != "listSpaceIntegrationsBlocks" || calls[0].Method != http.MethodGet ||
		calls[0].Path != "/v1/spaces/"+space+"/integration-blocks" || len(calls[0].Query) != 0 || calls[0].Authorization != demoAuth {
		t.Errorf("calls = %+v", calls)
	}
}

func TestContentSecurityPolicyHeaderValue(t *testing.T) {
	for _, tc := range []struct {
		name string
		json string
		want upstream.IntegrationContentSecurityPolicy
		hdr  string
	}{
		{"string", `"default-src 'self'; img-src *"`,
			upstream.IntegrationContentSecurityPolicy{Raw: "default-src 'self'; img-src *"}, "default-src 'self'; img-src *"},
		{"string with space before", ` "default-src 'none'"`,
			upstream.IntegrationContentSecurityPolicy{Raw: "default-src 'none'"}, "default-src 'none'"},
		{"directives in name order", `{"script-src": "'self' https://cdn.example", "default-src": "'self'", "connect-src": "https://api.example"}`,
			upstream.IntegrationContentSecurityPolicy{Directives: map[string]string{"script-src": "'self' https://cdn.example", "default-src": "'self'", "connect-src": "https://api.example"}},
			"connect-src https://api.example; default-src 'self'; script-src 'self' https://cdn.example"},
		{"directive without a value", `{"upgrade-insecure-requests": "", "block-all-mixed-content": " ", "default-src": "'self'"}`,
			upstream.IntegrationContentSecurityPolicy{Directives: map[string]string{"upgrade-insecure-requests": "", "block-all-mixed-content": " ", "default-src": "'self'"}},
			"block-all-mixed-content; default-src 'self'; upgrade-insecure-requests"},
		{"no directives", `{}`, upstream.IntegrationContentSecurityPolicy{Directives: map[string]string{}}, ""},
		{"empty string", `""`, upstream.IntegrationContentSecurityPolicy{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got upstream.IntegrationContentSecurityPolicy
			if err := json.Unmarshal([]byte(tc.json), &got); err != nil {
				t.Fatalf("Unmarshal(%s): %v", tc.json, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
			if h := got.HeaderValue(); h != tc.hdr {
				t.Errorf("HeaderValue() = %q, want %q", h, tc.hdr)
			}
			// It encodes back in the form it came in.
			out, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			var again upstream.IntegrationContentSecurityPolicy
			if err := json.Unmarshal(out, &again); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("round trip through %s (-first +again):\n%s", out, diff)
			}
		})
	}
}

func TestContentSecurityPolicyDecodeReplacesTheOtherForm(t *testing.T) {
	p := upstream.IntegrationContentSecurityPolicy{Raw: "old"}
	if err := json.Unmarshal([]byte(`{"default-src": "'self'"}`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Raw != "" || p.HeaderValue() != "default-src 'self'" {
		t.Errorf("after decoding directives over a string: %+v", p)
	}
	if err := json.Unmarshal([]byte(`"new"`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Directives != nil || p.HeaderValue() != "new" {
		t.Errorf("after decoding a string over directives: %+v", p)
	}
	for _, bad := range []string{`5`, `["a"]`, `{"default-src": 1}`, `true`} {
		var p upstream.IntegrationContentSecurityPolicy
		if err := json.Unmarshal([]byte(bad), &p); err == nil {
			t.Errorf("Unmarshal(%s) = %+v, want an error", bad, p)
		}
	}
	var zero upstream.IntegrationContentSecurityPolicy
	if zero.HeaderValue() != "" {
		t.Errorf("zero policy HeaderValue() = %q", zero.HeaderValue())
	}
}

func TestContentSecurityPolicyInAnIntegration(t *testing.T) {
	var in upstream.Integration
	if err := json.Unmarshal([]byte(`{"name": "x", "contentSecurityPolicy": null}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.ContentSecurityPolicy != nil {
		t.Errorf("null policy = %+v, want nil", in.ContentSecurityPolicy)
	}
	if err := json.Unmarshal([]byte(`{"name": "x", "contentSecurityPolicy": "frame-ancestors 'none'"}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.ContentSecurityPolicy == nil || in.ContentSecurityPolicy.HeaderValue() != "frame-ancestors 'none'" {
		t.Errorf("policy = %+v", in.ContentSecurityPolicy)
	}
}
