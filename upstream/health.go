package upstream

import (
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/sony/gobreaker/v2"
	"golang.org/x/sync/semaphore"
)

// credentialHealth is what the guard judges one credential's calls by: its
// circuit breaker, whose rolling window of attempts the retry budget also
// reads, and the retries that budget granted and denied.
type credentialHealth struct {
	breaker        *gobreaker.TwoStepCircuitBreaker[struct{}]
	retriesGranted atomic.Int64
	retriesDenied  atomic.Int64
	// slots bounds the credential's attempts in flight to its share of the
	// process's: calls that hang for one credential hold no more than it.
	slots *semaphore.Weighted
}

// healthByCredential keeps each credential's health apart: a credential
// whose calls fail (GitBook failing its organization, its connections
// reset) stops its own calls and spends its own budget, never another's;
// nor can another's successes hide its failures. It keeps the credentials
// used most recently, up to a bound; one forgotten starts afresh, its
// breaker closed, the next time it calls: forgetting fails open.
type healthByCredential struct {
	settings gobreaker.Settings
	recent   *lru.Cache[Credential, *credentialHealth]
	share    int64 // each credential's slots
}

func newHealthByCredential(p BreakerPolicy, size, share int) *healthByCredential {
	recent, err := lru.New[Credential, *credentialHealth](size)
	if err != nil { // size <= 0: withDefaults gives a positive one
		panic(err)
	}
	return &healthByCredential{settings: breakerSettings(p), recent: recent, share: int64(max(share, 1))}
}

// of is c's health, made when it has none. A credential already kept, as
// on nearly every attempt, costs a map lookup under the cache's lock, no
// allocation.
func (h *healthByCredential) of(c Credential) *credentialHealth {
	if ch, ok := h.recent.Get(c); ok {
		return ch
	}
	ch := &credentialHealth{breaker: gobreaker.NewTwoStepCircuitBreaker[struct{}](h.settings), slots: semaphore.NewWeighted(h.share)}
	if kept, found, _ := h.recent.PeekOrAdd(c, ch); found {
		return kept // made meanwhile by another attempt
	}
	return ch
}

// peek is c's health if it is kept, without making it or marking it used.
func (h *healthByCredential) peek(c Credential) (*credentialHealth, bool) {
	return h.recent.Peek(c)
}

// openBreakers counts the credentials kept whose breaker is open, and all
// those kept.
func (h *healthByCredential) openBreakers() (open, kept int) {
	all := h.recent.Values()
	for _, ch := range all {
		if ch.breaker.State() == gobreaker.StateOpen {
			open++
		}
	}
	return open, len(all)
}
