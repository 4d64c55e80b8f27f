package upstream_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// fastRetry retries like the default policy but without making the tests
// wait; its CheckRetry is the default one, whose DefaultMaxServerWait is long
// enough that Retry-After is honoured where a test sends one.
var fastRetry = upstream.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond}

const demoAuth = "Bearer " + gitbooksim.DemoToken

// newServer starts a simulated GitBook with the demo data.
func newServer(t *testing.T, opts gitbooksim.Options) *gitbooksim.Server {
	t.Helper()
	srv := gitbooksim.NewServer(opts)
	t.Cleanup(srv.Close)
	return srv
}

// newClient is a client of srv with the given policy (fastRetry when nil)
// that authenticates as the demo administrator.
func newClient(t *testing.T, srv *gitbooksim.Server, policy *upstream.RetryPolicy) *upstream.Client {
	t.Helper()
	if policy == nil {
		p := fastRetry
		policy = &p
	}
	c, err := upstream.New(srv.URL, upstream.Options{Retry: policy})
	if err != nil {
		t.Fatalf("New(%q): %v", srv.URL, err)
	}
	return c.WithAuthorization(demoAuth)
}

// setup is the common case: a demo server and an admin client of it.
func setup(t *testing.T) (*gitbooksim.Server, *upstream.Client) {
	t.Helper()
	srv := newServer(t, gitbooksim.Options{})
	return srv, newClient(t, srv, nil)
}

// asError checks that err is an *upstream.Error, and that its text is safe
// to show: no URL or address of the upstream, no credential.
func asError(t *testing.T, srv *gitbooksim.Server, err error) *upstream.Error {
	t.Helper()
	if err == nil {
		t.Fatal("got no error, want one")
	}
	var e *upstream.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *upstream.Error", err, err)
	}
	assertSafeText(t, srv, err.Error())
	return e
}

func assertSafeText(t *testing.T, srv *gitbooksim.Server, text string) {
	t.Helper()
	forbidden := []string{gitbooksim.DemoToken, gitbooksim.ReaderToken, "Bearer", "http://", "/v1/"}
	if srv != nil {
		hostPort := strings.TrimSuffix(strings.TrimPrefix(srv.URL, "http://"), "/v1")
		forbidden = append(forbidden, srv.URL, hostPort)
	}
	for _, s := range forbidden {
		if strings.Contains(text, s) {
			t.Errorf("error text %q contains %q", text, s)
		}
	}
}

// statuses lists the status of each call the simulator recorded.
func statuses(srv *gitbooksim.Server) []int {
	var out []int
	for _, c := range srv.Calls() {
		out = append(out, c.Status)
	}
	return out
}

// installedOn lists the names ListSpaceIntegrations returns for a space, in
// one page.
func installedOn(t *testing.T, c *upstream.Client, spaceID string) []string {
	t.Helper()
	list, err := c.ListSpaceIntegrations(t.Context(), spaceID, upstream.ListSpaceIntegrationsOptions{ListOptions: upstream.ListOptions{Limit: upstream.MaxListLimit}})
	if err != nil {
		t.Fatalf("ListSpaceIntegrations(%q): %v", spaceID, err)
	}
	if list.Next != nil {
		t.Fatalf("ListSpaceIntegrations(%q) has a next page at limit %d", spaceID, upstream.MaxListLimit)
	}
	var names []string
	for _, in := range list.Items {
		names = append(names, in.Name)
	}
	return names
}

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	return ctx, cancel
}
