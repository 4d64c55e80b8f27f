package upstream_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

func TestBackoffStaysUnderItsCeiling(t *testing.T) {
	const minWait, maxWait = 10 * time.Millisecond, 80 * time.Millisecond
	for attempt, ceiling := range []time.Duration{10, 20, 40, 80, 80, 80} {
		ceiling *= time.Millisecond
		var longest time.Duration
		for range 200 {
			d := upstream.DefaultBackoff(minWait, maxWait, attempt, nil)
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
		if d := upstream.DefaultBackoff(minWait, maxWait, attempt, nil); d < 0 || d > maxWait {
			t.Errorf("attempt %d: backoff %v", attempt, d)
		}
	}
	if d := upstream.DefaultBackoff(0, 0, 3, nil); d != 0 {
		t.Errorf("zero policy backoff = %v, want 0", d)
	}
}

func TestBackoffUsesTheServersWait(t *testing.T) {
	resp := &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{"Retry-After": {"3"}}}
	if d := upstream.DefaultBackoff(time.Millisecond, 5*time.Millisecond, 0, resp); d != 3*time.Second {
		t.Errorf("backoff with Retry-After: 3 = %v, want 3s (not capped by MaxWait)", d)
	}
}

// The policy is asked of reads, and of writes that never left; that a write
// that got an answer is never sent again is the client's rule
// (TestWritesAreSentOnce).
func TestCheckRetryHonoursServerWaits(t *testing.T) {
	check := upstream.DefaultCheckRetry(0, time.Millisecond, 5*time.Second)
	resp := func(status int, retryAfter string) *http.Response {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	for _, tc := range []struct {
		name string
		resp *http.Response
		want bool
	}{
		{"read 503", resp(503, ""), true},
		{"read 503 asking 5s", resp(503, "5"), true},
		{"read 503 asking 6s", resp(503, "6"), false},
		{"read 429 asking 6s", resp(429, "6"), false},
		{"read 500", resp(500, ""), false},
	} {
		got, err := check(t.Context(), tc.resp, nil)
		if got != tc.want || err != nil {
			t.Errorf("%s: CheckRetry = %v, %v; want %v, nil", tc.name, got, err, tc.want)
		}
	}
}

// A retry that could not start before the caller's deadline is not made:
// the caller hears at once what failed.
func TestCheckRetryKeepsToTheDeadline(t *testing.T) {
	check := upstream.DefaultCheckRetry(time.Second, time.Second, time.Minute)
	soon, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	busy := &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}}
	asksTwo := &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{"Retry-After": {"2"}}}
	for name, tc := range map[string]struct {
		ctx  context.Context
		resp *http.Response
		want bool
	}{
		"backoff within the deadline":     {t.Context(), busy, true},
		"backoff past the deadline":       {soon, busy, false},
		"server's wait past the deadline": {soon, asksTwo, false},
	} {
		if got, err := check(tc.ctx, tc.resp, nil); got != tc.want || err != nil {
			t.Errorf("%s: CheckRetry = %v, %v; want %v, nil", name, got, err, tc.want)
		}
	}
	cancel()
	if got, err := check(soon, busy, nil); got || !errors.Is(err, context.Canceled) {
		t.Errorf("after the caller gave up: CheckRetry = %v, %v; want false, context.Canceled", got, err)
	}
}

func TestReadsAreRetriedUntilSuccess(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  gitbooksim.Fault
		status int // what the simulator records for a failed call
	}{
		{"503", gitbooksim.Fault{Status: http.StatusServiceUnavailable}, http.StatusServiceUnavailable},
		{"502", gitbooksim.Fault{Status: http.StatusBadGateway}, http.StatusBadGateway},
		{"504", gitbooksim.Fault{Status: http.StatusGatewayTimeout}, http.StatusGatewayTimeout},
		{"429", gitbooksim.Fault{Status: http.StatusTooManyRequests}, http.StatusTooManyRequests},
		{"429 retry after 0", gitbooksim.Fault{Status: http.StatusTooManyRequests, Header: header("Retry-After", "0")}, http.StatusTooManyRequests},
		{"503 with a body", gitbooksim.Fault{Status: http.StatusServiceUnavailable, Body: "<html>busy</html>"}, http.StatusServiceUnavailable},
		{"reset", gitbooksim.Fault{Reset: true}, 0},
		{"lost answer", gitbooksim.Fault{LoseAnswer: true}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := setup(t)
			srv.SetFault(gitbooksim.FailFirst("getSpaceById", 2, tc.fault))
			got, err := c.GetSpace(t.Context(), "acme-handbook")
			if err != nil {
				t.Fatalf("GetSpace: %v", err)
			}
			if got.ID != "acme-handbook" || got.Title != "Employee Handbook" {
				t.Errorf("GetSpace = %+v", got)
			}
			if diff := cmp.Diff([]int{tc.status, tc.status, http.StatusOK}, statuses(srv)); diff != "" {
				t.Errorf("statuses of the calls (-want +got):\n%s", diff)
			}
			for _, call := range srv.Calls() {
				if call.Path != "/v1/spaces/acme-handbook" || call.Authorization != demoAuth {
					t.Errorf("retried call %+v differs from the first", call)
				}
			}
		})
	}
}

func TestEveryReadIsRetried(t *testing.T) {
	srv, c := setup(t)
	ctx := t.Context()
	reads := map[string]func() error{
		"getSpaceById":         func() error { _, err := c.GetSpace(ctx, "acme-handbook"); return err },
		"getOrganizationById":  func() error { _, err := c.GetOrganization(ctx, "acme"); return err },
		"getIntegrationByName": func() error { _, err := c.GetIntegration(ctx, "slack"); return err },
		"listSpaceIntegrations": func() error {
			_, err := c.ListSpaceIntegrations(ctx, "acme-handbook", upstream.ListSpaceIntegrationsOptions{Search: "s", ListOptions: upstream.ListOptions{Limit: 2}})
			return err
		},
		"listSpaceIntegrationsBlocks": func() error { _, err := c.ListSpaceIntegrationBlocks(ctx, "acme-handbook"); return err },
	}
	for op, read := range reads {
		srv.ResetStats()
		srv.SetFault(gitbooksim.FailFirst(op, 1, gitbooksim.Fault{Status: http.StatusServiceUnavailable}))
		if err := read(); err != nil {
			t.Errorf("%s: %v", op, err)
		}
		calls := srv.Calls()
		if len(calls) != 2 || calls[0].Op != op || calls[1].Op != op {
			t.Fatalf("%s: calls = %+v, want two of it", op, calls)
		}
		// The retry is the same request: same path, query and credentials.
		if diff := cmp.Diff(calls[0], calls[1], cmp.FilterPath(func(p cmp.Path) bool {
			switch p.Last().String() {
			case ".Seq", ".Start", ".End", ".Status":
				return true
			}
			return false
		}, cmp.Ignore())); diff != "" {
			t.Errorf("%s: retry differs (-first +retry):\n%s", op, diff)
		}
	}
}

func TestReadsNotRetried(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
		http.StatusConflict, http.StatusInternalServerError, http.StatusNotImplemented} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv, c := setup(t)
			srv.SetFault(gitbooksim.FailAlways("", gitbooksim.Fault{Status: status}))
			_, err := c.GetSpace(t.Context(), "acme-handbook")
			if e := asError(t, srv, err); e.StatusCode != status || e.Code != status {
				t.Errorf("error = %+v, want status %d", e, status)
			}
			if n := srv.CallCount(""); n != 1 {
				t.Errorf("%d calls, want 1", n)
			}
		})
	}
}

func TestMaxRetriesIsRespected(t *testing.T) {
	for _, maxRetries := range []int{0, 1, 2, 5} {
		t.Run(strconv.Itoa(maxRetries), func(t *testing.T) {
			srv := newServer(t, gitbooksim.Options{})
			policy := fastRetry
			policy.MaxRetries = maxRetries
			c := newClient(t, srv, &policy)

			srv.SetFault(gitbooksim.FailAlways("", gitbooksim.Fault{Status: http.StatusServiceUnavailable}))
			_, err := c.GetSpace(t.Context(), "acme-handbook")
			if e := asError(t, srv, err); e.Kind != upstream.ErrUnavailable {
				t.Errorf("error = %+v, want unavailable", e)
			}
			if n := srv.CallCount(""); n != maxRetries+1 {
				t.Errorf("503s: %d calls, want %d", n, maxRetries+1)
			}
		})
	}
}

func TestMaxRetriesOnResets(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	policy := fastRetry
	policy.MaxRetries = 2
	// A client whose first call this is: every attempt opens a new
	// connection. (On a reused connection net/http itself replays an
	// idempotent request once after a reset, which would add a call.)
	c := newClient(t, srv, &policy)
	srv.SetFault(gitbooksim.FailAlways("", gitbooksim.Fault{Reset: true}))
	_, err := c.GetSpace(t.Context(), "acme-handbook")
	e := asError(t, srv, err)
	if e.Kind != upstream.ErrUnavailable || e.StatusCode != 0 || e.OutcomeUnknown {
		t.Errorf("error = %+v, want unavailable, outcome known", e)
	}
	if diff := cmp.Diff([]int{0, 0, 0}, statuses(srv)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestUnavailableAfterRetries(t *testing.T) {
	srv, c := setup(t)
	srv.SetFault(gitbooksim.FailAlways("getSpaceById", gitbooksim.Fault{Status: http.StatusServiceUnavailable}))
	_, err := c.GetSpace(t.Context(), "acme-handbook")
	e := asError(t, srv, err)
	want := &upstream.Error{Op: "getSpaceById", Kind: upstream.ErrUnavailable, StatusCode: http.StatusServiceUnavailable,
		Code: http.StatusServiceUnavailable, Message: "Service Unavailable"}
	if diff := cmp.Diff(*want, *e, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	assertKinds(t, err, upstream.ErrUnavailable)
	if !upstream.IsTransient(err) {
		t.Error("a 503 is transient")
	}
	if n := srv.CallCount("getSpaceById"); n != fastRetry.MaxRetries+1 {
		t.Errorf("%d calls, want %d", n, fastRetry.MaxRetries+1)
	}
}
