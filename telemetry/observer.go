package telemetry

import (
	"context"
	"errors"
	"net"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/gitbook-graphql/facade/upstream"
)

// Observer is the upstream client's one way out for an attempt's facts:
// each attempt is added to the record of the request it was made for (found
// in its context, as WithRecord put it there), to the metrics m (none when
// nil), and, as an event, to the span the call was made under when that
// span is recorded.
func Observer(m *Metrics) upstream.Observer { return observer{m} }

type observer struct{ m *Metrics }

func (o observer) Attempt(ctx context.Context, a upstream.Attempt) {
	if rec := RecordOf(ctx); rec != nil {
		rec.addAttempt(a)
	}
	if o.m != nil {
		o.m.observeAttempt(a)
	}
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent("gitbook.attempt", trace.WithAttributes(
			attribute.String("gitbook.operation", a.Op),
			attribute.String("gitbook.status", statusLabel(a)),
			attribute.Bool("gitbook.retry", a.Retry),
			attribute.Float64("gitbook.duration_ms", float64(a.Duration.Microseconds())/1000),
		))
	}
}

func (o observer) InFlight(delta int) {
	if o.m != nil {
		o.m.inFlight.Add(float64(delta))
	}
}

// statusLabel names an attempt's outcome: its HTTP status, else timeout or
// error (never the error's text, which may hold addresses).
func statusLabel(a upstream.Attempt) string {
	if a.Status != 0 {
		return strconv.Itoa(a.Status)
	}
	var nerr net.Error
	if errors.Is(a.Err, context.DeadlineExceeded) || errors.As(a.Err, &nerr) && nerr.Timeout() {
		return "timeout"
	}
	return "error"
}
