package upstream_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

var kinds = []error{upstream.ErrInvalidArgument, upstream.ErrUnavailable, upstream.ErrTimeout, upstream.ErrBadResponse,
	upstream.ErrOutcomeUnknown, upstream.ErrRateLimited, context.Canceled, context.DeadlineExceeded}

// assertKinds checks that err is each of want and none of the other kinds.
func assertKinds(t *testing.T, err error, want ...error) {
	t.Helper()
	for _, k := range kinds {
		wanted := false
		for _, w := range want {
			wanted = wanted || w == k
		}
		if got := errors.Is(err, k); got != wanted {
			t.Errorf("errors.Is(%v, %v) = %v, want %v", err, k, got, wanted)
		}
	}
}

func TestNotFoundIsTypedWithTheEnvelope(t *testing.T) {
	srv, c := setup(t)
	_, err := c.GetSpace(t.Context(), "no-such-space")
	e := asError(t, srv, err)
	want := &upstream.Error{Op: "getSpaceById", StatusCode: http.StatusNotFound, Code: http.StatusNotFound, Message: "Space not found"}
	if diff := cmp.Diff(*want, *e, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if got, want := err.Error(), "getSpaceById: upstream answered 404 Not Found: Space not found"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	assertKinds(t, err)
	if upstream.StatusCode(err) != http.StatusNotFound || upstream.IsTransient(err) {
		t.Errorf("StatusCode = %d, IsTransient = %v; want 404, false", upstream.StatusCode(err), upstream.IsTransient(err))
	}
	if n := srv.CallCount("getSpaceById"); n != 1 {
		t.Errorf("%d calls, want 1: a 404 is not retried", n)
	}
}

func TestNotFoundForEveryRead(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	// ReaderToken belongs to acme alone: the collective's things do not exist for it.
	reader := newClient(t, srv, nil).WithAuthorization("Bearer " + gitbooksim.ReaderToken)
	ctx := t.Context()
	for _, tc := range []struct {
		op, message string
		call        func() error
	}{
		{"getSpaceById", "Space not found", func() error { _, err := reader.GetSpace(ctx, "oss-getting-started"); return err }},
		{"getOrganizationById", "Organization not found", func() error {
			_, err := reader.GetOrganization(ctx, "open-source-collective")
			return err
		}},
		{"getIntegrationByName", "Integration not found", func() error { _, err := reader.GetIntegration(ctx, "nope"); return err }},
		{"listSpaceIntegrations", "Space not found", func() error {
			_, err := reader.ListSpaceIntegrations(ctx, "oss-getting-started", upstream.ListSpaceIntegrationsOptions{})
			return err
		}},
		{"listSpaceIntegrationsBlocks", "Space not found", func() error {
			_, err := reader.ListSpaceIntegrationBlocks(ctx, "oss-getting-started")
			return err
		}},
	} {
		srv.ResetStats()
		e := asError(t, srv, tc.call())
		if e.Op != tc.op || e.StatusCode != http.StatusNotFound || e.Code != http.StatusNotFound || e.Message != tc.message || e.Kind != nil {
			t.Errorf("%s: error = %+v, want a 404 %q", tc.op, e, tc.message)
		}
		if n := srv.CallCount(tc.op); n != 1 {
			t.Errorf("%s: %d calls, want 1", tc.op, n)
		}
	}
}

func TestUnknownTokenIsUnauthorized(t *testing.T) {
	srv, c := setup(t)
	const token = "gb_not_a_known_token"
	_, err := c.WithAuthorization("Bearer "+token).GetSpace(t.Context(), "acme-handbook")
	e := asError(t, srv, err)
	if e.StatusCode != http.StatusUnauthorized || e.Code != http.StatusUnauthorized || e.Message != "You must be authenticated to access this resource" {
		t.Errorf("error = %+v, want a 401 with the envelope's message", e)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("Error() = %q holds the token", err)
	}
	assertKinds(t, err)
	if n := srv.CallCount(""); n != 1 {
		t.Errorf("%d calls, want 1: a 401 is not retried", n)
	}
}

func TestReaderCannotInstall(t *testing.T) {
	srv, admin := setup(t)
	reader := admin.WithAuthorization("Bearer " + gitbooksim.ReaderToken)
	_, err := reader.InstallIntegrationOnSpace(t.Context(), "okta", "inst-acme-okta", "acme-developer-portal")
	e := asError(t, srv, err)
	want := &upstream.Error{Op: "installIntegrationOnSpace", StatusCode: http.StatusForbidden, Code: http.StatusForbidden,
		Message: "You do not have permission to install integrations on this space"}
	if diff := cmp.Diff(*want, *e, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	assertKinds(t, err) // a refusal is a known outcome
	if calls := srv.Calls(); len(calls) != 1 || calls[0].Authorization != "Bearer "+gitbooksim.ReaderToken {
		t.Errorf("calls = %+v", calls)
	}
	if slices.Contains(installedOn(t, admin, "acme-developer-portal"), "okta") {
		t.Error("the refused install took effect")
	}
}

func TestBadRequestIsNotRetried(t *testing.T) {
	srv, c := setup(t)
	// An install onto a space of another organization.
	_, err := c.InstallIntegrationOnSpace(t.Context(), "okta", "inst-acme-okta", "oss-getting-started")
	if e := asError(t, srv, err); e.StatusCode != http.StatusBadRequest || e.Message != "The space does not belong to the installation's organization" {
		t.Errorf("install: %+v, want a 400", e)
	}
	// A read with a page token the upstream does not know.
	_, err = c.ListSpaceIntegrations(t.Context(), "acme-handbook", upstream.ListSpaceIntegrationsOptions{ListOptions: upstream.ListOptions{Page: "not-a-page"}})
	if e := asError(t, srv, err); e.StatusCode != http.StatusBadRequest || e.Message != "Invalid page" || e.Transient() {
		t.Errorf("list: %+v, want a 400 that is not transient", e)
	}
	if got := srv.PathCounts(); got["POST /v1/integrations/okta/installations/inst-acme-okta/spaces"] != 1 || got["GET /v1/spaces/acme-handbook/integrations"] != 1 {
		t.Errorf("path counts = %v, want one call each", got)
	}
}

func TestServerErrorIsNotRetried(t *testing.T) {
	srv, c := setup(t)
	// A 500 is a bug upstream, not congestion: it is answered at once.
	srv.SetFault(gitbooksim.FailAlways("", gitbooksim.Fault{Status: http.StatusInternalServerError, Body: "<html>oops</html>"}))
	_, err := c.GetSpace(t.Context(), "acme-handbook")
	e := asError(t, srv, err)
	if e.Kind != upstream.ErrUnavailable || e.StatusCode != http.StatusInternalServerError || e.Code != 0 || e.Message != "" {
		t.Errorf("error = %+v, want unavailable with no envelope", e)
	}
	if got, want := err.Error(), "getSpaceById: upstream answered 500 Internal Server Error"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if n := srv.CallCount(""); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestErrorMessageIsTruncated(t *testing.T) {
	srv, c := setup(t)
	long := strings.Repeat("x", 2000)
	srv.SetFault(gitbooksim.FailAlways("", gitbooksim.Fault{Status: http.StatusBadRequest, Body: `{"error":{"code":400,"message":"` + long + `"}}`}))
	_, err := c.GetSpace(t.Context(), "acme-handbook")
	e := asError(t, srv, err)
	if e.Code != http.StatusBadRequest || len(e.Message) > 510 || !strings.HasPrefix(e.Message, "xxxx") {
		t.Errorf("message of %d bytes, want at most about 500", len(e.Message))
	}
}

func TestDeadlineDuringHangIsTimeout(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	srv.SetFault(gitbooksim.FailAlways("", gitbooksim.Fault{Hang: true}))
	// The deadline leaves the call ample time to reach the simulator and hang there.
	const deadline = 300 * time.Millisecond

	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	_, err := c.GetSpace(ctx, "acme-handbook")
	e := asError(t, srv, err)
	if e.Kind != upstream.ErrTimeout || e.StatusCode != 0 || e.OutcomeUnknown || !e.Transient() {
		t.Errorf("read error = %+v, want a timeout", e)
	}
	assertKinds(t, err, upstream.ErrTimeout, context.DeadlineExceeded)

	// A write that timed out may have been applied.
	ctx, cancel = context.WithTimeout(t.Context(), deadline)
	defer cancel()
	_, err = c.InstallIntegrationOnSpace(ctx, "okta", "inst-acme-okta", "acme-developer-portal")
	e = asError(t, srv, err)
	if e.Kind != upstream.ErrTimeout || !e.OutcomeUnknown {
		t.Errorf("write error = %+v, want a timeout of unknown outcome", e)
	}
	assertKinds(t, err, upstream.ErrTimeout, upstream.ErrOutcomeUnknown, context.DeadlineExceeded)

	if got := srv.PathCounts(); got["GET /v1/spaces/acme-handbook"] != 1 || got["POST /v1/integrations/okta/installations/inst-acme-okta/spaces"] != 1 {
		t.Errorf("path counts = %v, want one call each: the deadline has passed", got)
	}
}

func TestCanceledWhileWaiting(t *testing.T) {
	srv, c := setup(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// The caller gives up once the call has reached the upstream.
	srv.SetFault(func(gitbooksim.Call) *gitbooksim.Fault {
		cancel()
		return &gitbooksim.Fault{Hang: true}
	})
	_, err := c.GetSpace(ctx, "acme-handbook")
	e := asError(t, srv, err)
	if e.Kind != context.Canceled || e.Transient() {
		t.Errorf("error = %+v, want canceled, not transient", e)
	}
	assertKinds(t, err, context.Canceled)
	if n := srv.CallCount(""); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestErrorHelpers(t *testing.T) {
	e := &upstream.Error{Op: "getSpaceById", Kind: upstream.ErrUnavailable, StatusCode: 503}
	wrapped := fmt.Errorf("loading space: %w", e)
	if upstream.StatusCode(wrapped) != 503 || !upstream.IsTransient(wrapped) || !errors.Is(wrapped, upstream.ErrUnavailable) {
		t.Errorf("helpers do not see through wrapping: %v", wrapped)
	}
	if upstream.StatusCode(nil) != 0 || upstream.StatusCode(errors.New("x")) != 0 || upstream.IsTransient(errors.New("x")) || upstream.IsTransient(nil) {
		t.Error("helpers on errors that are not *upstream.Error")
	}
	for _, tc := range []struct {
		err  *upstream.Error
		text string
	}{
		{&upstream.Error{Op: "op", Kind: upstream.ErrTimeout, Err: context.DeadlineExceeded}, "op: upstream timed out: context deadline exceeded"},
		{&upstream.Error{Op: "op", Kind: upstream.ErrUnavailable, OutcomeUnknown: true, Err: errors.New("EOF")},
			"op: upstream unavailable; the change may or may not have been applied: EOF"},
		{&upstream.Error{Op: "op", StatusCode: 418}, "op: upstream answered 418 I'm a teapot"},
	} {
		if got := tc.err.Error(); got != tc.text {
			t.Errorf("Error() = %q, want %q", got, tc.text)
		}
	}
}
