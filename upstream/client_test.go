package upstream_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

func TestNewRefusesBaseURLsThatAreNotHTTP(t *testing.T) {
	for _, base := range []string{"", "api.gitbook.com/v1", "ftp://api.gitbook.com/v1", "http://", "https:///v1", "://x", "http://%zz"} {
		if c, err := upstream.New(base, upstream.Options{}); err == nil {
			t.Errorf("New(%q) = %v, nil; want an error", base, c)
		}
	}
}

func TestNewNormalisesTheBaseURL(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
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
	srv := newServer(t, gitbooksim.Options{})
	base, err := upstream.New(srv.URL, upstream.Options{Retry: &fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	for _, auth := range []string{
		demoAuth,
		"Bearer  " + gitbooksim.DemoToken, // two spaces: not a token the simulator knows
		"Basic dXNlcjpwYXNz",
		"bearer " + gitbooksim.DemoToken,
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
	srv := newServer(t, gitbooksim.Options{})
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
	srv := newServer(t, gitbooksim.Options{})
	admin := newClient(t, srv, nil)
	reader := admin.WithAuthorization("Bearer " + gitbooksim.ReaderToken)
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
	want := []string{demoAuth, "Bearer " + gitbooksim.ReaderToken}
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
	srv := newServer(t, gitbooksim.Options{})
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

func TestConcurrentCallsShareTheClient(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	// A third of the calls fail with a 503 first; retries must hide that, and
	// every logical call must succeed exactly once upstream.
	srv.SetFault(gitbooksim.FailRandomly(7, gitbooksim.WeightedFault{P: 0.3, Fault: gitbooksim.Fault{Status: http.StatusServiceUnavailable}}))
	policy := fastRetry
	policy.MaxRetries = 20
	// Each call its own: this counts calls, which coalescing would merge.
	base, err := upstream.New(srv.URL, upstream.Options{Retry: &policy, Sharing: upstream.Sharing{NoCoalescing: true}})
	if err != nil {
		t.Fatal(err)
	}
	c := base.WithAuthorization(demoAuth)
	reader := c.WithAuthorization("Bearer " + gitbooksim.ReaderToken)
	spaces := gitbooksim.DemoData().Spaces[:5] // acme's: both tokens see them

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
