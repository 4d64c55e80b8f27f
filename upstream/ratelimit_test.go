package upstream_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

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
		got, ok := upstream.ServerWait(tc.resp, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: ServerWait = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	srv, c := setup(t) // fastRetry: its own backoff is at most 5ms
	srv.SetFault(gitbooksim.FailFirst("getSpaceById", 1, gitbooksim.RateLimited(time.Second)))
	if _, err := c.GetSpace(t.Context(), "acme-handbook"); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if len(calls) != 2 || calls[0].Status != http.StatusTooManyRequests || calls[1].Status != http.StatusOK {
		t.Fatalf("calls = %+v, want a 429 then a 200", calls)
	}
	// The retry waited for Retry-After: 1 after the 429 was answered.
	if gap := calls[1].Start.Sub(calls[0].Start); gap < 950*time.Millisecond {
		t.Errorf("the retry started %v after the rate-limited call, want at least 1s", gap)
	}
}

func TestRateLimitResetIsHonoured(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	// A 429 with GitBook's reset time but no Retry-After.
	reset := time.Unix(time.Now().Unix()+1, 0)
	srv.SetFault(gitbooksim.FailFirst("getSpaceById", 1, gitbooksim.Fault{Status: http.StatusTooManyRequests,
		Header: header("X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))}))
	if _, err := c.GetSpace(t.Context(), "acme-handbook"); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if len(calls) != 2 {
		t.Fatalf("calls = %+v, want two", calls)
	}
	if early := reset.Sub(calls[1].Start); early > 20*time.Millisecond {
		t.Errorf("the retry started %v before the rate limit's reset", early)
	}
}

func TestRetryAfterPastTheDeadlineIsNotAwaited(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	policy := fastRetry
	policy.CheckRetry = upstream.DefaultCheckRetry(policy.MinWait, policy.MaxWait, time.Hour) // only the deadline stands in the way
	c := newClient(t, srv, &policy)
	srv.SetFault(gitbooksim.FailAlways("getSpaceById", gitbooksim.RateLimited(30*time.Second)))

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := c.GetSpace(ctx, "acme-handbook")
	if ctx.Err() != nil {
		t.Fatalf("GetSpace returned after its deadline: %v", err)
	}
	e := asError(t, srv, err)
	if e.Kind != upstream.ErrRateLimited || e.RateLimit == nil || e.RateLimit.RetryAfter != 30*time.Second {
		t.Errorf("error = %+v, want a rate limit asking for 30s", e)
	}
	assertKinds(t, err, upstream.ErrRateLimited)
	if n := srv.CallCount(""); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestRateLimitHeadersAreParsed(t *testing.T) {
	srv, c := setup(t)
	reset := time.Now().Add(30 * time.Second).Unix()
	srv.SetFault(gitbooksim.FailAlways("getSpaceById", gitbooksim.Fault{Status: http.StatusTooManyRequests, Header: header(
		"Retry-After", "30", "X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", strconv.FormatInt(reset, 10))}))
	_, err := c.GetSpace(t.Context(), "acme-handbook")
	e := asError(t, srv, err)
	want := &upstream.Error{Op: "getSpaceById", Kind: upstream.ErrRateLimited, StatusCode: http.StatusTooManyRequests,
		Code: http.StatusTooManyRequests, Message: "Too Many Requests",
		RateLimit: &upstream.RateLimit{Limit: 60, Remaining: 0, Reset: time.Unix(reset, 0), RetryAfter: 30 * time.Second}}
	if diff := cmp.Diff(*want, *e, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	assertKinds(t, err, upstream.ErrRateLimited)
	if !upstream.IsTransient(err) {
		t.Error("a rate limit is transient")
	}
	// 30s is past fastRetry's MaxServerWait: answer now rather than wait.
	if n := srv.CallCount(""); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestRateLimitHeadersOnOtherAnswers(t *testing.T) {
	srv, c := setup(t)
	srv.SetFault(gitbooksim.FailAlways("", gitbooksim.Fault{Status: http.StatusNotFound, Header: header("X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "59")}))
	_, err := c.GetSpace(t.Context(), "acme-handbook")
	e := asError(t, srv, err)
	if diff := cmp.Diff(&upstream.RateLimit{Limit: 60, Remaining: 59}, e.RateLimit); diff != "" {
		t.Errorf("rate limit (-want +got):\n%s", diff)
	}
	assertKinds(t, err)

	srv.SetFault(nil)
	if _, err := c.GetSpace(t.Context(), "no-such-space"); asError(t, srv, err).RateLimit != nil {
		t.Errorf("RateLimit = %+v for an answer without rate-limit headers, want nil", asError(t, srv, err).RateLimit)
	}
}

func TestRateLimitedAfterRetries(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	policy := fastRetry
	policy.MaxRetries = 2
	c := newClient(t, srv, &policy)
	srv.SetFault(gitbooksim.FailAlways("getSpaceById", gitbooksim.Fault{Status: http.StatusTooManyRequests}))
	_, err := c.GetSpace(t.Context(), "acme-handbook")
	e := asError(t, srv, err)
	if e.Kind != upstream.ErrRateLimited || e.StatusCode != http.StatusTooManyRequests || e.RateLimit != nil {
		t.Errorf("error = %+v, want a rate limit without headers", e)
	}
	if n := srv.CallCount(""); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
}
