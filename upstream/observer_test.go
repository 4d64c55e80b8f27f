package upstream_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// recordingObserver keeps what it hears.
type recordingObserver struct {
	mu       sync.Mutex
	attempts []upstream.Attempt
	contexts []context.Context
	inFlight int
}

func (o *recordingObserver) Attempt(ctx context.Context, a upstream.Attempt) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.attempts = append(o.attempts, a)
	o.contexts = append(o.contexts, ctx)
}

func (o *recordingObserver) InFlight(delta int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.inFlight += delta
}

type callerKey struct{}

// The observer hears each attempt, failed ones included, with the caller's
// context: what the caller put there (a request's record) is how the
// attempt finds its way to it.
func TestObserverHearsEveryAttemptInTheCallersContext(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{Fault: gitbooksim.FailFirst("getSpaceById", 1, gitbooksim.Fault{Reset: true})})
	obs := &recordingObserver{}
	c, err := upstream.New(srv.URL, upstream.Options{Retry: &fastRetry, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.WithValue(t.Context(), callerKey{}, "request 1")
	if _, err := c.WithAuthorization(demoAuth).GetSpace(ctx, "acme-handbook"); err != nil {
		t.Fatal(err)
	}
	if len(obs.attempts) != 2 {
		t.Fatalf("heard %d attempts, want 2: %+v", len(obs.attempts), obs.attempts)
	}
	if first := obs.attempts[0]; first.Status != 0 || first.Err == nil {
		t.Errorf("the reset attempt = %+v, want no status and its error", first)
	}
	if second := obs.attempts[1]; second.Status != http.StatusOK || second.Err != nil || second.Duration <= 0 {
		t.Errorf("the answered attempt = %+v, want a 200 and its time", second)
	}
	for i, ctx := range obs.contexts {
		if ctx.Value(callerKey{}) != "request 1" {
			t.Errorf("attempt %d was reported without the caller's context", i)
		}
	}
	if obs.inFlight != 0 {
		t.Errorf("in flight after the call: %d, want 0", obs.inFlight)
	}
}
