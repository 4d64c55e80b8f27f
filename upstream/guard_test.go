package upstream_test

import (
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

func TestAttemptTimeout(t *testing.T) {
	t.Parallel()
	srv := newServer(t, gitbooksim.Options{})
	policy := fastRetry
	policy.MaxRetries = 1
	c, err := upstream.New(srv.URL, upstream.Options{Retry: &policy, AttemptTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c = c.WithAuthorization(demoAuth)

	// A read whose first attempt hangs is made again.
	srv.SetFault(gitbooksim.FailFirst("getSpaceById", 1, gitbooksim.Fault{Hang: true}))
	if _, err := c.GetSpace(t.Context(), "acme-handbook"); err != nil {
		t.Fatalf("GetSpace after one hung attempt: %v", err)
	}
	if n := srv.CallCount("getSpaceById"); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}

	// Every attempt hangs: a timeout, after MaxRetries+1 attempts.
	srv.ResetStats()
	srv.SetFault(gitbooksim.FailAlways("", gitbooksim.Fault{Hang: true}))
	_, err = c.GetSpace(t.Context(), "acme-handbook")
	if e := asError(t, srv, err); e.Kind != upstream.ErrTimeout || e.OutcomeUnknown {
		t.Errorf("read error = %+v, want a timeout", e)
	}
	if n := srv.CallCount("getSpaceById"); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}

	// A write is not made again.
	srv.ResetStats()
	_, err = c.InstallIntegrationOnSpace(t.Context(), "okta", "inst-acme-okta", "acme-developer-portal")
	if e := asError(t, srv, err); e.Kind != upstream.ErrTimeout || !e.OutcomeUnknown {
		t.Errorf("write error = %+v, want a timeout of unknown outcome", e)
	}
	if n := srv.CallCount(""); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}
