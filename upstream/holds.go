package upstream

import (
	"context"
	"crypto/sha256"
	"net/http"
	"sync"
	"time"
)

// Credential identifies a credential without keeping it: the SHA-256 of
// the Authorization header it is sent as. Everything kept per credential,
// in process or in a shared store, is kept under it.
type Credential [32]byte

// CredentialOf is the Credential of an Authorization header.
func CredentialOf(authorization string) Credential { return sha256.Sum256([]byte(authorization)) }

// anonymous is the Credential of calls sent without an Authorization header.
var anonymous = CredentialOf("")

// HoldStore keeps, per credential, the time before which GitBook asked it
// to make no call. The client asks it before every attempt and tells it of
// every answer that names a hold. NewLocalHolds keeps holds in process; a
// store shared by replicas (package redisstate) keeps them for all of them.
// It must be safe for concurrent use and answer quickly: it is on the path
// of every attempt.
type HoldStore interface {
	// HeldUntil is when c may call again; the zero time when it may now.
	HeldUntil(ctx context.Context, c Credential) time.Time
	// Hold keeps c from calling before until, unless it is held longer.
	Hold(ctx context.Context, c Credential, until time.Time)
}

// LocalHolds is the in-process HoldStore.
type LocalHolds struct {
	mu    sync.Mutex
	until map[Credential]time.Time
}

// NewLocalHolds makes an empty in-process HoldStore.
func NewLocalHolds() *LocalHolds { return &LocalHolds{until: map[Credential]time.Time{}} }

func (h *LocalHolds) HeldUntil(_ context.Context, c Credential) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	until, held := h.until[c]
	if held && !until.After(time.Now()) {
		delete(h.until, c)
		return time.Time{}
	}
	return until
}

func (h *LocalHolds) Hold(_ context.Context, c Credential, until time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if until.After(h.until[c]) {
		h.until[c] = until
	}
	if len(h.until) > 1024 { // forget holds that have passed
		now := time.Now()
		for k, u := range h.until {
			if !u.After(now) {
				delete(h.until, k)
			}
		}
	}
}

// defaultHold is how long a 429 that names no time holds its credential.
const defaultHold = time.Second

// holdOf is the hold an answer asks of its credential: after a 429, until
// Retry-After or X-RateLimit-Reset (defaultHold when it names neither);
// after a success with X-RateLimit-Remaining: 0, until X-RateLimit-Reset.
// ok is false when the answer asks none.
func holdOf(resp *http.Response, now time.Time) (until time.Time, ok bool) {
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		wait, ok := ServerWait(resp, now)
		if !ok {
			wait = defaultHold
		}
		return now.Add(wait), true
	case headerValue(resp.Header, headerRemaining) == "0":
		reset, ok := parseEpoch(headerValue(resp.Header, headerReset))
		if !ok || !reset.After(now) {
			return time.Time{}, false
		}
		return reset, true
	}
	return time.Time{}, false
}
