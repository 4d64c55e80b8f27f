package upstream

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/sync/semaphore"
)

// guard is the http.RoundTripper under go-retryablehttp: every attempt,
// first or retry, from every request, passes through it. It holds what must
// be shared by the whole process: the rate-limit holds of each credential,
// the window of attempts that the breaker and the retry budget judge the
// upstream by, and the bound on calls in flight; and it gives each attempt
// its own timeout.
type guard struct {
	next  http.RoundTripper
	slots *semaphore.Weighted
	holds *rateLimitHolds
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

// RoundTrip waits out the credential's rate-limit hold, asks the breaker,
// waits for a slot, then sends the attempt under its own timeout. The slot
// and the timeout last until the answer's body is closed.
func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	key := credentialKey(req.Header.Get("Authorization"))
	if err := g.holds.wait(ctx, key); err != nil {
		return nil, err
	}
	done, err := g.health.Allow()
	if err != nil {
		return nil, &CircuitOpenError{cause: err}
	}
	if err := g.slots.Acquire(ctx, 1); err != nil {
		done(errCallerGaveUp)
		return nil, err
	}
	c := callOf(ctx)
	attempt := Attempt{Op: c.op, Retry: c.attempts > 0}
	g.observer.InFlight(1)
	start := time.Now()
	attemptCtx, cancel := context.WithTimeout(ctx, g.attemptTimeout)
	release := sync.OnceFunc(func() {
		cancel()
		g.slots.Release(1)
		g.observer.InFlight(-1)
		attempt.Duration = time.Since(start)
		if t := tallyOf(ctx); t != nil {
			t.add(attempt.Retry, attempt.Duration)
		}
		g.observer.Attempt(ctx, attempt)
	})
	resp, err := g.next.RoundTrip(req.WithContext(attemptCtx))
	if err != nil {
		attempt.Err = err
		release()
		if ctx.Err() != nil {
			done(errCallerGaveUp) // not the upstream's failure
		} else {
			done(err)
		}
		return nil, err
	}
	attempt.Status = resp.StatusCode
	g.holds.observe(key, resp)
	switch {
	case resp.StatusCode >= 500:
		done(errServerFailure)
	case resp.StatusCode == http.StatusTooManyRequests:
		done(errRateLimitedAttempt) // one credential's limit, not the upstream's health
	default:
		done(nil)
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

var (
	errServerFailure      = errors.New("server failure")
	errRateLimitedAttempt = errors.New("rate limited")
	errCallerGaveUp       = errors.New("the caller gave up")
)

// releasingBody gives back an attempt's slot when its body is closed.
type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// Observer hears of the upstream calls the client makes. Its methods run on
// the callers' goroutines and must be quick.
type Observer interface {
	// Attempt reports an attempt once its answer has been read (or it failed).
	Attempt(ctx context.Context, a Attempt)
	// InFlight reports attempts starting (+1) and ending (-1).
	InFlight(delta int)
}

// Attempt is one attempt at an upstream call.
type Attempt struct {
	Op       string // the spec's operationId
	Retry    bool   // not the call's first attempt
	Status   int    // the answer's HTTP status; 0 when none came
	Err      error  // why no answer came
	Duration time.Duration
}

type noObserver struct{}

func (noObserver) Attempt(context.Context, Attempt) {}
func (noObserver) InFlight(int)                     {}

// CircuitOpenError is an attempt refused without a call because the upstream
// has been failing: the circuit breaker is open, or is letting only its
// probe through.
type CircuitOpenError struct{ cause error }

func (e *CircuitOpenError) Error() string { return "circuit breaker open: " + e.cause.Error() }
func (e *CircuitOpenError) Unwrap() error { return e.cause }

// BreakerPolicy says when the circuit breaker stops calls to a failing
// upstream, and how it lets them back.
type BreakerPolicy struct {
	Disabled     bool
	Window       time.Duration // failures are counted over this rolling window
	MinAttempts  uint32        // the breaker judges no window with fewer attempts
	FailureRatio float64       // it opens when at least this share of attempts failed
	OpenFor      time.Duration // then refuses every call this long, before one probe
}

// DefaultBreaker opens when 90% of at least 30 attempts in the last 10s
// failed (5xx, refused, reset, timed out), refuses calls for 5s, then lets
// one probe through: its success closes the circuit, its failure opens it
// again. At a steady 50% of failures, 30 attempts reach 90% about once in
// 250,000 windows.
var DefaultBreaker = BreakerPolicy{Window: 10 * time.Second, MinAttempts: 30, FailureRatio: 0.9, OpenFor: 5 * time.Second}

// newHealth makes the rolling window of attempts, which trips as a breaker
// unless the policy disables it.
func newHealth(p BreakerPolicy) *gobreaker.TwoStepCircuitBreaker[struct{}] {
	return gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:         "gitbook",
		MaxRequests:  1,
		Interval:     p.Window,
		BucketPeriod: p.Window / 10,
		Timeout:      p.OpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return !p.Disabled && c.Requests >= p.MinAttempts && float64(c.TotalFailures) >= p.FailureRatio*float64(c.Requests)
		},
		IsExcluded: func(err error) bool {
			// A caller that gave up, or one credential's rate limit, says
			// nothing of the upstream's health.
			return errors.Is(err, errCallerGaveUp) || errors.Is(err, errRateLimitedAttempt)
		},
	})
}

// credentialKey identifies a credential without keeping it.
func credentialKey(authorization string) [32]byte {
	return sha256.Sum256([]byte(authorization))
}

// rateLimitHolds keeps, per credential, the time before which GitBook asked
// it to make no call: after a 429 (Retry-After or X-RateLimit-Reset), or a
// success with X-RateLimit-Remaining: 0 (until X-RateLimit-Reset).
type rateLimitHolds struct {
	mu    sync.Mutex
	until map[[32]byte]time.Time
}

func newRateLimitHolds() *rateLimitHolds {
	return &rateLimitHolds{until: map[[32]byte]time.Time{}}
}

// defaultHold is how long a 429 that names no time holds its credential.
const defaultHold = time.Second

// wait returns when the credential may call again. A hold that would outlast
// the caller's deadline is refused at once with a *RateLimitHoldError.
func (h *rateLimitHolds) wait(ctx context.Context, key [32]byte) error {
	h.mu.Lock()
	until, held := h.until[key]
	now := time.Now()
	if held && !until.After(now) {
		delete(h.until, key)
		held = false
	}
	h.mu.Unlock()
	if !held {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && deadline.Before(until) {
		return &RateLimitHoldError{Until: until}
	}
	// A little jitter, so that callers held together do not all call at once.
	t := time.NewTimer(until.Sub(now) + rand.N(50*time.Millisecond))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *rateLimitHolds) observe(key [32]byte, resp *http.Response) {
	now := time.Now()
	var until time.Time
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		wait, ok := serverWait(resp, now)
		if !ok {
			wait = defaultHold
		}
		until = now.Add(wait)
	case resp.Header.Get("X-RateLimit-Remaining") == "0":
		reset, ok := parseEpoch(resp.Header.Get("X-RateLimit-Reset"))
		if !ok || !reset.After(now) {
			return
		}
		until = reset
	default:
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if until.After(h.until[key]) {
		h.until[key] = until
	}
	if len(h.until) > 1024 { // forget holds that have passed
		for k, u := range h.until {
			if !u.After(now) {
				delete(h.until, k)
			}
		}
	}
}

// RateLimitHoldError is a call refused without being sent: GitBook asked
// this credential to wait until Until, past the caller's deadline.
type RateLimitHoldError struct{ Until time.Time }

func (e *RateLimitHoldError) Error() string {
	return "GitBook asked this credential to wait until " + e.Until.UTC().Format(time.RFC3339) + ", past the request's deadline"
}

// RetryBudget bounds the load that retries add, across the process. It
// reads the breaker's rolling window of attempts, and stops retries once the
// window shows, with 95% confidence, that at least StopRatio of attempts
// fail (the Wilson score interval's lower bound). So retries flow at a
// steady 50% of failures, where a read needs them to answer (about two
// attempts a call), and stop in an outage after 16 failures in a row, where
// they would only multiply the load; past the breaker's FailureRatio even
// first attempts stop. A budget that grants retries a fixed share of
// requests (Finagle's 20%, the SRE book's 10%) would fail most reads at 50%.
type RetryBudget struct {
	Disabled  bool
	StopRatio float64
}

// DefaultRetryBudget stops retries once 80% of attempts surely fail.
var DefaultRetryBudget = RetryBudget{StopRatio: 0.8}

// retryAllowed says whether one more retry fits the budget.
func (g *guard) retryAllowed() bool {
	allowed := g.budget.Disabled
	if !allowed {
		c := g.health.Counts()
		allowed = wilsonLowerBound(c.TotalFailures, c.Requests) < g.budget.StopRatio
	}
	if allowed {
		g.retriesGranted.Add(1)
	} else {
		g.retriesDenied.Add(1)
	}
	return allowed
}

// wilsonLowerBound is the lower end of the 95% Wilson score interval of a
// proportion: the share of failures the window shows at the least.
func wilsonLowerBound(failures, n uint32) float64 {
	if n == 0 {
		return 0
	}
	const z = 1.96
	total, p := float64(n), float64(failures)/float64(n)
	centre := p + z*z/(2*total)
	spread := z * math.Sqrt(p*(1-p)/total+z*z/(4*total*total))
	return (centre - spread) / (1 + z*z/total)
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
