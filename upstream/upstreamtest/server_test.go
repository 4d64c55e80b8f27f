package upstreamtest_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitbook-graphql/facade/upstream"
	"github.com/gitbook-graphql/facade/upstream/upstreamtest"
)

// These tests speak raw HTTP to the simulator: they check the simulator
// itself, so that the client's tests can trust what it answers.

func newServer(t *testing.T, opts upstreamtest.Options) *upstreamtest.Server {
	t.Helper()
	srv := upstreamtest.NewServer(opts)
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer %d %q is not a JSON object: %v", a.status, a.body, err)
	}
	return m
}

func call(t *testing.T, srv *upstreamtest.Server, method, token, path, body string) answer {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading: %v", method, path, err)
	}
	return answer{resp.StatusCode, resp.Header, data}
}

func get(t *testing.T, srv *upstreamtest.Server, token, path string) answer {
	t.Helper()
	return call(t, srv, http.MethodGet, token, path, "")
}

// assertEnvelope checks an error answer against the spec's Error schema.
func assertEnvelope(t *testing.T, a answer, status int, message string) {
	t.Helper()
	if a.status != status {
		t.Errorf("status %d, want %d (body %s)", a.status, status, a.body)
	}
	want := map[string]any{"error": map[string]any{"code": float64(status), "message": message}}
	if diff := cmp.Diff(want, a.object(t)); diff != "" {
		t.Errorf("error envelope (-want +got):\n%s", diff)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want JSON", ct)
	}
}

func TestListPaginationFollowsTheSpec(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	const path = "/spaces/acme-developer-portal/integrations"
	var names []string
	page, pages := "", 0
	for {
		q := url.Values{"limit": {"7"}}
		if page != "" {
			q.Set("page", page)
		}
		a := get(t, srv, upstreamtest.DemoToken, path+"?"+q.Encode())
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
	a := get(t, srv, upstreamtest.DemoToken, path+"?limit=1000")
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
	srv := newServer(t, upstreamtest.Options{DefaultPageSize: 4, MaxPageSize: 6})
	items := func(a answer) int {
		t.Helper()
		if a.status != http.StatusOK {
			t.Fatalf("status %d %s", a.status, a.body)
		}
		return len(a.object(t)["items"].([]any))
	}
	const path = "/spaces/acme-developer-portal/integrations"
	if n := items(get(t, srv, upstreamtest.DemoToken, path)); n != 4 {
		t.Errorf("no limit: %d items, want the default 4", n)
	}
	if n := items(get(t, srv, upstreamtest.DemoToken, path+"?limit=50")); n != 6 {
		t.Errorf("limit 50: %d items, want the maximum 6", n)
	}
	// A page past the end: no items, still the count, no next.
	past := base64.RawURLEncoding.EncodeToString([]byte("offset:1000"))
	m := get(t, srv, upstreamtest.DemoToken, path+"?page="+past).object(t)
	if _, hasNext := m["next"]; len(m["items"].([]any)) != 0 || m["count"] == nil || hasNext {
		t.Errorf("page past the end = %v, want no items, a count and no next", m)
	}
	negative := base64.RawURLEncoding.EncodeToString([]byte("offset:-1"))
	for _, bad := range []string{"limit=-1", "limit=1001", "limit=x"} {
		assertEnvelope(t, get(t, srv, upstreamtest.DemoToken, path+"?"+bad), http.StatusBadRequest, "limit must be a number between 0 and 1000")
	}
	for _, bad := range []string{"page=%21%21", "page=" + negative, "page=" + base64.RawURLEncoding.EncodeToString([]byte("nope"))} {
		assertEnvelope(t, get(t, srv, upstreamtest.DemoToken, path+"?"+bad), http.StatusBadRequest, "Invalid page")
	}
	search := get(t, srv, upstreamtest.DemoToken, path+"?search=nothing-matches-this")
	if m := search.object(t); len(m["items"].([]any)) != 0 || m["count"].(float64) != 0 {
		t.Errorf("search without matches = %s, want no items and a count of 0", search.body)
	}
}

func TestScopesByToken(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	reader, admin := upstreamtest.ReaderToken, upstreamtest.DemoToken

	// ReaderToken reads acme and nothing else: the collective's spaces do not exist for it.
	for path, message := range map[string]string{
		"/spaces/oss-getting-started":                    "Space not found",
		"/spaces/oss-getting-started/integrations":       "Space not found",
		"/spaces/oss-getting-started/integration-blocks": "Space not found",
		"/spaces/northwind-runbooks":                     "Space not found",
		"/orgs/open-source-collective":                   "Organization not found",
		"/orgs/gitbook":                                  "Organization not found",
	} {
		assertEnvelope(t, get(t, srv, reader, path), http.StatusNotFound, message)
	}
	for _, path := range []string{"/spaces/oss-getting-started", "/orgs/open-source-collective", "/spaces/oss-getting-started/integrations"} {
		if a := get(t, srv, admin, path); a.status != http.StatusOK {
			t.Errorf("DemoToken %s: %d %s", path, a.status, a.body)
		}
	}

	// Both see acme's handbook, each with the permissions of its role.
	var asReader, asAdmin upstream.Space
	if err := json.Unmarshal(get(t, srv, reader, "/spaces/acme-handbook").body, &asReader); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(get(t, srv, admin, "/spaces/acme-handbook").body, &asAdmin); err != nil {
		t.Fatal(err)
	}
	if asReader.Permissions != (upstream.SpacePermissions{View: true, Access: true}) || !asAdmin.Permissions.InstallIntegration || !asAdmin.Permissions.Admin {
		t.Errorf("permissions: reader %+v, admin %+v", asReader.Permissions, asAdmin.Permissions)
	}

	// No token, an empty one, another scheme, an unknown one.
	for _, auth := range []string{"", "Bearer ", "Token " + admin, "Bearer nope", admin} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/spaces/acme-handbook", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assertEnvelope(t, answer{resp.StatusCode, resp.Header, body}, http.StatusUnauthorized, "You must be authenticated to access this resource")
	}
}

func TestInstallAnswersAndRefusals(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	const path = "/integrations/okta/installations/inst-acme-okta/spaces"
	a := call(t, srv, http.MethodPost, upstreamtest.DemoToken, path, `{"space": "acme-changelog"}`)
	if a.status != http.StatusCreated || a.header.Get("Location") != "/v1"+path+"/acme-changelog" {
		t.Errorf("install: %d, Location %q", a.status, a.header.Get("Location"))
	}
	if m := a.object(t); m["space"] != "acme-changelog" || m["integration"] != "okta" || m["status"] != "active" {
		t.Errorf("install answer = %s", a.body)
	}
	for _, body := range []string{``, `{}`, `{"space": 5}`, `[]`, `not json`} {
		assertEnvelope(t, call(t, srv, http.MethodPost, upstreamtest.DemoToken, path, body),
			http.StatusBadRequest, `The body must be a JSON object with a string property "space"`)
	}
	assertEnvelope(t, call(t, srv, http.MethodPost, upstreamtest.ReaderToken, path, `{"space": "acme-changelog"}`),
		http.StatusForbidden, "You do not have permission to install integrations on this space")
	assertEnvelope(t, call(t, srv, http.MethodPost, upstreamtest.DemoToken, "/integrations/okta/installations/inst-northwind-jira/spaces", `{"space": "acme-changelog"}`),
		http.StatusNotFound, "Installation not found")
	assertEnvelope(t, call(t, srv, http.MethodDelete, upstreamtest.DemoToken, path+"/acme-api-reference", ""),
		http.StatusNotFound, "The integration is not installed on this space")
	if a := call(t, srv, http.MethodDelete, upstreamtest.DemoToken, path+"/acme-changelog", ""); a.status != http.StatusNoContent || len(a.body) != 0 {
		t.Errorf("uninstall: %d %q, want 204 without a body", a.status, a.body)
	}
	assertEnvelope(t, get(t, srv, upstreamtest.DemoToken, "/nope"), http.StatusNotFound, "No route for GET /v1/nope")
	assertEnvelope(t, call(t, srv, http.MethodPut, upstreamtest.DemoToken, "/spaces/acme-handbook", "{}"), http.StatusNotFound, "No route for PUT /v1/spaces/acme-handbook")
	calls := srv.Calls()
	if last := calls[len(calls)-1]; last.Op != "" || last.Method != http.MethodPut {
		t.Errorf("unknown route recorded as %+v, want no operation", last)
	}
}

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

func TestCallsAreRecorded(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/spaces/acme-developer-portal/integrations?search=git&limit=3", nil)
	req.Header.Set("Authorization", "Bearer "+upstreamtest.DemoToken)
	req.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	calls := srv.Calls()
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	c := calls[0]
	want := upstreamtest.Call{Seq: 0, Op: "listSpaceIntegrations", Method: http.MethodGet, Path: "/v1/spaces/acme-developer-portal/integrations",
		Query: url.Values{"search": {"git"}, "limit": {"3"}}, Authorization: "Bearer " + upstreamtest.DemoToken,
		Traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", Status: http.StatusOK}
	if diff := cmp.Diff(want, c, cmp.FilterPath(func(p cmp.Path) bool {
		return p.Last().String() == ".Start" || p.Last().String() == ".End"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("call (-want +got):\n%s", diff)
	}
	if c.Start.IsZero() || c.End.Before(c.Start) {
		t.Errorf("call times %v .. %v", c.Start, c.End)
	}

	srv.ResetStats()
	if len(srv.Calls()) != 0 || srv.PeakInFlight() != 0 || srv.RoundTrips() != 0 {
		t.Errorf("after ResetStats: %d calls, peak %d, round trips %d", len(srv.Calls()), srv.PeakInFlight(), srv.RoundTrips())
	}
	get(t, srv, upstreamtest.DemoToken, "/orgs/acme")
	if c := srv.Calls(); len(c) != 1 || c[0].Seq != 0 {
		t.Errorf("after ResetStats the first call is %+v, want Seq 0", c)
	}

	// A dropped connection is recorded with status 0.
	srv.SetFault(upstreamtest.FailFirst("getSpaceById", 2, upstreamtest.Fault{Reset: true}))
	for range 2 {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/spaces/acme-handbook", nil)
		if resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req); err == nil {
			resp.Body.Close()
			t.Error("a reset call got an answer")
		}
	}
	get(t, srv, upstreamtest.DemoToken, "/spaces/acme-handbook")
	got := []int{}
	for _, c := range srv.Calls() {
		got = append(got, c.Status)
	}
	if diff := cmp.Diff([]int{200, 0, 0, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if got := srv.PathCounts(); !cmp.Equal(got, map[string]int{"GET /v1/orgs/acme": 1, "GET /v1/spaces/acme-handbook": 3}) {
		t.Errorf("path counts = %v", got)
	}
	if srv.CallCount("getSpaceById") != 3 || srv.CallCount("") != 4 || srv.CallCount("getOrganizationById") != 1 || srv.CallCount("listSpaceIntegrations") != 0 {
		t.Errorf("call counts: %d %d %d", srv.CallCount("getSpaceById"), srv.CallCount(""), srv.CallCount("getOrganizationById"))
	}
}

// barrier holds each of n calls until all n have arrived, so that they are
// certainly in flight together.
func barrier(n int, op string) upstreamtest.FaultFunc {
	var wg sync.WaitGroup
	wg.Add(n)
	return func(c upstreamtest.Call) *upstreamtest.Fault {
		if c.Op != op {
			return nil
		}
		wg.Done()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second): // a broken test fails rather than hangs
		}
		return nil
	}
}

func TestRoundTripsAndPeakInFlight(t *testing.T) {
	const latency = 20 * time.Millisecond
	srv := newServer(t, upstreamtest.Options{Latency: latency})
	tok := upstreamtest.DemoToken

	// Three calls one after another: three round trips, never two at once.
	for _, id := range []string{"acme-handbook", "acme-changelog", "acme-api-reference"} {
		get(t, srv, tok, "/spaces/"+id)
	}
	if got := srv.RoundTrips(); got != 3 {
		t.Errorf("sequential: RoundTrips = %d, want 3", got)
	}
	if got := srv.PeakInFlight(); got != 1 {
		t.Errorf("sequential: PeakInFlight = %d, want 1", got)
	}
	for _, c := range srv.Calls() {
		if c.End.Sub(c.Start) < latency {
			t.Errorf("call %d took %v, less than the latency %v", c.Seq, c.End.Sub(c.Start), latency)
		}
	}

	// One call, then three together, then one: three round trips, three at once.
	srv.ResetStats()
	srv.SetFault(barrier(3, "getOrganizationById"))
	get(t, srv, tok, "/spaces/acme-handbook")
	var wg sync.WaitGroup
	for _, org := range []string{"acme", "northwind", "open-source-collective"} {
		wg.Go(func() {
			if a := get(t, srv, tok, "/orgs/"+org); a.status != http.StatusOK {
				t.Errorf("/orgs/%s: %d", org, a.status)
			}
		})
	}
	wg.Wait()
	get(t, srv, tok, "/spaces/acme-changelog")
	if got := srv.RoundTrips(); got != 3 {
		t.Errorf("1+3+1: RoundTrips = %d, want 3", got)
	}
	if got := srv.PeakInFlight(); got != 3 {
		t.Errorf("1+3+1: PeakInFlight = %d, want 3", got)
	}
	if got := len(srv.Calls()); got != 5 {
		t.Errorf("%d calls, want 5", got)
	}

	// Two independent chains of two, side by side: still two round trips.
	srv.ResetStats()
	srv.SetFault(barrier(2, "getOrganizationById"))
	for _, org := range []string{"acme", "northwind"} {
		wg.Go(func() {
			get(t, srv, tok, "/orgs/"+org)
			get(t, srv, tok, "/spaces/acme-handbook")
		})
	}
	wg.Wait()
	if got := srv.RoundTrips(); got != 2 {
		t.Errorf("2×2: RoundTrips = %d, want 2", got)
	}
	if got := srv.PeakInFlight(); got < 2 {
		t.Errorf("2×2: PeakInFlight = %d, want at least 2", got)
	}
}

func TestCloseReleasesHungCalls(t *testing.T) {
	srv := upstreamtest.NewServer(upstreamtest.Options{})
	t.Cleanup(srv.Close)
	arrived := make(chan struct{})
	srv.SetFault(func(upstreamtest.Call) *upstreamtest.Fault {
		close(arrived)
		return &upstreamtest.Fault{Hang: true}
	})
	errc := make(chan error, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/spaces/acme-handbook")
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-arrived
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close is held by a hung call")
	}
	if err := <-errc; err == nil {
		t.Error("the hung call got an answer")
	}
}

func TestFaultHelpers(t *testing.T) {
	f := upstreamtest.Fault{Status: http.StatusServiceUnavailable}
	first := upstreamtest.FailFirst("getSpaceById", 2, f)
	got := []bool{}
	for _, op := range []string{"getOrganizationById", "getSpaceById", "getOrganizationById", "getSpaceById", "getSpaceById"} {
		got = append(got, first(upstreamtest.Call{Op: op}) != nil)
	}
	if diff := cmp.Diff([]bool{false, true, false, true, false}, got); diff != "" {
		t.Errorf("FailFirst counts only its operation (-want +got):\n%s", diff)
	}
	anyOp := upstreamtest.FailFirst("", 1, f)
	if anyOp(upstreamtest.Call{Op: "x"}) == nil || anyOp(upstreamtest.Call{Op: "y"}) != nil {
		t.Error("FailFirst(\"\", 1) fails the first call of any operation only")
	}
	always := upstreamtest.FailAlways("getSpaceById", f)
	if always(upstreamtest.Call{Op: "getSpaceById"}) == nil || always(upstreamtest.Call{Op: "getOrganizationById"}) != nil {
		t.Error("FailAlways fails its operation only")
	}

	draws := func(seed uint64) []int {
		ff := upstreamtest.FailRandomly(seed,
			upstreamtest.WeightedFault{P: 0.2, Fault: upstreamtest.Fault{Status: 503}},
			upstreamtest.WeightedFault{P: 0.1, Fault: upstreamtest.Fault{Status: 429}})
		out := make([]int, 1000)
		for i := range out {
			if f := ff(upstreamtest.Call{}); f != nil {
				out[i] = f.Status
			}
		}
		return out
	}
	a, b := draws(42), draws(42)
	if !slices.Equal(a, b) {
		t.Error("FailRandomly with the same seed differs between runs")
	}
	if slices.Equal(a, draws(43)) {
		t.Error("FailRandomly ignores its seed")
	}
	counts := map[int]int{}
	for _, s := range a {
		counts[s]++
	}
	if counts[503] < 150 || counts[503] > 250 || counts[429] < 60 || counts[429] > 140 {
		t.Errorf("FailRandomly shares = %v, want about 200 503s and 100 429s in 1000", counts)
	}

	before := time.Now()
	rl := upstreamtest.RateLimited(1500 * time.Millisecond)
	reset, err := strconv.ParseInt(rl.Header.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil || rl.Status != http.StatusTooManyRequests || rl.Header.Get("Retry-After") != "2" ||
		rl.Header.Get("X-RateLimit-Limit") != "60" || rl.Header.Get("X-RateLimit-Remaining") != "0" ||
		reset < before.Add(1500*time.Millisecond).Unix() || reset > time.Now().Add(1500*time.Millisecond).Unix() {
		t.Errorf("RateLimited(1.5s) = %+v", rl)
	}
}

func TestFaultsOverHTTP(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	srv.SetFault(upstreamtest.FailFirst("", 1, upstreamtest.RateLimited(time.Second)))
	a := get(t, srv, upstreamtest.DemoToken, "/spaces/acme-handbook")
	assertEnvelope(t, a, http.StatusTooManyRequests, "Too Many Requests")
	if a.header.Get("Retry-After") != "1" || a.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("429 headers = %v", a.header)
	}

	srv.SetFault(upstreamtest.FailFirst("", 1, upstreamtest.Fault{Status: 502, Body: "<html>bad gateway</html>", Header: http.Header{"X-Edge": {"1"}}}))
	a = get(t, srv, upstreamtest.DemoToken, "/spaces/acme-handbook")
	if a.status != 502 || string(a.body) != "<html>bad gateway</html>" || a.header.Get("X-Edge") != "1" {
		t.Errorf("verbatim body fault: %d %q %v", a.status, a.body, a.header)
	}

	// A fault with a delay alone answers normally, later.
	srv.ResetStats()
	srv.SetFault(upstreamtest.FailFirst("", 1, upstreamtest.Fault{Delay: 30 * time.Millisecond}))
	if a := get(t, srv, upstreamtest.DemoToken, "/spaces/acme-handbook"); a.status != http.StatusOK {
		t.Errorf("delayed call: %d", a.status)
	}
	if c := srv.Calls()[0]; c.End.Sub(c.Start) < 30*time.Millisecond {
		t.Errorf("delayed call took %v", c.End.Sub(c.Start))
	}

	// A lost answer is applied although the caller hears nothing.
	srv.SetFault(upstreamtest.FailFirst("", 1, upstreamtest.Fault{LoseAnswer: true}))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/integrations/okta/installations/inst-acme-okta/spaces", strings.NewReader(`{"space": "acme-changelog"}`))
	req.Header.Set("Authorization", "Bearer "+upstreamtest.DemoToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a lost answer arrived")
	}
	if !strings.Contains(string(get(t, srv, upstreamtest.DemoToken, "/spaces/acme-changelog/integrations").body), `"name":"okta"`) {
		t.Error("the install whose answer was lost did not take effect")
	}
}

// The demo data speaks both versions of the spec: older records lack the
// properties 0.202.0 added, and the Git sync integrations are in the
// gitsync category, which only the older version lists.
func TestDemoDataServesBothVersions(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	github := call(t, srv, http.MethodGet, upstreamtest.DemoToken, "/integrations/github", "").object(t)
	if got := github["categories"]; !slices.Equal(got.([]any), []any{"gitsync"}) {
		t.Errorf("github categories = %v, want [gitsync]", got)
	}
	if _, ok := github["urls"].(map[string]any)["publicContentEndpoint"]; ok {
		t.Error("github, an older record, has urls.publicContentEndpoint")
	}
	slack := call(t, srv, http.MethodGet, upstreamtest.DemoToken, "/integrations/slack", "").object(t)
	if _, ok := slack["urls"].(map[string]any)["publicContentEndpoint"]; !ok {
		t.Error("slack, a 0.202.0 record, lacks urls.publicContentEndpoint")
	}
	northwind := call(t, srv, http.MethodGet, upstreamtest.DemoToken, "/orgs/northwind", "").object(t)
	billing, _ := northwind["billing"].(map[string]any)
	if billing == nil {
		t.Fatalf("northwind has no billing: %v", northwind)
	}
	for _, p := range []string{"canChangeInterval", "canUseSAML", "creditsBundle", "aiCreditAlertThreshold"} {
		if _, ok := billing[p]; ok {
			t.Errorf("northwind, an older record, has billing.%s", p)
		}
	}
	if _, ok := northwind["auditLogs"]; ok {
		t.Error("northwind, an older record, has auditLogs")
	}
}

func TestDriftAddsValuesAndPropertiesNoVersionLists(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{Fault: upstreamtest.FailAlways("", upstreamtest.Drift())})
	a := call(t, srv, http.MethodGet, upstreamtest.DemoToken, "/spaces/acme-developer-portal/integrations?limit=2", "")
	if a.status != http.StatusOK || a.header.Get("Content-Length") != strconv.Itoa(len(a.body)) {
		t.Fatalf("status %d, Content-Length %q for %d bytes", a.status, a.header.Get("Content-Length"), len(a.body))
	}
	list := a.object(t)
	if list[upstreamtest.DriftProperty] == nil {
		t.Error("the list has no new property")
	}
	for _, item := range list["items"].([]any) {
		in := item.(map[string]any)
		scopes, categories := in["scopes"].([]any), in["categories"].([]any)
		if scopes[len(scopes)-1] != upstreamtest.DriftValues["scopes"] || categories[len(categories)-1] != upstreamtest.DriftValues["categories"] || len(categories) < 2 {
			t.Errorf("%s: scopes %v, categories %v: want a new value after the known ones", in["name"], scopes, categories)
		}
		if in["visibility"] != upstreamtest.DriftValues["visibility"] || in["target"] != upstreamtest.DriftValues["target"] {
			t.Errorf("%s: visibility %v, target %v", in["name"], in["visibility"], in["target"])
		}
		owner := in["owner"].(map[string]any)
		if owner["plan"] != upstreamtest.DriftValues["plan"] || owner[upstreamtest.DriftProperty] == nil || in[upstreamtest.DriftProperty] == nil {
			t.Errorf("%s: owner %v", in["name"], owner)
		}
	}
	// Errors pass through as they are.
	if a := call(t, srv, http.MethodGet, upstreamtest.DemoToken, "/spaces/nope", ""); a.status != http.StatusNotFound {
		t.Errorf("missing space: %d", a.status)
	}
}
