// Package telemetry is what the facade tells its operators: Prometheus
// metrics, OpenTelemetry traces, and one structured log line per request,
// built from a per-request record that the GraphQL layer and the upstream
// client's observer fill in. No label, attribute or log field holds a token
// or an id.
package telemetry

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitbook-graphql/facade/upstream"
)

// Record is what one request did, filled in as it runs: by the upstream
// client's Observer (calls, retries, time) and by the GraphQL layer
// (operation, error codes). It is safe for concurrent use.
type Record struct {
	RequestID string

	// The request's upstream attempts, retries among them, and their time.
	attempts, retries, nanos atomic.Int64

	mu         sync.Mutex
	operation  string
	errorCodes []string
}

type recordKey struct{}

// WithRecord returns ctx carrying r: the upstream attempts made with ctx,
// or a context derived from it, are added to r by Observer.
func WithRecord(ctx context.Context, r *Record) context.Context {
	return context.WithValue(ctx, recordKey{}, r)
}

// RecordOf returns the request's record, or nil outside one.
func RecordOf(ctx context.Context) *Record {
	r, _ := ctx.Value(recordKey{}).(*Record)
	return r
}

// Upstream tallies the upstream work done for the request.
type Upstream struct {
	Calls   int64 `json:"calls"`   // attempts, retries included
	Retries int64 `json:"retries"` // attempts after a call's first
	MS      int64 `json:"ms"`      // time spent in attempts, summed
}

// Upstream reports the request's upstream tallies so far.
func (r *Record) Upstream() Upstream {
	return Upstream{Calls: r.attempts.Load(), Retries: r.retries.Load(), MS: time.Duration(r.nanos.Load()).Milliseconds()}
}

// addAttempt counts one upstream attempt made for the request.
func (r *Record) addAttempt(a upstream.Attempt) {
	r.attempts.Add(1)
	if a.Retry {
		r.retries.Add(1)
	}
	r.nanos.Add(int64(a.Duration))
}

// SetOperation names the GraphQL operation the request ran.
func (r *Record) SetOperation(name string) {
	r.mu.Lock()
	r.operation = name
	r.mu.Unlock()
}

// AddErrorCode notes one error's extensions.code.
func (r *Record) AddErrorCode(code string) {
	r.mu.Lock()
	if !slices.Contains(r.errorCodes, code) {
		r.errorCodes = append(r.errorCodes, code)
	}
	r.mu.Unlock()
}

// Operation and ErrorCodes read what SetOperation and AddErrorCode noted.
func (r *Record) Operation() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.operation
}

func (r *Record) ErrorCodes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errorCodes)
}
