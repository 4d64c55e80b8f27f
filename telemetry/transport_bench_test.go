package telemetry_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/gitbook-graphql/facade/telemetry"
)

// answered is an upstream that answers every attempt at once, so that
// what is measured is the transport's own cost.
type answered struct{}

func (answered) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}"))}, nil
}

// BenchmarkUpstreamTransport is one upstream attempt's cost in the
// telemetry transport with tracing off, side by side with otelhttp's, which
// the transport used before: the caller's traceparent goes upstream in both.
func BenchmarkUpstreamTransport(b *testing.B) {
	otel.SetTextMapPropagator(propagation.TraceContext{})
	tp := noop.NewTracerProvider()
	for name, rt := range map[string]http.RoundTripper{
		"facade":   telemetry.Transport(answered{}, tp),
		"otelhttp": otelhttp.NewTransport(answered{}, otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(otel.GetTextMapPropagator())),
	} {
		b.Run(name, func(b *testing.B) {
			sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled, Remote: true})
			ctx := trace.ContextWithRemoteSpanContext(b.Context(), sc)
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://gitbook.test/v1/spaces/s1", nil)
			b.ReportAllocs()
			for b.Loop() {
				resp, err := rt.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
			}
		})
	}
}
