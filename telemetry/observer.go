package telemetry

import (
	"context"
	"errors"
	"net"
	"strconv"

	"github.com/gitbook-graphql/facade/upstream"
)

// Observer is the upstream client's one way out for an attempt's facts:
// each attempt is added to the record of the request it was made for (found
// in its context, as WithRecord put it there) and to the metrics m (none
// when nil). Traces have each attempt already, as the client span of
// Transport.
func Observer(m *Metrics) upstream.Observer { return observer{m} }

type observer struct{ m *Metrics }

func (o observer) Attempt(ctx context.Context, a upstream.Attempt) {
	if rec := RecordOf(ctx); rec != nil {
		rec.addAttempt(a)
	}
	if o.m != nil {
		o.m.observeAttempt(a)
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
