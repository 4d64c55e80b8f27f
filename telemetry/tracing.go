package telemetry

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/gitbook-graphql/facade/upstream"
)

// ServiceName names the facade in traces, unless OTEL_SERVICE_NAME says otherwise.
const ServiceName = "gitbook-graphql-facade"

// TracerProvider returns the tracer provider that the standard OpenTelemetry
// environment (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_*, ...) configures,
// exporting with autoexport. With none of those variables set, or with
// OTEL_SDK_DISABLED=true, tracing is off: a no-op provider, and shutdown
// does nothing. Either way the W3C trace-context propagator is installed,
// so a caller's traceparent still reaches the upstream.
func TracerProvider(ctx context.Context, getenv func(string) string) (trace.TracerProvider, func(context.Context) error, error) {
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	if !tracingConfigured(getenv) {
		return noop.NewTracerProvider(), func(context.Context) error { return nil }, nil
	}
	exporter, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return nil, nil, err
	}
	res, err := resource.Merge(resource.Default(), resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName(ServiceName)))
	if err != nil && !errors.Is(err, resource.ErrSchemaURLConflict) {
		return nil, nil, err
	}
	if fromEnv, err := resource.New(ctx, resource.WithFromEnv()); err == nil {
		if merged, err := resource.Merge(res, fromEnv); err == nil {
			res = merged
		}
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	return tp, tp.Shutdown, nil
}

func tracingConfigured(getenv func(string) string) bool {
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") || getenv("OTEL_TRACES_EXPORTER") == "none" {
		return false
	}
	for _, key := range []string{"OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"} {
		if getenv(key) != "" {
			return true
		}
	}
	return false
}

// Transport wraps the upstream client's transport in otelhttp: a client
// span per attempt, named by the spec's operationId, and the traceparent
// sent upstream. With tracing off (a no-op provider) it only sends the
// traceparent: otelhttp would still build each attempt's metric attributes,
// a tenth of the CPU of a request of 93 calls (bench/PROFILE.md), for
// meters nobody reads.
func Transport(base http.RoundTripper, tp trace.TracerProvider) http.RoundTripper {
	if tracingOff(tp) {
		return propagating{base}
	}
	return otelhttp.NewTransport(base,
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithPropagators(otel.GetTextMapPropagator()),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			if op := upstream.OperationOf(r.Context()); op != "" {
				return "GitBook " + op
			}
			return "GitBook " + r.Method
		}))
}

// Handler wraps the GraphQL handler in otelhttp: a server span per request,
// child of the caller's traceparent when it sends one. With tracing off it
// only takes the caller's traceparent, for Transport to pass on.
func Handler(next http.Handler, tp trace.TracerProvider) http.Handler {
	if tracingOff(tp) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Traceparent") == "" && r.Header.Get("Baggage") == "" {
				next.ServeHTTP(w, r)
				return
			}
			ctx := otel.GetTextMapPropagator().Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
	return otelhttp.NewHandler(next, "POST /graphql",
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithPropagators(otel.GetTextMapPropagator()),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + r.URL.Path }))
}

func tracingOff(tp trace.TracerProvider) bool {
	_, off := tp.(noop.TracerProvider)
	return off
}

// propagating sends the trace context of the request's context upstream,
// and nothing else.
type propagating struct{ next http.RoundTripper }

func (p propagating) RoundTrip(r *http.Request) (*http.Response, error) {
	if !trace.SpanContextFromContext(r.Context()).IsValid() && baggage.FromContext(r.Context()).Len() == 0 {
		return p.next.RoundTrip(r)
	}
	r = r.Clone(r.Context()) // a RoundTripper must not change the caller's request
	otel.GetTextMapPropagator().Inject(r.Context(), propagation.HeaderCarrier(r.Header))
	return p.next.RoundTrip(r)
}
