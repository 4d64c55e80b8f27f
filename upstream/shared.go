package upstream

import (
	"context"
	"errors"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/sync/singleflight"
)

// shared is what reads may share across requests, always within one
// credential: reads of the same URL in flight at once are made once
// (coalescing), and, when a TTL is set, a recent answer is reused (the
// cache). Writes forget what their credential had cached.
type shared struct {
	coalesce bool
	flight   singleflight.Group
	cache    *expirable.LRU[string, *answer] // nil: no cache
}

// Sharing configures what reads share across requests.
type Sharing struct {
	// NoCoalescing makes every read its own call, even when the same read
	// of the same credential is already in flight.
	NoCoalescing bool
	// CacheTTL keeps successful reads this long, per credential and URL; 0
	// (the default) keeps none. A cached answer can be up to CacheTTL stale:
	// a change made in GitBook by anyone else, or with another credential,
	// shows only once the entry expires.
	CacheTTL time.Duration
	// CacheSize bounds the cache's entries. Default 10000.
	CacheSize int
}

func newShared(s Sharing) *shared {
	sh := &shared{coalesce: !s.NoCoalescing}
	if s.CacheTTL > 0 {
		size := s.CacheSize
		if size <= 0 {
			size = 10000
		}
		sh.cache = expirable.NewLRU[string, *answer](size, nil, s.CacheTTL)
	}
	return sh
}

// key is the credential (hashed: the process keeps no token) and the URL.
func sharedKey(authorization, target string) string {
	k := credentialKey(authorization)
	return string(k[:]) + target
}

// read makes a GET, shared as the client's Sharing allows.
func (c *Client) read(ctx context.Context, op, method, target string) (*answer, error) {
	sh := c.shared
	if sh == nil || (!sh.coalesce && sh.cache == nil) {
		return c.send(ctx, op, method, target, nil)
	}
	key := sharedKey(c.authorization, target)
	if sh.cache != nil {
		if a, ok := sh.cache.Get(key); ok {
			return a, nil
		}
	}
	fetch := func() (*answer, error) {
		a, err := c.send(ctx, op, method, target, nil)
		if err == nil && sh.cache != nil && a.status >= 200 && a.status <= 299 {
			sh.cache.Add(key, a)
		}
		return a, err
	}
	if !sh.coalesce {
		return fetch()
	}
	for {
		ch := sh.flight.DoChan(key, func() (any, error) { return fetch() })
		select {
		case r := <-ch:
			if r.Err != nil && r.Shared && ctx.Err() == nil && leaderGaveUp(r.Err) {
				continue // the caller that made the read went away; make it again
			}
			a, _ := r.Val.(*answer)
			return a, r.Err
		case <-ctx.Done():
			return nil, transportError(ctx, op, true, ctx.Err())
		}
	}
}

// leaderGaveUp says whether a shared read failed because the caller that
// made it stopped waiting, which says nothing to the others.
func leaderGaveUp(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// forget drops what a credential had cached; writes call it.
func (sh *shared) forget(authorization string) {
	if sh == nil || sh.cache == nil {
		return
	}
	prefix := sharedKey(authorization, "")
	for _, k := range sh.cache.Keys() {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			sh.cache.Remove(k)
		}
	}
}
