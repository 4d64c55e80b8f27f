package upstream_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitbook-graphql/facade/upstream"
	"github.com/gitbook-graphql/facade/upstream/upstreamtest"
)

func TestNewRefusesBaseURLsThatAreNotHTTP(t *testing.T) {
	for _, base := range []string{"", "api.gitbook.com/v1", "ftp://api.gitbook.com/v1", "http://", "https:///v1", "://x", "http://%zz"} {
		if c, err := upstream.New(base, upstream.Options{}); err == nil {
			t.Errorf("New(%q) = %v, nil; want an error", base, c)
		}
	}
}

func TestNewNormalisesTheBaseURL(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	// A trailing slash, a query and a fragment on the base must not change
	// the paths the client calls.
	for _, base := range []string{srv.URL + "/", srv.URL + "?x=1", srv.URL + "#frag"} {
		c, err := upstream.New(base, upstream.Options{Retry: &fastRetry})
		if err != nil {
			t.Fatalf("New(%q): %v", base, err)
		}
		srv.ResetStats()
		if _, err := c.WithAuthorization(demoAuth).GetSpace(t.Context(), "acme-handbook"); err != nil {
			t.Fatalf("base %q: GetSpace: %v", base, err)
		}
		calls := srv.Calls()
		if len(calls) != 1 || calls[0].Path != "/v1/spaces/acme-handbook" || len(calls[0].Query) != 0 {
			t.Errorf("base %q: calls = %+v, want one to /v1/spaces/acme-handbook without a query", base, calls)
		}
	}
}

func TestAuthorizationIsSentUnchanged(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	base, err := upstream.New(srv.URL, upstream.Options{Retry: &fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	for _, auth := range []string{
		demoAuth,
		"Bearer  " + upstreamtest.DemoToken, // two spaces: not a token the simulator knows
		"Basic dXNlcjpwYXNz",
		"bearer " + upstreamtest.DemoToken,
	} {
		srv.ResetStats()
		_, err := base.WithAuthorization(auth).GetSpace(t.Context(), "acme-handbook")
		if auth == demoAuth {
			if err != nil {
				t.Fatalf("GetSpace with %q: %v", auth, err)
			}
		} else if e := asError(t, srv, err); e.StatusCode != http.StatusUnauthorized {
			t.Errorf("GetSpace with %q: status %d, want 401", auth, e.StatusCode)
		}
		calls := srv.Calls()
		if len(calls) != 1 || calls[0].Authorization != auth {
			t.Errorf("sent Authorization %q: simulator recorded %+v", auth, calls)
		}
	}
}

func TestNoAuthorizationSendsNone(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	base, err := upstream.New(srv.URL, upstream.Options{Retry: &fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	// The base client, and an authorized one whose header is removed again.
	for _, c := range []*upstream.Client{base, base.WithAuthorization(demoAuth).WithAuthorization("")} {
		srv.ResetStats()
		_, err := c.GetSpace(t.Context(), "acme-handbook")
		e := asError(t, srv, err)
		if e.StatusCode != http.StatusUnauthorized || e.Code != http.StatusUnauthorized {
			t.Errorf("status %d code %d, want 401 401", e.StatusCode, e.Code)
		}
		if calls := srv.Calls(); len(calls) != 1 || calls[0].Authorization != "" {
			t.Errorf("calls = %+v, want one without Authorization", calls)
		}
	}
}

func TestWithAuthorizationLeavesTheOriginalAlone(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	admin := newClient(t, srv, nil)
	reader := admin.WithAuthorization("Bearer " + upstreamtest.ReaderToken)
	if _, err := admin.GetSpace(t.Context(), "oss-getting-started"); err != nil {
		t.Fatalf("admin: %v", err)
	}
	if _, err := reader.GetSpace(t.Context(), "oss-getting-started"); upstream.StatusCode(err) != http.StatusNotFound {
		t.Fatalf("reader: err = %v, want a 404", err)
	}
	got := []string{}
	for _, c := range srv.Calls() {
		got = append(got, c.Authorization)
	}
	want := []string{demoAuth, "Bearer " + upstreamtest.ReaderToken}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Authorization sent (-want +got):\n%s", diff)
	}
}

// headerRecorder is a RoundTripper that notes the headers of each request
// before sending it over real HTTP.
type headerRecorder struct {
	mu      sync.Mutex
	headers []http.Header
	next    http.RoundTripper
}

func (r *headerRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.headers = append(r.headers, req.Header.Clone())
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func TestRequestHeaders(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	rec := &headerRecorder{next: http.DefaultTransport}
	for _, tc := range []struct{ userAgent, want string }{
		{"", "gitbook-graphql-facade"},
		{"facade-test/1.0", "facade-test/1.0"},
	} {
		rec.headers = nil
		c, err := upstream.New(srv.URL, upstream.Options{HTTPClient: &http.Client{Transport: rec}, Retry: &fastRetry, UserAgent: tc.userAgent})
		if err != nil {
			t.Fatal(err)
		}
		c = c.WithAuthorization(demoAuth)
		if _, err := c.GetSpace(t.Context(), "acme-handbook"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.InstallIntegrationOnSpace(t.Context(), "okta", "inst-acme-okta", "acme-handbook"); err != nil {
			t.Fatal(err)
		}
		if len(rec.headers) != 2 {
			t.Fatalf("recorded %d requests, want 2", len(rec.headers))
		}
		get, post := rec.headers[0], rec.headers[1]
		for i, h := range rec.headers {
			if h.Get("User-Agent") != tc.want || h.Get("Accept") != "application/json" || h.Get("Authorization") != demoAuth {
				t.Errorf("request %d headers %v: want User-Agent %q, Accept application/json, and the Authorization", i, h, tc.want)
			}
		}
		if ct := get.Get("Content-Type"); ct != "" {
			t.Errorf("GET sent Content-Type %q, want none", ct)
		}
		if ct := post.Get("Content-Type"); ct != "application/json" {
			t.Errorf("POST sent Content-Type %q, want application/json", ct)
		}
	}
}

// Permissions the simulator gives by role, as the spec's permissions objects.
var (
	spaceAdmin = upstream.SpacePermissions{View: true, Access: true, Admin: true, ViewInviteLinks: true, Edit: true,
		TriggerGitSync: true, Comment: true, Merge: true, Review: true, InstallIntegration: true}
	spaceEditor = upstream.SpacePermissions{View: true, Access: true, Edit: true, TriggerGitSync: true, Comment: true, Merge: true, Review: true}
	spaceReader = upstream.SpacePermissions{View: true, Access: true}
	orgAdmin    = upstream.OrganizationPermissions{View: true, Access: true, Admin: true, OwnTeam: true, CreateContent: true,
		CreateOpenAPISpec: true, ViewBilling: true, ListMembers: true, ListTeams: true, ListIntegrations: true,
		ListInstallations: true, InstallIntegration: true}
	orgMember = upstream.OrganizationPermissions{View: true, Access: true, ListMembers: true, ListTeams: true}
)

func TestGetSpace(t *testing.T) {
	srv, c := setup(t)
	// DemoToken administers acme, edits in the collective and reads northwind.
	perms := map[string]upstream.SpacePermissions{"acme": spaceAdmin, "open-source-collective": spaceEditor, "northwind": spaceReader}
	data := upstreamtest.DemoData()
	for _, want := range data.Spaces {
		want.Permissions = perms[want.Organization]
		got, err := c.GetSpace(t.Context(), want.ID)
		if err != nil {
			t.Fatalf("GetSpace(%q): %v", want.ID, err)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("GetSpace(%q) (-want +got):\n%s", want.ID, diff)
		}
	}
	// The optional parts the demo data fills must have come through, or the
	// comparison above proves less than it seems.
	api, _ := c.GetSpace(t.Context(), "acme-api-reference")
	if api.GitSync == nil || api.GitSync.Operation == nil || api.GitSync.Operation.EndedAt == nil {
		t.Errorf("acme-api-reference gitSync = %+v, want one with an ended operation", api.GitSync)
	}
	changelog, _ := c.GetSpace(t.Context(), "acme-changelog")
	if len(changelog.Imports) != 1 || changelog.Imports[0].Source == nil || len(changelog.Imports[0].Pages) != 1 {
		t.Errorf("acme-changelog imports = %+v, want one with a source and a page", changelog.Imports)
	}

	calls := srv.Calls()
	if len(calls) != len(data.Spaces)+2 {
		t.Fatalf("%d calls, want %d", len(calls), len(data.Spaces)+2)
	}
	for i, s := range data.Spaces {
		got := calls[i]
		if got.Op != "getSpaceById" || got.Method != http.MethodGet || got.Path != "/v1/spaces/"+s.ID ||
			len(got.Query) != 0 || got.Authorization != demoAuth || got.Status != http.StatusOK {
			t.Errorf("call %d = %+v, want GET /v1/spaces/%s with the demo Authorization", i, got, s.ID)
		}
	}
}

func TestGetOrganization(t *testing.T) {
	srv, c := setup(t)
	data := upstreamtest.DemoData()
	for id, perms := range map[string]upstream.OrganizationPermissions{"acme": orgAdmin, "open-source-collective": orgMember, "northwind": orgMember} {
		want := organization(t, data, id)
		want.Permissions = perms
		got, err := c.GetOrganization(t.Context(), id)
		if err != nil {
			t.Fatalf("GetOrganization(%q): %v", id, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GetOrganization(%q) (-want +got):\n%s", id, diff)
		}
	}
	acme, _ := c.GetOrganization(t.Context(), "acme")
	if acme.Billing == nil || acme.Billing.CreditsBundle == nil || *acme.Billing.CreditsBundle != upstream.BillingCreditsBundle135001500 {
		t.Errorf("acme billing = %+v, want a credits bundle of 135001500", acme.Billing)
	}
	if got := srv.PathCounts(); got["GET /v1/orgs/acme"] != 2 || got["GET /v1/orgs/northwind"] != 1 || got["GET /v1/orgs/open-source-collective"] != 1 {
		t.Errorf("path counts = %v", got)
	}
	// DemoToken is no member of GitBook's own organization.
	_, err := c.GetOrganization(t.Context(), "gitbook")
	if e := asError(t, srv, err); e.StatusCode != http.StatusNotFound || e.Message != "Organization not found" {
		t.Errorf("GetOrganization(gitbook) = %+v, want a 404", e)
	}
}

func TestGetOrganizationDecodesCreditsBundleAsANumber(t *testing.T) {
	srv, c := setup(t)
	// The spec's enum lists the bundles as numbers; the simulator's own
	// encoding writes strings, so send the number form verbatim.
	srv.SetFault(upstreamtest.FailAlways("getOrganizationById", upstreamtest.Fault{Body: `{
		"object": "organization", "id": "acme", "title": "Acme Inc.", "createdAt": "2024-01-15T09:30:00Z",
		"emailDomains": [], "type": "business", "inviteLinks": true, "plan": "pro_2024",
		"mergeRules": {"type": "none"}, "urls": {"location": "l", "app": "a"}, "trial": {"status": "notapplicable", "count": 0},
		"permissions": {"view": true},
		"billing": {"interval": "yearly", "endDate": null, "creditsBundle": 6000040000, "aiCreditAlertThreshold": null,
			"pricing": {"members": {"plus_2024": {"monthly": 8, "yearly": 80}, "pro_2024": {"monthly": 12, "yearly": 120}},
				"sites": {"premium": {"monthly": 65, "yearly": 650}, "ultimate": {"monthly": 249, "yearly": 2490}}},
			"usageAddons": {}}
	}`}))
	o, err := c.GetOrganization(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if o.Billing == nil || o.Billing.CreditsBundle == nil || *o.Billing.CreditsBundle != upstream.BillingCreditsBundle6000040000 {
		t.Errorf("billing = %+v, want credits bundle 6000040000", o.Billing)
	}
	if o.Billing.EndDate != nil || o.Billing.AICreditAlertThreshold != nil {
		t.Errorf("billing = %+v, want null endDate and aiCreditAlertThreshold as nil", o.Billing)
	}
	if o.Billing.Pricing.Sites.Ultimate.Yearly != 2490 {
		t.Errorf("pricing = %+v", o.Billing.Pricing)
	}
}

func organization(t *testing.T, data *upstreamtest.Dataset, id string) *upstream.Organization {
	t.Helper()
	for _, o := range data.Organizations {
		if o.ID == id {
			return &o
		}
	}
	t.Fatalf("no organization %q in the demo data", id)
	return nil
}

func integration(t *testing.T, data *upstreamtest.Dataset, name string) *upstream.Integration {
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
	data := upstreamtest.DemoData()
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
	data := upstreamtest.DemoData()
	data.Users = append(data.Users, upstreamtest.User{Token: "outsider", Roles: map[string]upstream.MemberRole{}})
	srv := newServer(t, upstreamtest.Options{Data: data})
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
func portalIntegrations(data *upstreamtest.Dataset, spaceID string) []string {
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
	want := portalIntegrations(upstreamtest.DemoData(), space)
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
		{"sync", []string{"github"}},                                               // title "GitHub Sync"
		{"GITHUB", []string{"github", "github-files"}},                             // case-insensitive, on the name
		{"a&b c=d", []string{}},                                                    // reaches the upstream intact
		{"", portalIntegrations(upstreamtest.DemoData(), "acme-developer-portal")}, // no parameter at all
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
	data := upstreamtest.DemoData()
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

func TestInstallThenUninstall(t *testing.T) {
	srv, c := setup(t)
	const (
		space = "acme-developer-portal"
		name  = "okta"
		inst  = "inst-acme-okta"
	)
	if slices.Contains(installedOn(t, c, space), name) {
		t.Fatalf("%s is installed on %s before the test", name, space)
	}

	srv.ResetStats()
	got, err := c.InstallIntegrationOnSpace(t.Context(), name, inst, space)
	if err != nil {
		t.Fatal(err)
	}
	loc := "https://api.gitbook.com/v1/integrations/okta/installations/inst-acme-okta/spaces/" + space
	public := "https://integrations.gitbook.com/v1/integrations/okta/installations/inst-acme-okta/spaces/" + space
	want := &upstream.IntegrationSpaceInstallation{
		Integration: name, Installation: inst, Status: upstream.IntegrationInstallationStatusActive,
		Configuration: []byte(`{}`), ExternalIDs: []string{},
		URLs:  upstream.IntegrationInstallationURLs{Location: loc, PublicEndpoint: public, PublicContentEndpoint: public + "/content"},
		Space: upstream.SpaceRef{ID: space},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("installation (-want +got):\n%s", diff)
	}
	calls := srv.Calls()
	if len(calls) != 1 || calls[0].Op != "installIntegrationOnSpace" || calls[0].Method != http.MethodPost ||
		calls[0].Path != "/v1/integrations/okta/installations/inst-acme-okta/spaces" || len(calls[0].Query) != 0 ||
		calls[0].Authorization != demoAuth || calls[0].Status != http.StatusCreated {
		t.Errorf("install calls = %+v", calls)
	}
	if !slices.Contains(installedOn(t, c, space), name) {
		t.Errorf("%s is not listed on %s after installing it", name, space)
	}

	srv.ResetStats()
	if err := c.UninstallIntegrationFromSpace(t.Context(), name, inst, space); err != nil {
		t.Fatal(err)
	}
	calls = srv.Calls()
	if len(calls) != 1 || calls[0].Op != "uninstallIntegrationFromSpace" || calls[0].Method != http.MethodDelete ||
		calls[0].Path != "/v1/integrations/okta/installations/inst-acme-okta/spaces/"+space ||
		calls[0].Authorization != demoAuth || calls[0].Status != http.StatusNoContent {
		t.Errorf("uninstall calls = %+v", calls)
	}
	if slices.Contains(installedOn(t, c, space), name) {
		t.Errorf("%s is still listed on %s after uninstalling it", name, space)
	}

	// Uninstalling again: the upstream says it is not installed.
	err = c.UninstallIntegrationFromSpace(t.Context(), name, inst, space)
	if e := asError(t, srv, err); e.StatusCode != http.StatusNotFound || e.OutcomeUnknown {
		t.Errorf("second uninstall = %+v, want a plain 404", e)
	}
}

func TestInstallDecodesAWholeSpace(t *testing.T) {
	srv, c := setup(t)
	// The spec allows the installation's space as an id or as a whole Space.
	srv.SetFault(upstreamtest.FailAlways("installIntegrationOnSpace", upstreamtest.Fault{Status: http.StatusCreated, Body: `{
		"integration": "okta", "installation": "inst-acme-okta", "status": "active", "configuration": {"a": 1},
		"externalIds": ["x"], "urls": {"location": "l", "publicEndpoint": "p", "publicContentEndpoint": "pc"},
		"space": {"object": "space", "id": "acme-handbook", "title": "Employee Handbook", "organization": "acme",
			"createdAt": "2024-01-15T09:30:00Z", "updatedAt": "2024-01-15T09:30:00Z", "defaultLevel": null,
			"mergeRules": {"type": "inherit"}, "urls": {"location": "l", "app": "a"}, "permissions": {"view": true}}
	}`}))
	got, err := c.InstallIntegrationOnSpace(t.Context(), "okta", "inst-acme-okta", "acme-handbook")
	if err != nil {
		t.Fatal(err)
	}
	if got.Space.ID != "acme-handbook" || got.Space.Space == nil || got.Space.Space.Title != "Employee Handbook" || got.Space.Space.DefaultLevel != nil {
		t.Errorf("space = %+v, want the whole space", got.Space)
	}
	if string(got.Configuration) != `{"a": 1}` || !slices.Equal(got.ExternalIDs, []string{"x"}) {
		t.Errorf("installation = %+v", got)
	}
}

func TestConcurrentCallsShareTheClient(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	// A third of the calls fail with a 503 first; retries must hide that, and
	// every logical call must succeed exactly once upstream.
	srv.SetFault(upstreamtest.FailRandomly(7, upstreamtest.WeightedFault{P: 0.3, Fault: upstreamtest.Fault{Status: http.StatusServiceUnavailable}}))
	policy := fastRetry
	policy.MaxRetries = 20
	// Each call its own: this counts calls, which coalescing would merge.
	base, err := upstream.New(srv.URL, upstream.Options{Retry: &policy, Sharing: upstream.Sharing{NoCoalescing: true}})
	if err != nil {
		t.Fatal(err)
	}
	c := base.WithAuthorization(demoAuth)
	reader := c.WithAuthorization("Bearer " + upstreamtest.ReaderToken)
	spaces := upstreamtest.DemoData().Spaces[:5] // acme's: both tokens see them

	const rounds = 8
	var wg sync.WaitGroup
	errs := make(chan error, rounds*len(spaces)*2)
	for range rounds {
		for _, s := range spaces {
			for _, cl := range []*upstream.Client{c, reader} {
				wg.Go(func() {
					got, err := cl.GetSpace(t.Context(), s.ID)
					if err == nil && got.ID != s.ID {
						t.Errorf("GetSpace(%q) answered %q", s.ID, got.ID)
					}
					errs <- err
				})
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	ok := 0
	for _, call := range srv.Calls() {
		if call.Status == http.StatusOK {
			ok++
		}
	}
	if want := rounds * len(spaces) * 2; ok != want {
		t.Errorf("%d successful upstream calls, want exactly %d", ok, want)
	}
}
