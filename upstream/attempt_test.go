package upstream_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// operationRecorder is a transport under the client that notes the
// operation each attempt's context names, as a tracing transport would.
type operationRecorder struct {
	mu  sync.Mutex
	ops []string
}

func (r *operationRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.ops = append(r.ops, upstream.OperationOf(req.Context()))
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// Every attempt is named by its call's operation, below the client as well
// as to the observer, and each retry is told from its call's first attempt.
func TestAttemptsAreNamedAndNumbered(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{Fault: gitbooksim.FailFirst("getSpaceById", 2, gitbooksim.Fault{Status: http.StatusServiceUnavailable})})
	ops, obs := &operationRecorder{}, &recordingObserver{}
	c, err := upstream.New(srv.URL, upstream.Options{Transport: ops, Observer: obs, Retry: &fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	c = c.WithAuthorization(demoAuth)
	if _, err := c.GetSpace(t.Context(), "acme-handbook"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetOrganization(t.Context(), "acme"); err != nil {
		t.Fatal(err)
	}
	want := []upstream.Attempt{
		{Op: "getSpaceById", Status: http.StatusServiceUnavailable},
		{Op: "getSpaceById", Retry: true, Status: http.StatusServiceUnavailable},
		{Op: "getSpaceById", Retry: true, Status: http.StatusOK},
		{Op: "getOrganizationById", Status: http.StatusOK},
	}
	if diff := cmp.Diff(want, obs.attempts, cmpopts.IgnoreFields(upstream.Attempt{}, "Duration")); diff != "" {
		t.Errorf("attempts heard (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"getSpaceById", "getSpaceById", "getSpaceById", "getOrganizationById"}, ops.ops); diff != "" {
		t.Errorf("operations under the client (-want +got):\n%s", diff)
	}
	if got := upstream.OperationOf(t.Context()); got != "" {
		t.Errorf("OperationOf a context of no call = %q", got)
	}
}
