package upstream_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// These tests are not parallel: goleak checks that no goroutine is left
// once their callers are done.

// heldClient is a client of srv, as the demo administrator, whose reads
// are each a call of their own (no coalescing), so that n callers make n
// calls; holds is its HoldStore (its own when nil).
func heldClient(t *testing.T, srv *gitbooksim.Server, holds upstream.HoldStore) *upstream.Client {
	t.Helper()
	c, err := upstream.New(srv.URL, upstream.Options{Retry: &fastRetry, Holds: holds, Sharing: upstream.Sharing{NoCoalescing: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c.WithAuthorization(demoAuth)
}

// noLeaks checks, once the test and its cleanups are done, that it left no
// goroutine behind.
func noLeaks(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// primeHold makes one read that GitBook answers with a 429, under a
// deadline too short to wait it out: the credential is then held.
func primeHold(t *testing.T, c *upstream.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err := c.GetSpace(ctx, "acme-handbook")
	var e *upstream.Error
	if !errors.As(err, &e) || e.Kind != upstream.ErrRateLimited {
		t.Fatalf("priming read: %v, want a rate limit", err)
	}
}

// readAll has n callers read a space at once and returns their errors.
func readAll(n int, read func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = read(i) })
	}
	wg.Wait()
	return errs
}

// byArrival is the calls the simulator received, in the order they arrived.
func byArrival(srv *gitbooksim.Server) []gitbooksim.Call {
	calls := srv.Calls()
	sort.Slice(calls, func(i, j int) bool { return calls[i].Start.Before(calls[j].Start) })
	return calls
}

// Callers of a held credential send nothing before the hold ends; then
// one probes, and the others follow its answer: a 429 holds them again,
// a success lets them go.
func TestHeldCallersFollowOneProbe(t *testing.T) {
	for _, n := range []int{10, 100} {
		t.Run(fmt.Sprint(n, " callers"), func(t *testing.T) {
			noLeaks(t)
			srv := newServer(t, gitbooksim.Options{})
			// The priming read and the first probe are answered 429 (1s).
			srv.SetFault(gitbooksim.RateLimitToken(gitbooksim.DemoToken, 2, time.Second))
			c := heldClient(t, srv, nil)
			primeHold(t, c)

			errs := readAll(n, func(int) error { _, err := c.GetSpace(t.Context(), "acme-handbook"); return err })
			for i, err := range errs {
				if err != nil {
					t.Errorf("caller %d: %v", i, err)
				}
			}
			if early := srv.EarlyCalls(gitbooksim.DemoToken); early != 0 {
				t.Errorf("%d calls reached GitBook before the time its 429 named", early)
			}
			calls := byArrival(srv)
			t.Logf("%d callers: %d calls, %d early", n, len(calls), srv.EarlyCalls(gitbooksim.DemoToken))
			if len(calls) != n+2 {
				t.Fatalf("%d calls, want %d: the priming read, one probe per hold, then one per caller", len(calls), n+2)
			}
			if calls[0].Status != http.StatusTooManyRequests || calls[1].Status != http.StatusTooManyRequests || calls[2].Status != http.StatusOK {
				t.Errorf("first statuses %d, %d, %d; want 429 (priming), 429 (first probe), 200 (second probe)", calls[0].Status, calls[1].Status, calls[2].Status)
			}
			// The answers are small, so the simulator has recorded a call's
			// end before its answer leaves: the followers came after it.
			probe := calls[2]
			for _, f := range calls[3:] {
				if f.Start.Before(probe.End) {
					t.Errorf("a call arrived while the probe was being answered")
					break
				}
			}
		})
	}
}

// Every call limited, as in the repro of issue 21: callers whose deadline
// lets them wait for a few holds send one probe per hold, none early, and
// give up with a rate limit once the next hold outlasts their deadline.
func TestHeldCallersUnderAStandingLimit(t *testing.T) {
	for _, n := range []int{10, 100} {
		t.Run(fmt.Sprint(n, " callers"), func(t *testing.T) {
			noLeaks(t)
			srv := newServer(t, gitbooksim.Options{})
			srv.SetFault(gitbooksim.RateLimitToken(gitbooksim.DemoToken, -1, time.Second))
			c := heldClient(t, srv, nil)
			primeHold(t, c)

			errs := readAll(n, func(int) error {
				ctx, cancel := context.WithTimeout(t.Context(), 3500*time.Millisecond)
				defer cancel()
				_, err := c.GetSpace(ctx, "acme-handbook")
				if ctx.Err() != nil {
					return fmt.Errorf("returned past its deadline: %w", err)
				}
				return err
			})
			for i, err := range errs {
				var e *upstream.Error
				if !errors.As(err, &e) || e.Kind != upstream.ErrRateLimited {
					t.Errorf("caller %d: %v, want a rate limit before its deadline", i, err)
				}
			}
			calls := srv.CallCount("")
			t.Logf("%d callers: %d calls, %d early", n, calls, srv.EarlyCalls(gitbooksim.DemoToken))
			if early := srv.EarlyCalls(gitbooksim.DemoToken); early != 0 {
				t.Errorf("%d of %d calls reached GitBook before the time its 429 named", early, calls)
			}
		})
	}
}

// A hold extended while its callers wait (here by another replica, through
// the HoldStore they share) is waited out too: they look again when they
// wake.
func TestHoldExtendedWhileWaiting(t *testing.T) {
	noLeaks(t)
	srv := newServer(t, gitbooksim.Options{})
	srv.SetFault(gitbooksim.RateLimitToken(gitbooksim.DemoToken, 1, time.Second))
	holds := upstream.NewLocalHolds()
	c := heldClient(t, srv, holds)
	primeHold(t, c)

	const n = 10
	done := make(chan []error)
	go func() {
		done <- readAll(n, func(int) error { _, err := c.GetSpace(t.Context(), "acme-handbook"); return err })
	}()
	time.Sleep(300 * time.Millisecond) // the callers are waiting for the first hold
	// Another replica's call was answered with a later hold: GitBook now
	// limits the token until then, and the shared store says so.
	later := time.Now().Add(1500 * time.Millisecond)
	srv.LimitToken(gitbooksim.DemoToken, later)
	holds.Hold(t.Context(), upstream.CredentialOf(demoAuth), later)

	for i, err := range <-done {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if early := srv.EarlyCalls(gitbooksim.DemoToken); early != 0 {
		t.Errorf("%d calls reached GitBook before the extended hold ended", early)
	}
	if calls := srv.CallCount(""); calls != n+1 {
		t.Errorf("%d calls, want %d: the priming read, then one per caller", calls, n+1)
	}
}

// A probe whose caller gives up hands the probe on: another caller probes,
// and the rest follow it.
func TestProbeOfACallerThatGivesUpIsHandedOn(t *testing.T) {
	noLeaks(t)
	srv := newServer(t, gitbooksim.Options{})
	limit := gitbooksim.RateLimitToken(gitbooksim.DemoToken, 1, time.Second)
	probed := make(chan string, 1)
	var mu sync.Mutex
	calls := 0
	srv.SetFault(func(call gitbooksim.Call) *gitbooksim.Fault {
		if f := limit(call); f != nil {
			return f
		}
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if !first {
			return nil
		}
		probed <- call.Path // the first probe hangs until its caller gives up
		return &gitbooksim.Fault{Hang: true}
	})
	c := heldClient(t, srv, nil)
	primeHold(t, c)

	const n = 5
	cancels := map[string]context.CancelFunc{}
	ctxs := make([]context.Context, n)
	for i := range n {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		ctxs[i] = ctx
		cancels[fmt.Sprintf("/v1/spaces/missing-%d", i)] = cancel
	}
	done := make(chan []error)
	go func() {
		done <- readAll(n, func(i int) error { _, err := c.GetSpace(ctxs[i], fmt.Sprint("missing-", i)); return err })
	}()
	gaveUp := <-probed
	cancels[gaveUp]()

	cancelled := 0
	for i, err := range <-done {
		var e *upstream.Error
		switch {
		case errors.Is(err, context.Canceled):
			cancelled++
		case !errors.As(err, &e) || e.StatusCode != http.StatusNotFound:
			t.Errorf("caller %d: %v, want not found", i, err)
		}
	}
	if cancelled != 1 {
		t.Errorf("%d callers cancelled, want the probe's alone", cancelled)
	}
	if got := srv.CallCount(""); got != n+1 {
		t.Errorf("%d calls, want %d: the priming read, the probe given up, then one per other caller", got, n+1)
	}
	if early := srv.EarlyCalls(gitbooksim.DemoToken); early != 0 {
		t.Errorf("%d calls reached GitBook before the time its 429 named", early)
	}
}
