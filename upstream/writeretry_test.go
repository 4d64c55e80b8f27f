package upstream_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

func TestWritesAreSentOnce(t *testing.T) {
	const (
		name = "okta"
		inst = "inst-acme-okta"
	)
	for _, tc := range []struct {
		name           string
		fault          gitbooksim.Fault
		kind           error
		status         int
		applied        bool
		outcomeUnknown bool
	}{
		{"503", gitbooksim.Fault{Status: http.StatusServiceUnavailable}, upstream.ErrUnavailable, 503, false, true},
		{"502", gitbooksim.Fault{Status: http.StatusBadGateway}, upstream.ErrUnavailable, 502, false, true},
		{"429", gitbooksim.Fault{Status: http.StatusTooManyRequests}, upstream.ErrRateLimited, 429, false, false},
		{"429 retry after 0", gitbooksim.Fault{Status: http.StatusTooManyRequests, Header: header("Retry-After", "0")}, upstream.ErrRateLimited, 429, false, false},
		{"reset", gitbooksim.Fault{Reset: true}, upstream.ErrUnavailable, 0, false, true},
		{"lost answer", gitbooksim.Fault{LoseAnswer: true}, upstream.ErrUnavailable, 0, true, true},
	} {
		t.Run("install "+tc.name, func(t *testing.T) {
			srv, c := setup(t)
			const space = "acme-developer-portal"
			srv.SetFault(gitbooksim.FailFirst("installIntegrationOnSpace", 1, tc.fault))
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
			srv.SetFault(gitbooksim.FailFirst("uninstallIntegrationFromSpace", 1, tc.fault))
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
	srv.SetFault(gitbooksim.FailAlways("installIntegrationOnSpace", gitbooksim.Fault{LoseAnswer: true}))
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

func flakyClient(t *testing.T, srv *gitbooksim.Server, refuse int64) (*upstream.Client, *flakyDialer) {
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
	srv := newServer(t, gitbooksim.Options{})
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
	srv := newServer(t, gitbooksim.Options{})
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
