package httpapi

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/maypok86/otter/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// gqlgen's caches of parsed documents and of persisted queries count
// entries, and one entry may be a megabyte of query, or thirty of its parsed
// form: twenty large queries filled gigabytes. These weigh each entry by its
// bytes and keep the total under a budget, and keep at most entries of
// them, each weighing at least budget/entries.

const (
	// DefaultQueryCacheBytes bounds the parsed documents kept.
	DefaultQueryCacheBytes = 16 << 20
	// DefaultAPQCacheBytes bounds the persisted queries kept.
	DefaultAPQCacheBytes = 8 << 20
	// queryCacheEntries is how many parsed documents are kept at most.
	queryCacheEntries = 1000
	// astBytesPerQueryByte is what a parsed and validated document takes
	// per byte of its text, measured on the README's queries: about 28.
	astBytesPerQueryByte = 30
	// maxEntryShare: no one entry may take more than this share of a cache,
	// so that one huge query cannot push out every other.
	maxEntryShare = 64
)

// MaxAPQBytes is the largest persisted query a cache of budget bytes keeps.
func MaxAPQBytes(budget int) int { return budget / maxEntryShare }

// weightedCache is a gqlgen graphql.Cache bounded by weight.
type weightedCache[V any] struct {
	cache     *otter.Cache[string, V]
	weigh     func(key string, value V) uint64 // bytes
	maxWeight uint64                           // bytes of one entry
}

func newWeightedCache[V any](budget uint64, entries int, weigh func(string, V) uint64) *weightedCache[V] {
	floor := budget / uint64(max(entries, 1))
	c := &weightedCache[V]{weigh: weigh, maxWeight: budget / maxEntryShare}
	c.cache = otter.Must(&otter.Options[string, V]{
		MaximumWeight: budget,
		Weigher: func(k string, v V) uint32 {
			return uint32(min(max(weigh(k, v), floor, 1), 1<<32-1))
		},
	})
	return c
}

func (c *weightedCache[V]) Get(_ context.Context, key string) (V, bool) {
	return c.cache.GetIfPresent(key)
}

func (c *weightedCache[V]) Add(_ context.Context, key string, value V) {
	if c.weigh(key, value) > c.maxWeight {
		return // parsed again when it comes again: cheaper than what it would evict
	}
	c.cache.Set(key, value)
}

// newQueryCache keeps parsed documents, weighed by their estimated size.
func newQueryCache(budget int) *weightedCache[*ast.QueryDocument] {
	return newWeightedCache(uint64(budget), queryCacheEntries, func(query string, _ *ast.QueryDocument) uint64 {
		return uint64(len(query)) * astBytesPerQueryByte
	})
}

// NewAPQCache keeps up to entries persisted queries by hash in process,
// weighed by their text, budget bytes in all; one over budget/64 is not
// kept (MaxAPQBytes).
func NewAPQCache(budget, entries int) graphql.Cache[string] {
	return newWeightedCache(uint64(budget), entries, func(hash, query string) uint64 {
		return uint64(len(hash) + len(query))
	})
}
