package upstream

import (
	"net/http"
	"strconv"
	"time"
)

// RateLimit is what GitBook says of a credential's rate limit.
type RateLimit struct {
	Limit      int           // X-RateLimit-Limit
	Remaining  int           // X-RateLimit-Remaining
	Reset      time.Time     // X-RateLimit-Reset, zero when absent
	RetryAfter time.Duration // Retry-After, zero when absent
}

// GitBook's rate-limit headers, in Go's canonical form: Header.Get of
// "X-RateLimit-Remaining" makes the canonical key anew, an allocation, on
// each of the three reads of every answer.
var (
	headerLimit      = http.CanonicalHeaderKey("X-RateLimit-Limit")
	headerRemaining  = http.CanonicalHeaderKey("X-RateLimit-Remaining")
	headerReset      = http.CanonicalHeaderKey("X-RateLimit-Reset")
	headerRetryAfter = http.CanonicalHeaderKey("Retry-After")
)

// headerValue is h's first value for a canonical key.
func headerValue(h http.Header, canonical string) string {
	if v := h[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// rateLimitOf reads GitBook's rate-limit headers, nil when none came.
func rateLimitOf(resp *http.Response) *RateLimit {
	h := resp.Header
	if headerValue(h, headerLimit) == "" && headerValue(h, headerRemaining) == "" &&
		headerValue(h, headerReset) == "" && headerValue(h, headerRetryAfter) == "" {
		return nil
	}
	rl := &RateLimit{}
	rl.Limit, _ = strconv.Atoi(headerValue(h, headerLimit))
	rl.Remaining, _ = strconv.Atoi(headerValue(h, headerRemaining))
	rl.Reset, _ = parseEpoch(headerValue(h, headerReset))
	rl.RetryAfter, _ = parseRetryAfter(headerValue(h, headerRetryAfter), time.Now())
	return rl
}

// ServerWait is how long, from now, the upstream asked the caller to wait
// before calling again: Retry-After (seconds or an HTTP date), else, on a
// 429, until X-RateLimit-Reset. ok is false when it named no wait. A Backoff
// of one's own should honour it, as DefaultBackoff does.
func ServerWait(resp *http.Response, now time.Time) (wait time.Duration, ok bool) {
	if d, ok := parseRetryAfter(headerValue(resp.Header, headerRetryAfter), now); ok {
		return d, true
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		if reset, ok := parseEpoch(headerValue(resp.Header, headerReset)); ok {
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

// RateLimitHoldError is a call refused without being sent: GitBook asked
// this credential to wait until Until, past the caller's deadline.
type RateLimitHoldError struct{ Until time.Time }

func (e *RateLimitHoldError) Error() string {
	return "GitBook asked this credential to wait until " + e.Until.UTC().Format(time.RFC3339) + ", past the request's deadline"
}
