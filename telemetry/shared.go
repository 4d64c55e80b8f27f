package telemetry

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// Outcome is what a request's record and the metrics keep of an answer:
// requests answered by another's identical execution (httpapi's dedupe)
// record the outcome of that execution's answer as their own.
type Outcome struct {
	Outcome string // success, partial or error
	Codes   []string
}

// OutcomeOf summarises an answer.
func OutcomeOf(resp *graphql.Response) Outcome {
	o := Outcome{Outcome: outcomeOf(resp)}
	for _, e := range resp.Errors {
		if code, ok := e.Extensions["code"].(string); ok {
			o.Codes = append(o.Codes, code)
		}
	}
	return o
}

// Shared records a request answered by another's execution of the same
// operation: in its record (the access log's line) the operation and the
// answer's error codes, no upstream call; in the metrics, the request as
// any other, and once more in graphql_requests_deduplicated_total. m may
// be nil.
func (m *Metrics) Shared(ctx context.Context, opCtx *graphql.OperationContext, o Outcome) {
	name := operationName(opCtx)
	if rec := RecordOf(ctx); rec != nil {
		rec.SetOperation(name)
		for _, code := range o.Codes {
			rec.AddErrorCode(code)
		}
	}
	if m == nil {
		return
	}
	start := opCtx.Stats.OperationStart
	if start.IsZero() {
		start = time.Now()
	}
	m.observeRequest(name, o.Outcome, time.Since(start).Seconds())
	m.deduplicated.Inc()
}
