package upstream

import (
	"context"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// RetryPolicy says which failed attempts are made again, and when, in
// go-retryablehttp's own terms: its RetryMax, the RetryWaitMin and
// RetryWaitMax it gives Backoff, and its CheckRetry and Backoff hooks.
//
// The client applies it to reads. A write is resent only when it provably
// never left (its connection could not be opened), and only then asks
// CheckRetry; a read's retry of a failure also needs its credential's
// RetryBudget's leave. Those two rules are the client's, whatever the policy.
type RetryPolicy struct {
	MaxRetries int           // attempts after a call's first
	MinWait    time.Duration // given to Backoff: the first retry's longest wait
	MaxWait    time.Duration // given to Backoff: the longest wait of any retry
	// CheckRetry says, after each attempt, whether to make another. nil:
	// DefaultCheckRetry(MinWait, MaxWait, DefaultMaxServerWait).
	CheckRetry retryablehttp.CheckRetry
	// Backoff says how long to wait before the next attempt. nil:
	// DefaultBackoff.
	Backoff retryablehttp.Backoff
}

// The default policy: up to ten retries of a read, with full-jitter
// exponential backoff from 25ms to 1s, honouring the upstream's Retry-After
// and rate-limit reset up to 10s, and never past the caller's deadline. The
// cap is a bound on one call's tail: at a steady 50% of failed attempts a
// read still fails one time in 2^11. What bounds the load retries add is
// each credential's budget (DefaultRetryBudget) and breaker
// (DefaultBreakerPolicy).
const (
	DefaultMaxRetries    = 10
	DefaultMinWait       = 25 * time.Millisecond
	DefaultMaxWait       = time.Second
	DefaultMaxServerWait = 10 * time.Second // the longest Retry-After or rate-limit reset worth waiting for
)

// DefaultRetryPolicy is the policy of a client whose Options.Retry is nil.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: DefaultMaxRetries, MinWait: DefaultMinWait, MaxWait: DefaultMaxWait}.withDefaults()
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.CheckRetry == nil {
		p.CheckRetry = DefaultCheckRetry(p.MinWait, p.MaxWait, DefaultMaxServerWait)
	}
	if p.Backoff == nil {
		p.Backoff = DefaultBackoff
	}
	return p
}

// DefaultCheckRetry is the default policy's CheckRetry. It makes another
// attempt after one that got no answer, unless the client's guards refused
// it unsent or the request cannot succeed as it is (an untrusted
// certificate, a scheme mismatch); and after a 429, 502, 503 or 504, unless
// the upstream asked for a wait longer than maxServerWait. Either way only
// when the wait before the next attempt (the upstream's, else DefaultBackoff's
// ceiling between minWait and maxWait) ends before the caller's deadline: a
// retry that cannot start in time is not made, and the caller hears now of
// what failed.
func DefaultCheckRetry(minWait, maxWait, maxServerWait time.Duration) retryablehttp.CheckRetry {
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		fits := func(serverWait time.Duration) bool {
			return fitsDeadline(ctx, serverWait, ceiling(minWait, maxWait, attemptOf(ctx)))
		}
		if err != nil {
			var held *RateLimitHoldError
			var open *CircuitOpenError
			if errors.As(err, &held) || errors.As(err, &open) {
				return false, nil // refused before any call: retrying would be refused too
			}
			return retryableTransportError(err) && fits(0), nil
		}
		switch resp.StatusCode {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		default:
			return false, nil
		}
		wait, named := ServerWait(resp, time.Now())
		if named && wait > maxServerWait {
			return false, nil // answer now rather than hold the caller
		}
		return fits(wait), nil
	}
}

// fitsDeadline says whether the longest wait before the next attempt, the
// upstream's or else the backoff's ceiling, ends before ctx's deadline.
func fitsDeadline(ctx context.Context, serverWait, backoffCeiling time.Duration) bool {
	deadline, ok := ctx.Deadline()
	if !ok {
		return true
	}
	wait := serverWait
	if wait == 0 {
		wait = backoffCeiling
	}
	return time.Now().Add(wait).Before(deadline)
}

// DefaultBackoff is the default policy's Backoff: the upstream's own wait
// when it names one (ServerWait, not capped: DefaultCheckRetry refuses the
// long ones), else full jitter under an exponential ceiling, minWait doubled
// for each retry up to maxWait.
func DefaultBackoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if wait, ok := ServerWait(resp, time.Now()); ok {
			return wait
		}
	}
	c := ceiling(minWait, maxWait, attempt)
	if c <= 0 {
		return 0
	}
	return rand.N(c + 1)
}

// ceiling is DefaultBackoff's longest wait after the attempt-th attempt (from 0).
func ceiling(minWait, maxWait time.Duration, attempt int) time.Duration {
	if attempt < 0 {
		attempt = 0
	}
	if attempt < 30 && minWait<<attempt < maxWait {
		return minWait << attempt
	}
	return maxWait
}

// retryableTransportError says whether a read that got no answer is worth
// making again: not when the request itself was malformed or the peer's
// certificate is not trusted.
func retryableTransportError(err error) bool {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &invalidCert):
		return false
	case errors.Is(err, http.ErrSchemeMismatch):
		return false
	}
	return true
}
