package upstream

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// ReadCache keeps successful reads' bodies per credential and URL, for
// Sharing.CacheTTL. The client asks it before a read, adds what it read,
// and after a write makes it forget what that credential had cached.
// NewLocalReadCache keeps them in process; a store shared by replicas
// (package redisstate) keeps them for all of them, so that a write through
// one is seen at once through the others. It must be safe for concurrent
// use.
type ReadCache interface {
	// Get returns the body c cached for target. On a miss it returns keep,
	// which caches the body then read afresh, unless a write of c came
	// between Get and keep: that body may predate the write. The body must
	// not be changed once given to keep or returned.
	Get(ctx context.Context, c Credential, target string) (body []byte, hit bool, keep func(body []byte))
	// Forget drops every read c had cached.
	Forget(ctx context.Context, c Credential)
}

// LocalReadCache is the in-process ReadCache: a bounded LRU whose entries
// expire.
type LocalReadCache struct {
	lru *expirable.LRU[string, []byte]
	// writes counts Forget calls: a read that saw a write come while it
	// was in flight is not kept. Counting them all, not per credential,
	// keeps a little less when others write, and needs no map.
	writes atomic.Uint64
}

// NewLocalReadCache keeps up to size reads, each for ttl.
func NewLocalReadCache(size int, ttl time.Duration) *LocalReadCache {
	return &LocalReadCache{lru: expirable.NewLRU[string, []byte](size, nil, ttl)}
}

func localKey(c Credential, target string) string { return string(c[:]) + target }

func (rc *LocalReadCache) Get(_ context.Context, c Credential, target string) ([]byte, bool, func([]byte)) {
	key := localKey(c, target)
	if body, ok := rc.lru.Get(key); ok {
		return body, true, nil
	}
	seen := rc.writes.Load()
	return nil, false, func(body []byte) {
		if rc.writes.Load() == seen {
			rc.lru.Add(key, body)
		}
	}
}

func (rc *LocalReadCache) Forget(_ context.Context, c Credential) {
	rc.writes.Add(1)
	prefix := string(c[:])
	for _, k := range rc.lru.Keys() {
		if strings.HasPrefix(k, prefix) {
			rc.lru.Remove(k)
		}
	}
}

// Purge drops every entry.
func (rc *LocalReadCache) Purge() { rc.lru.Purge() }
