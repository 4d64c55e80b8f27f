package upstream

import (
	"context"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy says which failed calls are made again, and when. Only reads
// are retried; a write is resent only when it provably never left (its
// connection could not be opened).
type RetryPolicy struct {
	MaxRetries    int           // attempts after the first
	MinWait       time.Duration // base of the exponential backoff
	MaxWait       time.Duration // cap of one backoff wait
	MaxServerWait time.Duration // the longest Retry-After or rate-limit reset worth waiting for; 0: DefaultRetry's
}

// DefaultRetry: up to ten retries of a read, with full-jitter exponential
// backoff from 25ms to 1s, honouring the upstream's Retry-After and
// rate-limit reset up to 10s, and never past the caller's deadline. The cap
// is a bound on one call's tail: at a steady 50% of failed attempts a read
// still fails one time in 2^11. What bounds the load retries add is the
// process-wide budget (DefaultRetryBudget) and the breaker (DefaultBreaker).
var DefaultRetry = RetryPolicy{MaxRetries: 10, MinWait: 25 * time.Millisecond, MaxWait: time.Second, MaxServerWait: 10 * time.Second}

// call describes the request in flight, for the retry hooks, which see only
// its context. Its attempts are counted one after another, never at once.
type call struct {
	op         string
	idempotent bool
	attempts   int
}

type callKey struct{}

func withCall(ctx context.Context, c *call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

func callOf(ctx context.Context) *call {
	if c, ok := ctx.Value(callKey{}).(*call); ok {
		return c
	}
	return &call{}
}

// retrier is the retry policy with the process-wide budget it draws on.
type retrier struct {
	RetryPolicy
	allowRetry func() bool
}

// checkRetry is go-retryablehttp's CheckRetry hook: it is called after every
// attempt, and says whether to make another.
func (p retrier) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	c := callOf(ctx)
	c.attempts++
	if err != nil {
		var held *RateLimitHoldError
		var open *CircuitOpenError
		switch {
		case errors.As(err, &held), errors.As(err, &open):
			return false, nil // refused before any call: retrying would be refused too
		case !c.idempotent:
			return neverSent(err) && p.fitsDeadline(ctx, c, 0), nil
		case !retryableTransportError(err):
			return false, nil
		}
		return p.worthRetrying(ctx, c, 0), nil
	}
	if !c.idempotent {
		return false, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
	default:
		return false, nil
	}
	wait, named := serverWait(resp, time.Now())
	if named && wait > p.MaxServerWait {
		return false, nil // answer now rather than hold the caller
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		// A rate limit is the credential's, not a failure of the upstream:
		// waiting it out costs the upstream nothing, so no budget is spent.
		return p.fitsDeadline(ctx, c, wait), nil
	}
	return p.worthRetrying(ctx, c, wait), nil
}

// worthRetrying says whether a failed read may be made again: within the
// budget, and with its wait ending before the caller's deadline.
func (p retrier) worthRetrying(ctx context.Context, c *call, serverWait time.Duration) bool {
	return p.fitsDeadline(ctx, c, serverWait) && p.allowRetry()
}

// fitsDeadline says whether the longest wait before the next attempt ends
// before the caller's deadline: a retry that cannot start in time is not made.
func (p retrier) fitsDeadline(ctx context.Context, c *call, serverWait time.Duration) bool {
	deadline, ok := ctx.Deadline()
	if !ok {
		return true
	}
	wait := serverWait
	if wait == 0 {
		wait = p.ceiling(c.attempts - 1)
	}
	return time.Now().Add(wait).Before(deadline)
}

// ceiling is the longest backoff after the attempt-th retry (from 0).
func (p RetryPolicy) ceiling(attempt int) time.Duration {
	if attempt < 0 {
		attempt = 0
	}
	if attempt < 30 && p.MinWait<<attempt < p.MaxWait {
		return p.MinWait << attempt
	}
	return p.MaxWait
}

// backoff is go-retryablehttp's Backoff hook: the upstream's own wait when
// it names one, else full jitter under an exponential ceiling.
func (p retrier) backoff(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if wait, ok := serverWait(resp, time.Now()); ok {
			return wait
		}
	}
	ceiling := p.ceiling(attempt)
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

// serverWait is how long the upstream asked the caller to wait: Retry-After
// (seconds or an HTTP date), else, on a 429, until X-RateLimit-Reset.
func serverWait(resp *http.Response, now time.Time) (time.Duration, bool) {
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
		return d, true
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		if reset, ok := parseEpoch(resp.Header.Get("X-RateLimit-Reset")); ok {
			return max(reset.Sub(now), 0), true
		}
	}
	return 0, false
}

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, 1<<20)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func parseEpoch(v string) (time.Time, bool) {
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil || secs <= 0 {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

// rateLimitOf reads GitBook's rate-limit headers, nil when none came.
func rateLimitOf(resp *http.Response) *RateLimit {
	h := resp.Header
	if h.Get("X-RateLimit-Limit") == "" && h.Get("X-RateLimit-Remaining") == "" &&
		h.Get("X-RateLimit-Reset") == "" && h.Get("Retry-After") == "" {
		return nil
	}
	rl := &RateLimit{}
	rl.Limit, _ = strconv.Atoi(h.Get("X-RateLimit-Limit"))
	rl.Remaining, _ = strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	rl.Reset, _ = parseEpoch(h.Get("X-RateLimit-Reset"))
	rl.RetryAfter, _ = parseRetryAfter(h.Get("Retry-After"), time.Now())
	return rl
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

// OperationOf names the operationId of the call ctx belongs to, or "".
func OperationOf(ctx context.Context) string { return callOf(ctx).op }
