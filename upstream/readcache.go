package upstream

import (
	"strings"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// readCache keeps successful reads for Sharing.CacheTTL, by readKey: per
// credential and URL. Writes forget what their credential had cached. A nil
// readCache keeps nothing.
type readCache struct {
	lru *expirable.LRU[string, *answer]
}

func newReadCache(s Sharing) *readCache {
	if s.CacheTTL <= 0 {
		return nil
	}
	return &readCache{lru: expirable.NewLRU[string, *answer](s.CacheSize, nil, s.CacheTTL)}
}

func (rc *readCache) get(key string) (*answer, bool) {
	if rc == nil {
		return nil, false
	}
	return rc.lru.Get(key)
}

// add keeps a successful answer; failures are asked again.
func (rc *readCache) add(key string, a *answer) {
	if rc != nil && a.status >= 200 && a.status <= 299 {
		rc.lru.Add(key, a)
	}
}

// forget drops what a credential had cached; writes call it.
func (rc *readCache) forget(authorization string) {
	if rc == nil {
		return
	}
	prefix := readKey(authorization, "")
	for _, k := range rc.lru.Keys() {
		if strings.HasPrefix(k, prefix) {
			rc.lru.Remove(k)
		}
	}
}
