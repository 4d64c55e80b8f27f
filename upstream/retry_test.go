package upstream_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitbook-graphql/facade/upstream"
	"github.com/gitbook-graphql/facade/upstream/upstreamtest"
)

func TestReadsAreRetriedUntilSuccess(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  upstreamtest.Fault
		status int // what the simulator records for a failed call
	}{
		{"503", upstreamtest.Fault{Status: http.StatusServiceUnavailable}, http.StatusServiceUnavailable},
		{"502", upstreamtest.Fault{Status: http.StatusBadGateway}, http.StatusBadGateway},
		{"504", upstreamtest.Fault{Status: http.StatusGatewayTimeout}, http.StatusGatewayTimeout},
		{"429", upstreamtest.Fault{Status: http.StatusTooManyRequests}, http.StatusTooManyRequests},
		{"429 retry after 0", upstreamtest.Fault{Status: http.StatusTooManyRequests, Header: header("Retry-After", "0")}, http.StatusTooManyRequests},
		{"503 with a body", upstreamtest.Fault{Status: http.StatusServiceUnavailable, Body: "<html>busy</html>"}, http.StatusServiceUnavailable},
		{"reset", upstreamtest.Fault{Reset: true}, 0},
		{"lost answer", upstreamtest.Fault{LoseAnswer: true}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := setup(t)
			srv.SetFault(upstreamtest.FailFirst("getSpaceById", 2, tc.fault))
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
		srv.SetFault(upstreamtest.FailFirst(op, 1, upstreamtest.Fault{Status: http.StatusServiceUnavailable}))
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
			srv.SetFault(upstreamtest.FailAlways("", upstreamtest.Fault{Status: status}))
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
			srv := newServer(t, upstreamtest.Options{})
			policy := fastRetry
			policy.MaxRetries = maxRetries
			c := newClient(t, srv, &policy)

			srv.SetFault(upstreamtest.FailAlways("", upstreamtest.Fault{Status: http.StatusServiceUnavailable}))
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
	srv := newServer(t, upstreamtest.Options{})
	policy := fastRetry
	policy.MaxRetries = 2
	// A client whose first call this is: every attempt opens a new
	// connection. (On a reused connection net/http itself replays an
	// idempotent request once after a reset, which would add a call.)
	c := newClient(t, srv, &policy)
	srv.SetFault(upstreamtest.FailAlways("", upstreamtest.Fault{Reset: true}))
	_, err := c.GetSpace(t.Context(), "acme-handbook")
	e := asError(t, srv, err)
	if e.Kind != upstream.ErrUnavailable || e.StatusCode != 0 || e.OutcomeUnknown {
		t.Errorf("error = %+v, want unavailable, outcome known", e)
	}
	if diff := cmp.Diff([]int{0, 0, 0}, statuses(srv)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestWritesAreSentOnce(t *testing.T) {
	const (
		name = "okta"
		inst = "inst-acme-okta"
	)
	for _, tc := range []struct {
		name           string
		fault          upstreamtest.Fault
		kind           error
		status         int
		applied        bool
		outcomeUnknown bool
	}{
		{"503", upstreamtest.Fault{Status: http.StatusServiceUnavailable}, upstream.ErrUnavailable, 503, false, true},
		{"502", upstreamtest.Fault{Status: http.StatusBadGateway}, upstream.ErrUnavailable, 502, false, true},
		{"429", upstreamtest.Fault{Status: http.StatusTooManyRequests}, upstream.ErrRateLimited, 429, false, false},
		{"reset", upstreamtest.Fault{Reset: true}, upstream.ErrUnavailable, 0, false, true},
		{"lost answer", upstreamtest.Fault{LoseAnswer: true}, upstream.ErrUnavailable, 0, true, true},
	} {
		t.Run("install "+tc.name, func(t *testing.T) {
			srv, c := setup(t)
			const space = "acme-developer-portal"
			srv.SetFault(upstreamtest.FailFirst("installIntegrationOnSpace", 1, tc.fault))
			_, err := c.InstallIntegrationOnSpace(t.Context(), name, inst, space)
			e := asError(t, srv, err)
			if e.Op != "installIntegrationOnSpace" || e.Kind != tc.kind || e.StatusCode != tc.status || e.OutcomeUnknown != tc.outcomeUnknown {
				t.Errorf("error = %+v, want kind %v, status %d, outcome unknown %v", e, tc.kind, tc.status, tc.outcomeUnknown)
			}
			if got := errors.Is(err, upstream.ErrOutcomeUnknown); got != tc.outcomeUnknown {
				t.Errorf("errors.Is(err, ErrOutcomeUnknown) = %v, want %v", got, tc.outcomeUnknown)
			}
			if n := srv.CallCount("installIntegrationOnSpace"); n != 1 {
				t.Errorf("%d install calls, want exactly 1", n)
			}
			if got := slices.Contains(installedOn(t, c, space), name); got != tc.applied {
				t.Errorf("installed after the failed call = %v, want %v", got, tc.applied)
			}
		})
		t.Run("uninstall "+tc.name, func(t *testing.T) {
			srv, c := setup(t)
			const space = "acme-handbook" // where the demo installs okta
			srv.SetFault(upstreamtest.FailFirst("uninstallIntegrationFromSpace", 1, tc.fault))
			err := c.UninstallIntegrationFromSpace(t.Context(), name, inst, space)
			e := asError(t, srv, err)
			if e.Op != "uninstallIntegrationFromSpace" || e.Kind != tc.kind || e.StatusCode != tc.status || e.OutcomeUnknown != tc.outcomeUnknown {
				t.Errorf("error = %+v, want kind %v, status %d, outcome unknown %v", e, tc.kind, tc.status, tc.outcomeUnknown)
			}
			if n := srv.CallCount("uninstallIntegrationFromSpace"); n != 1 {
				t.Errorf("%d uninstall calls, want exactly 1", n)
			}
			if got := !slices.Contains(installedOn(t, c, space), name); got != tc.applied {
				t.Errorf("uninstalled after the failed call = %v, want %v", got, tc.applied)
			}
		})
	}
}

func TestLostInstallAnswerText(t *testing.T) {
	srv, c := setup(t)
	srv.SetFault(upstreamtest.FailAlways("installIntegrationOnSpace", upstreamtest.Fault{LoseAnswer: true}))
	_, err := c.InstallIntegrationOnSpace(t.Context(), "okta", "inst-acme-okta", "acme-developer-portal")
	asError(t, srv, err) // the text is safe
	const prefix = "installIntegrationOnSpace: upstream unavailable; the change may or may not have been applied"
	if got := err.Error(); !strings.HasPrefix(got, prefix) {
		t.Errorf("Error() = %q, want it to start %q", got, prefix)
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestWriteToAClosedPort(t *testing.T) {
	addr := closedAddr(t)
	c, err := upstream.New("http://"+addr+"/v1", upstream.Options{Retry: &fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	c = c.WithAuthorization(demoAuth)
	_, err = c.InstallIntegrationOnSpace(t.Context(), "okta", "inst-acme-okta", "acme-developer-portal")
	e := asError(t, nil, err)
	if e.Kind != upstream.ErrUnavailable || e.OutcomeUnknown || e.StatusCode != 0 || !e.Transient() {
		t.Errorf("install error = %+v, want unavailable with a known outcome", e)
	}
	assertKinds(t, err, upstream.ErrUnavailable)
	err = c.UninstallIntegrationFromSpace(t.Context(), "okta", "inst-acme-okta", "acme-handbook")
	if e := asError(t, nil, err); e.Kind != upstream.ErrUnavailable || e.OutcomeUnknown {
		t.Errorf("uninstall error = %+v, want unavailable with a known outcome", e)
	}
	for _, s := range []string{addr, "http://", demoAuth} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("Error() = %q holds %q", err, s)
		}
	}
}

// flakyDialer refuses the first n connections (by dialing a closed port,
// so the error is the real one) and then connects to the simulator.
type flakyDialer struct {
	closed, open string
	refuse       int64
	dials        atomic.Int64
}

func (d *flakyDialer) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	var dialer net.Dialer
	if d.dials.Add(1) <= d.refuse {
		return dialer.DialContext(ctx, network, d.closed)
	}
	return dialer.DialContext(ctx, network, d.open)
}

func flakyClient(t *testing.T, srv *upstreamtest.Server, refuse int64) (*upstream.Client, *flakyDialer) {
	t.Helper()
	d := &flakyDialer{closed: closedAddr(t), open: srv.URL[len("http://") : len(srv.URL)-len("/v1")], refuse: refuse}
	hc := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	t.Cleanup(hc.CloseIdleConnections)
	c, err := upstream.New(srv.URL, upstream.Options{HTTPClient: hc, Retry: &fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	return c.WithAuthorization(demoAuth), d
}

func TestWriteIsRetriedWhenItNeverLeft(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	c, d := flakyClient(t, srv, 2)
	got, err := c.InstallIntegrationOnSpace(t.Context(), "okta", "inst-acme-okta", "acme-developer-portal")
	if err != nil {
		t.Fatalf("install after two refused connections: %v", err)
	}
	if got.Space.ID != "acme-developer-portal" {
		t.Errorf("installation = %+v", got)
	}
	if n := d.dials.Load(); n != 3 {
		t.Errorf("%d dials, want 3", n)
	}
	// The body was sent whole on the attempt that connected, and only then.
	if calls := srv.Calls(); len(calls) != 1 || calls[0].Status != http.StatusCreated {
		t.Errorf("calls = %+v, want one that installed", calls)
	}
}

func TestWriteGivesUpWhenItNeverLeaves(t *testing.T) {
	srv := newServer(t, upstreamtest.Options{})
	c, d := flakyClient(t, srv, 1000)
	_, err := c.InstallIntegrationOnSpace(t.Context(), "okta", "inst-acme-okta", "acme-developer-portal")
	e := asError(t, nil, err)
	if e.Kind != upstream.ErrUnavailable || e.OutcomeUnknown {
		t.Errorf("error = %+v, want unavailable with a known outcome", e)
	}
	if n := d.dials.Load(); n != int64(fastRetry.MaxRetries+1) {
		t.Errorf("%d dials, want %d", n, fastRetry.MaxRetries+1)
	}
	if n := srv.CallCount(""); n != 0 {
		t.Errorf("%d calls reached the simulator, want none", n)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	srv, c := setup(t) // fastRetry: its own backoff is at most 5ms
	srv.SetFault(upstreamtest.FailFirst("getSpaceById", 1, upstreamtest.RateLimited(time.Second)))
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
	srv.SetFault(upstreamtest.FailFirst("getSpaceById", 1, upstreamtest.Fault{Status: http.StatusTooManyRequests,
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
	srv := newServer(t, upstreamtest.Options{})
	policy := fastRetry
	policy.MaxServerWait = time.Hour // only the deadline stands in the way
	c := newClient(t, srv, &policy)
	srv.SetFault(upstreamtest.FailAlways("getSpaceById", upstreamtest.RateLimited(30*time.Second)))

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

// An answer that breaks off mid-body is a failed attempt: a read tries
// again, a write reports that its outcome is unknown.
func TestAnswerCutMidBody(t *testing.T) {
	ctx := context.Background()
	cut := upstreamtest.Fault{CutAnswer: true}

	srv := newServer(t, upstreamtest.Options{Fault: upstreamtest.FailFirst("getSpaceById", 1, cut)})
	s, err := newClient(t, srv, nil).GetSpace(ctx, "acme-handbook")
	if err != nil || s.Title != "Employee Handbook" {
		t.Fatalf("GetSpace: %v, %v", s, err)
	}
	if n := srv.CallCount("getSpaceById"); n != 2 {
		t.Errorf("getSpaceById: %d calls, want 2", n)
	}

	srv = newServer(t, upstreamtest.Options{Fault: upstreamtest.FailFirst("installIntegrationOnSpace", 1, cut)})
	_, err = newClient(t, srv, nil).InstallIntegrationOnSpace(ctx, "codesandbox", "inst-acme-codesandbox", "acme-handbook")
	if !errors.Is(err, upstream.ErrOutcomeUnknown) {
		t.Fatalf("install: %v, want an unknown outcome", err)
	}
	if n := srv.CallCount("installIntegrationOnSpace"); n != 1 {
		t.Errorf("install sent %d times", n)
	}
}
