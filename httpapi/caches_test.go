package httpapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestWeightedCacheKeepsToItsBudget(t *testing.T) {
	ctx := context.Background()
	const budget, entries = 64 << 10, 10
	c := NewAPQCache(budget, entries).(*weightedCache[string])

	// Too large for one entry (over budget/64): never kept.
	c.Add(ctx, "big", strings.Repeat("q", MaxAPQBytes(budget)+1))
	if _, ok := c.Get(ctx, "big"); ok {
		t.Error("an entry over its share of the budget was kept")
	}
	// Small entries: at most entries of them, however small.
	for i := range 100 {
		c.Add(ctx, fmt.Sprint("k", i), "{ __typename }")
	}
	c.cache.CleanUp()
	if n := c.cache.EstimatedSize(); n > entries {
		t.Errorf("%d entries kept, want at most %d", n, entries)
	}
	if got := c.cache.WeightedSize(); got > budget {
		t.Errorf("weight %d over the budget %d", got, budget)
	}
	if n := c.cache.EstimatedSize(); n == 0 {
		t.Error("nothing kept")
	}
}
