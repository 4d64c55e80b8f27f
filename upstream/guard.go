package upstream

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/sync/semaphore"
)

// guard is the http.RoundTripper under go-retryablehttp: every attempt,
// first or retry, from every request, passes through it. It holds what must
// be shared by the whole process: the rate-limit holds of each credential
// (in its HoldStore, which replicas may share) and who probes when one
// ends (its gates), the window of attempts that the breaker and the retry
// budget judge the upstream by, and the bound on calls in flight; and it
// gives each attempt its own timeout, and tells the observer of it.
type guard struct {
	next  http.RoundTripper
	slots *semaphore.Weighted
	holds HoldStore
	gates holdGates
	// health counts attempts and failures over a rolling window, for the
	// retry budget, and is the circuit breaker unless breakerOff.
	health         *gobreaker.TwoStepCircuitBreaker[struct{}]
	breakerOff     bool
	budget         RetryBudget
	retriesGranted atomic.Int64
	retriesDenied  atomic.Int64
	attemptTimeout time.Duration
	observer       Observer
}

// newGuard puts the guards of opts (defaults filled in) around next.
func newGuard(next http.RoundTripper, opts Options) *guard {
	return &guard{
		next:           next,
		slots:          semaphore.NewWeighted(int64(opts.MaxInFlight)),
		holds:          opts.Holds,
		health:         newHealth(*opts.Breaker),
		breakerOff:     opts.Breaker.Disabled,
		budget:         *opts.Budget,
		attemptTimeout: opts.AttemptTimeout,
		observer:       opts.Observer,
	}
}

// RoundTrip waits out the credential's rate-limit hold (or its probe),
// asks the breaker, waits for a slot, then sends the attempt under its own
// timeout. The slot and the timeout last until the answer's body is
// closed; a probe ends as soon as the answer's headers say whether it
// named a hold.
func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	key := credentialOf(req)
	probe, err := g.gates.wait(ctx, g.holds, key)
	if err != nil {
		return nil, err
	}
	done, err := g.health.Allow()
	if err != nil {
		g.gates.end(key, probe, false, false)
		return nil, &CircuitOpenError{cause: err}
	}
	if err := g.slots.Acquire(ctx, 1); err != nil {
		g.gates.end(key, probe, false, false)
		done(errCallerGaveUp)
		return nil, err
	}
	// One allocation holds the attempt's slot and, when it answers, its body.
	body := &releasingBody{attemptSlot: attemptSlot{g: g, ctx: ctx, start: time.Now(), attempt: Attempt{Op: OperationOf(ctx), Retry: attemptOf(ctx) > 0}}}
	slot := &body.attemptSlot
	g.observer.InFlight(1)
	attemptCtx, cancel := context.WithTimeout(ctx, g.attemptTimeout)
	slot.cancel = cancel
	resp, err := g.next.RoundTrip(req.WithContext(attemptCtx))
	if err != nil {
		slot.attempt.Err = err
		slot.release()
		g.gates.end(key, probe, false, false)
		if ctx.Err() != nil {
			done(errCallerGaveUp) // not the upstream's failure
		} else {
			done(err)
		}
		return nil, err
	}
	slot.attempt.Status = resp.StatusCode
	until, held := holdOf(resp, time.Now())
	if held {
		g.holds.Hold(ctx, key, until)
	}
	g.gates.end(key, probe, true, held)
	switch {
	case resp.StatusCode >= 500:
		done(errServerFailure)
	case resp.StatusCode == http.StatusTooManyRequests:
		done(errRateLimitedAttempt) // one credential's limit, not the upstream's health
	default:
		done(nil)
	}
	body.ReadCloser = resp.Body
	resp.Body = body
	return resp, nil
}

// attemptSlot is an attempt's slot and timeout, given back once: when its
// answer's body is closed, or as soon as it failed; the observer then
// hears of the attempt.
type attemptSlot struct {
	once    sync.Once
	g       *guard
	ctx     context.Context
	cancel  context.CancelFunc
	start   time.Time
	attempt Attempt
}

func (s *attemptSlot) release() {
	s.once.Do(func() {
		s.cancel()
		s.g.slots.Release(1)
		s.g.observer.InFlight(-1)
		s.attempt.Duration = time.Since(s.start)
		s.g.observer.Attempt(s.ctx, s.attempt)
	})
}

// releasingBody gives back an attempt's slot when its body is closed.
type releasingBody struct {
	io.ReadCloser
	attemptSlot
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// Stats reports the process-wide guards, for metrics and tests.
type Stats struct {
	BreakerState   string // closed, open or half-open; "disabled" when off
	WindowAttempts uint32 // attempts in the rolling window
	WindowFailures uint32 // of which failed
	RetriesGranted int64
	RetriesDenied  int64
}

func (g *guard) stats() Stats {
	c := g.health.Counts()
	s := Stats{BreakerState: g.health.State().String(), WindowAttempts: c.Requests, WindowFailures: c.TotalFailures,
		RetriesGranted: g.retriesGranted.Load(), RetriesDenied: g.retriesDenied.Load()}
	if g.breakerOff {
		s.BreakerState = "disabled"
	}
	return s
}
