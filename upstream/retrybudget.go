package upstream

import (
	"context"
	"math"
	"net/http"

	"github.com/hashicorp/go-retryablehttp"
)

// RetryBudget bounds the load that retries add, per credential. It reads
// the credential's breaker window of attempts, and stops its retries once
// the window shows, with 95% confidence, that at least StopRatio of
// attempts fail (the Wilson score interval's lower bound). So retries flow
// at a steady 50% of failures, where a read needs them to answer (about
// two attempts a call), and stop in an outage after 16 failures in a row,
// where they would only multiply the load; past the breaker's FailureRatio
// even first attempts stop. A budget that grants retries a fixed share of
// requests (Finagle's 20%, the SRE book's 10%) would fail most reads at
// 50%. Kept per credential, one credential's failures neither spend
// another's budget nor hide among another's successes.
type RetryBudget struct {
	Disabled  bool
	StopRatio float64
}

// DefaultRetryBudget stops retries once 80% of attempts surely fail.
func DefaultRetryBudget() RetryBudget { return RetryBudget{StopRatio: 0.8} }

// budgeted is the CheckRetry of reads: the policy's, and then, for a retry
// of a failure, the budget's leave. A rate limit is the credential's, not a
// failure of the upstream: waiting it out costs the upstream nothing, so no
// budget is spent on it.
func (g *guard) budgeted(check retryablehttp.CheckRetry) retryablehttp.CheckRetry {
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		retry, checkErr := check(ctx, resp, err)
		if retry && (err != nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests) {
			retry = g.retryAllowed(g.health.of(credentialOfContext(ctx)))
		}
		return retry, checkErr
	}
}

// retryAllowed says whether one more retry of a credential fits its budget.
func (g *guard) retryAllowed(h *credentialHealth) bool {
	allowed := g.budget.Disabled
	if !allowed {
		c := h.breaker.Counts()
		allowed = wilsonLowerBound(c.TotalFailures, c.Requests) < g.budget.StopRatio
	}
	if allowed {
		h.retriesGranted.Add(1)
		g.retriesGranted.Add(1)
	} else {
		h.retriesDenied.Add(1)
		g.retriesDenied.Add(1)
	}
	return allowed
}

// wilsonLowerBound is the lower end of the 95% Wilson score interval of a
// proportion: the share of failures the window shows at the least.
func wilsonLowerBound(failures, n uint32) float64 {
	if n == 0 {
		return 0
	}
	const z = 1.96
	total, p := float64(n), float64(failures)/float64(n)
	centre := p + z*z/(2*total)
	spread := z * math.Sqrt(p*(1-p)/total+z*z/(4*total*total))
	return (centre - spread) / (1 + z*z/total)
}
