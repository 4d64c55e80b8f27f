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

// DefaultRetry: up to three retries, with full-jitter exponential backoff
// from 100ms to 2s, honouring the upstream's Retry-After and rate-limit
// reset up to 10s.
var DefaultRetry = RetryPolicy{MaxRetries: 3, MinWait: 100 * time.Millisecond, MaxWait: 2 * time.Second, MaxServerWait: 10 * time.Second}

// call describes the request in flight, for the retry hooks, which see only
// its context.
type call struct {
	op         string
	idempotent bool
}

type callKey struct{}

func withCall(ctx context.Context, c call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

func callOf(ctx context.Context) call {
	c, _ := ctx.Value(callKey{}).(call)
	return c
}

// checkRetry is go-retryablehttp's CheckRetry hook.
func (p RetryPolicy) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	c := callOf(ctx)
	if err != nil {
		if !c.idempotent {
			return neverSent(err), nil
		}
		return retryableTransportError(err), nil
	}
	if !c.idempotent {
		return false, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
	default:
		return false, nil
	}
	if wait, ok := serverWait(resp, time.Now()); ok {
		if wait > p.MaxServerWait {
			return false, nil // answer now rather than hold the caller
		}
		if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
			return false, nil // the upstream's own wait ends past the caller's deadline
		}
	}
	return true, nil
}

// backoff is go-retryablehttp's Backoff hook: the upstream's own wait when
// it names one, else full jitter over an exponential cap.
func (p RetryPolicy) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if wait, ok := serverWait(resp, time.Now()); ok {
			return wait
		}
	}
	ceiling := maxWait
	if attempt < 30 && minWait<<attempt < maxWait {
		ceiling = minWait << attempt
	}
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
