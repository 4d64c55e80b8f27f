package gitbooksim

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateLimits keeps, per Authorization header, the latest time a 429 told
// its caller to wait for, and counts the calls that came before it: a
// client that honours every 429 makes none.
type rateLimits struct {
	mu      sync.Mutex
	named   map[string]time.Time // the latest time named to each credential
	limited map[string]time.Time // set by LimitToken: calls before it get a 429
	early   map[string]int       // calls received before their credential's named time
}

// arrived counts a call received at now as early when its credential had
// been told to wait past now. It says until when LimitToken still limits
// the credential (the zero time when it does not).
func (l *rateLimits) arrived(auth string, now time.Time) (limitedUntil time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.named[auth]) {
		if l.early == nil {
			l.early = map[string]int{}
		}
		l.early[auth]++
	}
	if until := l.limited[auth]; now.Before(until) {
		return until
	}
	return time.Time{}
}

// name records the time a 429 answered to auth named, if later than the
// one before.
func (l *rateLimits) name(auth string, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.named == nil {
		l.named = map[string]time.Time{}
	}
	if until.After(l.named[auth]) {
		l.named[auth] = until
	}
}

// answered429 records what a 429's headers name, when they name a time.
func (l *rateLimits) answered429(auth string, h http.Header, now time.Time) {
	if until, ok := namedTime(h, now); ok {
		l.name(auth, until)
	}
}

// namedTime is when a 429's headers let the caller call again: Retry-After
// (seconds, or an HTTP date), else X-RateLimit-Reset (Unix seconds).
func namedTime(h http.Header, now time.Time) (time.Time, bool) {
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
			return now.Add(time.Duration(secs) * time.Second), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return t, true
		}
	}
	if secs, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil && secs > 0 {
		return time.Unix(secs, 0), true
	}
	return time.Time{}, false
}

// LimitToken has GitBook limit token until the given time, as when it
// answered another client of the same token with a 429 naming it: the
// token's calls before then get a 429 (Retry-After and X-RateLimit-Reset
// rounded up to the second), and count as early.
func (h *Handler) LimitToken(token string, until time.Time) {
	auth := "Bearer " + token
	h.limits.name(auth, until)
	h.limits.mu.Lock()
	defer h.limits.mu.Unlock()
	if h.limits.limited == nil {
		h.limits.limited = map[string]time.Time{}
	}
	if until.After(h.limits.limited[auth]) {
		h.limits.limited[auth] = until
	}
}

// limitedAnswer is the 429 a call gets while LimitToken limits its token.
func limitedAnswer(until, now time.Time) *Fault {
	secs := int64((until.Sub(now) + time.Second - 1) / time.Second)
	hdr := http.Header{}
	hdr.Set("Retry-After", strconv.FormatInt(secs, 10))
	hdr.Set("X-RateLimit-Limit", "60")
	hdr.Set("X-RateLimit-Remaining", "0")
	hdr.Set("X-RateLimit-Reset", strconv.FormatInt(until.Add(time.Second-1).Unix(), 10))
	return &Fault{Status: http.StatusTooManyRequests, Header: hdr}
}

// EarlyCalls counts the calls made with token ("Bearer " and token as
// their Authorization) since the last ResetStats that arrived before the
// latest time a 429 had told that token to wait for (Retry-After, else
// X-RateLimit-Reset, as answered before the call arrived; or LimitToken's).
// A client that honours GitBook's rate limits makes none.
func (h *Handler) EarlyCalls(token string) int {
	h.limits.mu.Lock()
	defer h.limits.mu.Unlock()
	return h.limits.early["Bearer "+token]
}

func (l *rateLimits) resetCounts() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.early = nil
}
