package upstream_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// callsWith counts the calls the simulator received with token.
func callsWith(srv *gitbooksim.Server, token string) int {
	n := 0
	for _, c := range srv.Calls() {
		if c.Authorization == "Bearer "+token {
			n++
		}
	}
	return n
}

// One token's failures open its own breaker and spend its own retry budget:
// another token's reads are made and answered throughout.
func TestFailuresStayWithTheirCredential(t *testing.T) {
	for name, fault := range map[string]gitbooksim.Fault{
		"503":   {Status: http.StatusServiceUnavailable},
		"reset": {Reset: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, gitbooksim.Options{Fault: gitbooksim.ForToken(gitbooksim.DemoToken, gitbooksim.FailAlways("", fault))})
			c, err := upstream.New(srv.URL, upstream.Options{Retry: &fastRetry})
			if err != nil {
				t.Fatal(err)
			}
			failing, healthy := c.WithAuthorization(demoAuth), c.WithAuthorization("Bearer "+gitbooksim.ReaderToken)
			healthyReads := 0
			readHealthy := func() {
				t.Helper()
				healthyReads++
				if _, err := healthy.GetSpace(t.Context(), "acme-handbook"); err != nil {
					t.Fatalf("healthy read %d: %v", healthyReads, err)
				}
				if n := callsWith(srv, gitbooksim.ReaderToken); n != healthyReads {
					t.Fatalf("%d healthy reads made %d calls, want one each", healthyReads, n)
				}
			}

			for i := range 40 {
				_, err := failing.GetSpace(t.Context(), "acme-handbook")
				if !errors.Is(err, upstream.ErrUnavailable) {
					t.Fatalf("failing read %d: %v, want unavailable", i, err)
				}
				readHealthy()
			}
			s := failing.CredentialStats()
			if s.BreakerState != "open" || s.RetriesDenied == 0 {
				t.Errorf("failing credential: %+v, want its breaker open and retries denied", s)
			}
			if s := healthy.CredentialStats(); s.BreakerState != "closed" || s.RetriesDenied != 0 || s.WindowFailures != 0 {
				t.Errorf("healthy credential: %+v, want its breaker closed, its window without failures", s)
			}
			t.Logf("failing: %d calls for 40 reads, %+v; healthy: %d calls for %d reads, %+v; process %+v",
				callsWith(srv, gitbooksim.DemoToken), s, callsWith(srv, gitbooksim.ReaderToken), healthyReads, healthy.CredentialStats(), c.Stats())

			// Open: the failing token's reads fail fast, without a call; the
			// other's are still made.
			before := callsWith(srv, gitbooksim.DemoToken)
			_, err = failing.GetSpace(t.Context(), "acme-handbook")
			var open *upstream.CircuitOpenError
			if !errors.Is(err, upstream.ErrUnavailable) || !errors.As(err, &open) {
				t.Errorf("read with the breaker open: %v, want it refused by the breaker", err)
			}
			if n := callsWith(srv, gitbooksim.DemoToken); n != before {
				t.Errorf("the open breaker let %d calls through", n-before)
			}
			for range 10 {
				readHealthy()
			}
			if st := c.Stats(); st.BreakersOpen != 1 || st.Credentials != 2 {
				t.Errorf("process stats %+v, want 1 open breaker of 2 credentials", st)
			}
		})
	}
}

// A credential forgotten to make room for others starts afresh: its
// breaker closed, its next read made.
func TestForgottenCredentialFailsOpen(t *testing.T) {
	t.Parallel()
	srv := newServer(t, gitbooksim.Options{Fault: gitbooksim.ForToken(gitbooksim.DemoToken, gitbooksim.FailAlways("", gitbooksim.Fault{Status: http.StatusServiceUnavailable}))})
	c, err := upstream.New(srv.URL, upstream.Options{Retry: &fastRetry, TrackedCredentials: 1})
	if err != nil {
		t.Fatal(err)
	}
	failing, other := c.WithAuthorization(demoAuth), c.WithAuthorization("Bearer "+gitbooksim.ReaderToken)
	for failing.CredentialStats().BreakerState != "open" {
		if _, err := failing.GetSpace(t.Context(), "acme-handbook"); !errors.Is(err, upstream.ErrUnavailable) {
			t.Fatalf("failing read: %v", err)
		}
	}
	if _, err := other.GetSpace(t.Context(), "acme-handbook"); err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.Credentials != 1 || s.BreakersOpen != 0 {
		t.Errorf("stats %+v, want one credential kept, no breaker open", s)
	}
	before := callsWith(srv, gitbooksim.DemoToken)
	if _, err := failing.GetSpace(t.Context(), "acme-handbook"); !errors.Is(err, upstream.ErrUnavailable) {
		t.Fatalf("failing read: %v", err)
	}
	if callsWith(srv, gitbooksim.DemoToken) == before {
		t.Error("the forgotten credential's read was refused without a call, want it made")
	}
}

// Calls that hang for one credential hold no more than its share of the
// process's upstream slots: another credential's read is sent at once, not
// after the hung calls time out.
func TestHungCallsHoldOnlyTheirCredentialsShare(t *testing.T) {
	noLeaks(t)
	srv := newServer(t, gitbooksim.Options{Fault: gitbooksim.ForToken(gitbooksim.DemoToken, gitbooksim.FailAlways("", gitbooksim.Fault{Hang: true}))})
	// Not coalesced: ten reads of one URL would be one call.
	c, err := upstream.New(srv.URL, upstream.Options{Retry: &fastRetry, MaxInFlight: 4, MaxInFlightPerCredential: 2,
		Sharing: upstream.Sharing{NoCoalescing: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	hung, healthy := c.WithAuthorization(demoAuth), c.WithAuthorization("Bearer "+gitbooksim.ReaderToken)
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for range 10 { // more than every slot of the process
		wg.Go(func() { _, _ = hung.GetSpace(ctx, "acme-handbook") })
	}
	waitUntil(t, func() bool { return callsWith(srv, gitbooksim.DemoToken) == 2 })
	if _, err := healthy.GetSpace(t.Context(), "acme-handbook"); err != nil {
		t.Errorf("the other credential's read: %v", err)
	}
	if n := callsWith(srv, gitbooksim.DemoToken); n != 2 {
		t.Errorf("%d hung calls in flight, past the credential's share of 2", n)
	}
	cancel()
	wg.Wait()
	srv.Close()
}

// waitUntil polls cond for up to five seconds: for what goroutines of the
// test's own bring about.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("waited 5s")
		}
	}
}
