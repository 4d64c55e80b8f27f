package upstream

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// RateLimit is what GitBook says of a credential's rate limit.
type RateLimit struct {
	Limit      int           // X-RateLimit-Limit
	Remaining  int           // X-RateLimit-Remaining
	Reset      time.Time     // X-RateLimit-Reset, zero when absent
	RetryAfter time.Duration // Retry-After, zero when absent
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

// ServerWait is how long, from now, the upstream asked the caller to wait
// before calling again: Retry-After (seconds or an HTTP date), else, on a
// 429, until X-RateLimit-Reset. ok is false when it named no wait. A Backoff
// of one's own should honour it, as DefaultBackoff does.
func ServerWait(resp *http.Response, now time.Time) (wait time.Duration, ok bool) {
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
		wait, ok := ServerWait(resp, now)
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
