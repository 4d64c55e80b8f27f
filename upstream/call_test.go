package upstream_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// An answer that breaks off mid-body is a failed attempt: a read tries
// again, a write reports that its outcome is unknown.
func TestAnswerCutMidBody(t *testing.T) {
	ctx := context.Background()
	cut := gitbooksim.Fault{CutAnswer: true}

	srv := newServer(t, gitbooksim.Options{Fault: gitbooksim.FailFirst("getSpaceById", 1, cut)})
	s, err := newClient(t, srv, nil).GetSpace(ctx, "acme-handbook")
	if err != nil || s.Title != "Employee Handbook" {
		t.Fatalf("GetSpace: %v, %v", s, err)
	}
	if n := srv.CallCount("getSpaceById"); n != 2 {
		t.Errorf("getSpaceById: %d calls, want 2", n)
	}

	srv = newServer(t, gitbooksim.Options{Fault: gitbooksim.FailFirst("installIntegrationOnSpace", 1, cut)})
	_, err = newClient(t, srv, nil).InstallIntegrationOnSpace(ctx, "codesandbox", "inst-acme-codesandbox", "acme-handbook")
	if !errors.Is(err, upstream.ErrOutcomeUnknown) {
		t.Fatalf("install: %v, want an unknown outcome", err)
	}
	if n := srv.CallCount("installIntegrationOnSpace"); n != 1 {
		t.Errorf("install sent %d times", n)
	}
}
