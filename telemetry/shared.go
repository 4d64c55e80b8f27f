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

// OperationName is the name an operation is logged and counted under.
func OperationName(opCtx *graphql.OperationContext) string { return operationName(opCtx) }

// Shared records a request answered by another's execution of the same
// query, operation, begun at start: in its record (the access log's line)
// the operation and the answer's error codes, no upstream call; in the
// metrics, the request as any other, and once more in
// graphql_requests_deduplicated_total. m may be nil.
func (m *Metrics) Shared(ctx context.Context, operation string, start time.Time, o Outcome) {
	if rec := RecordOf(ctx); rec != nil {
		rec.SetOperation(operation)
		for _, code := range o.Codes {
			rec.AddErrorCode(code)
		}
	}
	if m == nil {
		return
	}
	m.observeRequest(operation, o.Outcome, time.Since(start).Seconds())
	m.deduplicated.Inc()
}
