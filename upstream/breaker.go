package upstream

import (
	"errors"
	"time"

	"github.com/sony/gobreaker/v2"
)

// BreakerPolicy says when a credential's circuit breaker stops its calls
// to a failing upstream, and how it lets them back. Each credential has a
// breaker of its own: one whose calls fail stops no other's.
type BreakerPolicy struct {
	Disabled     bool
	Window       time.Duration // failures are counted over this rolling window
	MinAttempts  uint32        // the breaker judges no window with fewer attempts
	FailureRatio float64       // it opens when at least this share of attempts failed
	OpenFor      time.Duration // then refuses every call this long, before one probe
}

// DefaultBreakerPolicy opens a credential's breaker when 90% of at least 30
// of its attempts in the last 10s failed (5xx, refused, reset, timed out),
// refuses its calls for 5s, then
// lets one probe through: its success closes the circuit, its failure opens
// it again. At a steady 50% of failures, 30 attempts reach 90% about once in
// 250,000 windows.
func DefaultBreakerPolicy() BreakerPolicy {
	return BreakerPolicy{Window: 10 * time.Second, MinAttempts: 30, FailureRatio: 0.9, OpenFor: 5 * time.Second}
}

// withDefaults gives a policy without a window or an open time the default's.
func (p BreakerPolicy) withDefaults() BreakerPolicy {
	d := DefaultBreakerPolicy()
	if p.Window <= 0 {
		p.Window = d.Window
	}
	if p.OpenFor <= 0 {
		p.OpenFor = d.OpenFor
	}
	return p
}

// CircuitOpenError is an attempt refused without a call because the
// upstream has been failing the credential's calls: its circuit breaker is
// open, or is letting only its probe through.
type CircuitOpenError struct{ cause error }

func (e *CircuitOpenError) Error() string { return "circuit breaker open: " + e.cause.Error() }
func (e *CircuitOpenError) Unwrap() error { return e.cause }

// What the guard tells the breaker of attempts that did not succeed.
var (
	errServerFailure      = errors.New("server failure")
	errRateLimitedAttempt = errors.New("rate limited")
	errCallerGaveUp       = errors.New("the caller gave up")
)

// breakerSettings are the settings of each credential's breaker: its
// rolling window of attempts, which trips unless the policy disables it.
func breakerSettings(p BreakerPolicy) gobreaker.Settings {
	return gobreaker.Settings{
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
	}
}
