package upstream

// The budget reads the breaker's window, which cannot be filled from
// outside without a real outage; it is tested here, on the window itself.
// Everything else is tested through the public surface.

import (
	"testing"
	"time"
)

func TestRetryBudgetFollowsTheWindow(t *testing.T) {
	g := &guard{
		health:     newHealthByCredential(BreakerPolicy{Disabled: true, Window: time.Minute, MinAttempts: 30, OpenFor: time.Second}, 2, 1),
		breakerOff: true,
		budget:     DefaultRetryBudget(),
	}
	c := CredentialOf("Bearer a")
	h := g.health.of(c)
	attempt := func(failed bool) {
		done, err := h.breaker.Allow()
		if err != nil {
			t.Fatal(err)
		}
		if failed {
			done(errServerFailure)
		} else {
			done(nil)
		}
	}
	for range 15 {
		attempt(true)
	}
	if !g.retryAllowed(h) {
		t.Error("15 failures in a row do not yet show 80% failing with 95% confidence: retries should flow")
	}
	attempt(true)
	if g.retryAllowed(h) {
		t.Error("16 failures in a row show it: retries should stop")
	}
	for i := range 200 {
		attempt(i%2 == 0)
	}
	if !g.retryAllowed(h) {
		t.Errorf("at about half failures retries should flow: %+v", g.credentialStats(c))
	}
	for range 900 {
		attempt(true)
	}
	if g.retryAllowed(h) {
		t.Errorf("at over 80%% failures retries should stop: %+v", g.credentialStats(c))
	}
	if s := g.credentialStats(c); s.RetriesGranted != 2 || s.RetriesDenied != 2 || s.BreakerState != "disabled" {
		t.Errorf("stats: %+v", s)
	}
	// Another credential's window is its own: its retries flow.
	if !g.retryAllowed(g.health.of(CredentialOf("Bearer b"))) {
		t.Error("another credential's retry was refused")
	}
	if s := g.stats(); s.Credentials != 2 || s.RetriesGranted != 3 || s.RetriesDenied != 2 {
		t.Errorf("process stats: %+v", s)
	}
}

func TestWilsonLowerBound(t *testing.T) {
	for _, tc := range []struct {
		failures, n uint32
		atLeast     float64
		below       float64
	}{
		{0, 0, 0, 0.01},
		{16, 16, 0.8, 1},
		{15, 15, 0.79, 0.8},
		{50, 100, 0.40, 0.41},
		{90, 100, 0.82, 0.84},
	} {
		if lb := wilsonLowerBound(tc.failures, tc.n); lb < tc.atLeast || lb >= tc.below {
			t.Errorf("wilsonLowerBound(%d, %d) = %.4f, want in [%v, %v)", tc.failures, tc.n, lb, tc.atLeast, tc.below)
		}
	}
}
