package upstream

// The backoff and the reading of the upstream's wait have logic of their
// own, and their randomness cannot be seen from outside; they are tested
// here. Everything else is tested through the public surface.

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestBackoffStaysUnderItsCeiling(t *testing.T) {
	p := testRetrier(RetryPolicy{MinWait: 10 * time.Millisecond, MaxWait: 80 * time.Millisecond})
	for attempt, ceiling := range []time.Duration{10, 20, 40, 80, 80, 80} {
		ceiling *= time.Millisecond
		var longest time.Duration
		for range 200 {
			d := p.backoff(p.MinWait, p.MaxWait, attempt, nil)
			if d < 0 || d > ceiling {
				t.Fatalf("attempt %d: backoff %v, want within [0, %v]", attempt, d, ceiling)
			}
			longest = max(longest, d)
		}
		// Full jitter: 200 draws all in the lower half would be a broken draw.
		if longest < ceiling/2 {
			t.Errorf("attempt %d: the longest of 200 backoffs is %v, want some above %v", attempt, longest, ceiling/2)
		}
	}
	// Huge attempts must not overflow the shift.
	for _, attempt := range []int{29, 30, 63, 64, 1000} {
		if d := p.backoff(p.MinWait, p.MaxWait, attempt, nil); d < 0 || d > p.MaxWait {
			t.Errorf("attempt %d: backoff %v", attempt, d)
		}
	}
	if d := testRetrier(RetryPolicy{}).backoff(0, 0, 3, nil); d != 0 {
		t.Errorf("zero policy backoff = %v, want 0", d)
	}
}

func TestBackoffUsesTheServersWait(t *testing.T) {
	p := testRetrier(RetryPolicy{MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond})
	resp := &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{"Retry-After": {"3"}}}
	if d := p.backoff(p.MinWait, p.MaxWait, 0, resp); d != 3*time.Second {
		t.Errorf("backoff with Retry-After: 3 = %v, want 3s (not capped by MaxWait)", d)
	}
}

func TestServerWait(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	resp := func(status int, kv ...string) *http.Response {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	reset := strconv.FormatInt(now.Add(7*time.Second).Unix(), 10)
	for _, tc := range []struct {
		name string
		resp *http.Response
		want time.Duration
		ok   bool
	}{
		{"seconds", resp(429, "Retry-After", "2"), 2 * time.Second, true},
		{"zero", resp(429, "Retry-After", "0"), 0, true},
		{"on a 503", resp(503, "Retry-After", "4"), 4 * time.Second, true},
		{"http date", resp(503, "Retry-After", now.Add(90*time.Second).Format(http.TimeFormat)), 90 * time.Second, true},
		{"date in the past", resp(429, "Retry-After", now.Add(-time.Hour).Format(http.TimeFormat)), 0, true},
		{"negative", resp(429, "Retry-After", "-5"), 0, false},
		{"garbage", resp(429, "Retry-After", "soon"), 0, false},
		{"huge", resp(429, "Retry-After", "99999999999999"), (1 << 20) * time.Second, true},
		{"reset on a 429", resp(429, "X-RateLimit-Reset", reset), 7 * time.Second, true},
		{"Retry-After wins over reset", resp(429, "Retry-After", "1", "X-RateLimit-Reset", reset), time.Second, true},
		{"reset in the past", resp(429, "X-RateLimit-Reset", strconv.FormatInt(now.Add(-time.Minute).Unix(), 10)), 0, true},
		{"reset on a 503 is not a wait", resp(503, "X-RateLimit-Reset", reset), 0, false},
		{"nothing", resp(503), 0, false},
	} {
		got, ok := serverWait(tc.resp, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: serverWait = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCheckRetryForWritesAndServerWaits(t *testing.T) {
	p := testRetrier(RetryPolicy{MaxWait: time.Millisecond, MaxServerWait: 5 * time.Second})
	resp := func(status int, retryAfter string) *http.Response {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	for _, tc := range []struct {
		name string
		ctx  bool // true: read
		resp *http.Response
		want bool
	}{
		{"read 503", true, resp(503, ""), true},
		{"read 503 asking 5s", true, resp(503, "5"), true},
		{"read 503 asking 6s", true, resp(503, "6"), false},
		{"read 429 asking 6s", true, resp(429, "6"), false},
		{"read 500", true, resp(500, ""), false},
		{"write 503", false, resp(503, ""), false},
		{"write 429", false, resp(429, "0"), false},
	} {
		ctx := withCall(t.Context(), &call{op: "installIntegrationOnSpace"})
		if tc.ctx {
			ctx = withCall(t.Context(), &call{op: "getSpaceById", idempotent: true})
		}
		got, err := p.checkRetry(ctx, tc.resp, nil)
		if got != tc.want || err != nil {
			t.Errorf("%s: checkRetry = %v, %v; want %v, nil", tc.name, got, err, tc.want)
		}
	}
}

func testRetrier(p RetryPolicy) retrier {
	return retrier{RetryPolicy: p, allowRetry: func() bool { return true }}
}

func TestRetryBudgetFollowsTheWindow(t *testing.T) {
	g := &guard{
		health:     newHealth(BreakerPolicy{Disabled: true, Window: time.Minute, MinAttempts: 30, OpenFor: time.Second}),
		breakerOff: true,
		budget:     DefaultRetryBudget,
	}
	attempt := func(failed bool) {
		done, err := g.health.Allow()
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
	if !g.retryAllowed() {
		t.Error("15 failures in a row do not yet show 80% failing with 95% confidence: retries should flow")
	}
	attempt(true)
	if g.retryAllowed() {
		t.Error("16 failures in a row show it: retries should stop")
	}
	for i := range 200 {
		attempt(i%2 == 0)
	}
	if !g.retryAllowed() {
		t.Errorf("at about half failures retries should flow: %+v", g.stats())
	}
	for range 900 {
		attempt(true)
	}
	if g.retryAllowed() {
		t.Errorf("at over 80%% failures retries should stop: %+v", g.stats())
	}
	if s := g.stats(); s.RetriesGranted != 2 || s.RetriesDenied != 2 || s.BreakerState != "disabled" {
		t.Errorf("stats: %+v", s)
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
