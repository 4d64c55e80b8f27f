package upstream

import (
	"context"
	"sync/atomic"
	"time"
)

// Tally counts the upstream work done on behalf of one context (a GraphQL
// request): attempts, retries among them, and their time, summed. Attach it
// with WithTally; every attempt made with that context or one derived from
// it counts.
type Tally struct {
	attempts, retries, nanos atomic.Int64
}

// TallyCounts is a Tally read at one moment.
type TallyCounts struct {
	Attempts int64
	Retries  int64
	Time     time.Duration
}

// Counts reads the tally.
func (t *Tally) Counts() TallyCounts {
	return TallyCounts{Attempts: t.attempts.Load(), Retries: t.retries.Load(), Time: time.Duration(t.nanos.Load())}
}

func (t *Tally) add(retry bool, d time.Duration) {
	t.attempts.Add(1)
	if retry {
		t.retries.Add(1)
	}
	t.nanos.Add(int64(d))
}

type tallyKey struct{}

// WithTally returns ctx with t attached.
func WithTally(ctx context.Context, t *Tally) context.Context {
	return context.WithValue(ctx, tallyKey{}, t)
}

func tallyOf(ctx context.Context) *Tally {
	t, _ := ctx.Value(tallyKey{}).(*Tally)
	return t
}
