package upstream_test

import (
	"testing"

	"github.com/gitbook-graphql/facade/upstream"
)

// The defaults are made afresh for each caller: changing the ones a caller
// got changes no other client's.
func TestDefaultsAreFreshValues(t *testing.T) {
	mine := upstream.DefaultOptions()
	mine.Retry.MaxRetries, mine.Budget.StopRatio, mine.Breaker.OpenFor = 0, 0, 0
	theirs := upstream.DefaultOptions()
	if theirs.Retry.MaxRetries != upstream.DefaultMaxRetries || theirs.Budget.StopRatio != upstream.DefaultRetryBudget().StopRatio ||
		theirs.Breaker.OpenFor != upstream.DefaultBreakerPolicy().OpenFor {
		t.Errorf("a change to one caller's defaults shows in another's: %+v %+v %+v", theirs.Retry, theirs.Budget, theirs.Breaker)
	}
	p := upstream.DefaultRetryPolicy()
	if p.CheckRetry == nil || p.Backoff == nil || p.MinWait != upstream.DefaultMinWait || p.MaxWait != upstream.DefaultMaxWait {
		t.Errorf("DefaultRetryPolicy() = %+v, want every hook and wait set", p)
	}
	if theirs.AttemptTimeout <= 0 || theirs.MaxInFlight <= 0 || theirs.Sharing.CacheSize <= 0 || theirs.UserAgent == "" || theirs.Sharing.NoCoalescing {
		t.Errorf("DefaultOptions() = %+v, want every default written out", theirs)
	}
}
