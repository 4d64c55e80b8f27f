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
// first or retry, from every request, passes through it. It holds what
// every request of the process must see alike, per credential: the
// rate-limit holds (in its HoldStore, which replicas may share) and who
// probes when one ends (its gates), and the window of attempts that the
// credential's breaker and retry budget judge it by (its health); and,
// for the whole process, the bound on calls in flight. It gives each
// attempt its own timeout, and tells the observer of it.
type guard struct {
	next  http.RoundTripper
	slots *semaphore.Weighted
	holds HoldStore
	gates holdGates
	// health counts each credential's attempts and failures over a rolling
	// window, for its retry budget, and is its breaker unless breakerOff.
	health     *healthByCredential
	breakerOff bool
	budget     RetryBudget
	// Retries granted and denied across credentials, those forgotten too.
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
		health:         newHealthByCredential(*opts.Breaker, opts.TrackedCredentials, opts.MaxInFlightPerCredential),
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
	health := g.health.of(key)
	done, err := health.breaker.Allow()
	if err != nil {
		g.gates.end(key, probe, false, false)
		return nil, &CircuitOpenError{cause: err}
	}
	// The credential's share first, then the process's slot: a credential
	// whose calls hang waits in its own share, not in the process's.
	if err := health.slots.Acquire(ctx, 1); err != nil {
		g.gates.end(key, probe, false, false)
		done(errCallerGaveUp)
		return nil, err
	}
	if err := g.slots.Acquire(ctx, 1); err != nil {
		health.slots.Release(1)
		g.gates.end(key, probe, false, false)
		done(errCallerGaveUp)
		return nil, err
	}
	// One allocation holds the attempt's slot and, when it answers, its body.
	body := &releasingBody{attemptSlot: attemptSlot{g: g, share: health.slots, ctx: ctx, start: time.Now(), attempt: Attempt{Op: OperationOf(ctx), Retry: attemptOf(ctx) > 0}}}
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
	share   *semaphore.Weighted // the credential's slots
	ctx     context.Context
	cancel  context.CancelFunc
	start   time.Time
	attempt Attempt
}

func (s *attemptSlot) release() {
	s.once.Do(func() {
		s.cancel()
		s.g.slots.Release(1)
		s.share.Release(1)
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

// Stats reports the guards across credentials, for metrics and tests.
type Stats struct {
	Credentials    int   // credentials whose breaker and budget are kept
	BreakersOpen   int   // of which the breaker is open, refusing every call
	RetriesGranted int64 // by the credentials' budgets, since the client was made
	RetriesDenied  int64
}

// CredentialStats reports the guards of one credential.
type CredentialStats struct {
	BreakerState   string // closed, open or half-open; "disabled" when off
	WindowAttempts uint32 // attempts in the rolling window
	WindowFailures uint32 // of which failed
	RetriesGranted int64
	RetriesDenied  int64
}

func (g *guard) stats() Stats {
	open, kept := g.health.openBreakers()
	return Stats{Credentials: kept, BreakersOpen: open, RetriesGranted: g.retriesGranted.Load(), RetriesDenied: g.retriesDenied.Load()}
}

func (g *guard) credentialStats(c Credential) CredentialStats {
	s := CredentialStats{BreakerState: gobreaker.StateClosed.String()} // as it starts when it calls
	if h, ok := g.health.peek(c); ok {
		counts := h.breaker.Counts()
		s = CredentialStats{BreakerState: h.breaker.State().String(), WindowAttempts: counts.Requests, WindowFailures: counts.TotalFailures,
			RetriesGranted: h.retriesGranted.Load(), RetriesDenied: h.retriesDenied.Load()}
	}
	if g.breakerOff {
		s.BreakerState = "disabled"
	}
	return s
}

// CloseIdleConnections closes the keep-alive connections of the transport
// under the guards, as http.Client.CloseIdleConnections asks of it.
func (g *guard) CloseIdleConnections() {
	if c, ok := g.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
