package telemetry

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// GraphQL is the gqlgen extension that tells what each operation did: it
// names the request's record and notes its error codes, counts it in the
// metrics, traces it (a span for the operation, and one for each field with
// a resolver, which is where upstream calls start), and adds
// extensions.upstream — calls, retries, ms — when the request sends
// DebugHeader.
type GraphQL struct {
	Metrics     *Metrics // nil: no metrics
	Tracer      trace.Tracer
	DebugHeader string
	// Unknown logs the enum values GitBook sent that the schema does not
	// list, once each; nil: not logged (Metrics still count them).
	Unknown *UnknownValues
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = GraphQL{}

// FieldSpans traces each field with a resolver, which is where upstream
// calls start. It is an extension of its own because gqlgen calls a field
// interceptor for every field of every answer: with tracing off it would
// cost a context lookup per field for nothing.
type FieldSpans struct {
	Tracer trace.Tracer
}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = FieldSpans{}

func (FieldSpans) ExtensionName() string                   { return "FieldSpans" }
func (FieldSpans) Validate(graphql.ExecutableSchema) error { return nil }

func (GraphQL) ExtensionName() string                   { return "Telemetry" }
func (GraphQL) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse sees every answer, request errors included.
func (g GraphQL) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	var opCtx *graphql.OperationContext
	if graphql.HasOperationContext(ctx) {
		opCtx = graphql.GetOperationContext(ctx)
	}
	name := operationName(opCtx)
	ctx, span := g.Tracer.Start(ctx, spanName(opCtx, name), trace.WithSpanKind(trace.SpanKindInternal))
	defer span.End()

	resp := next(ctx)
	if resp == nil {
		return resp
	}
	outcome := outcomeOf(resp)
	span.SetAttributes(attribute.String("graphql.operation.name", name), attribute.String("graphql.outcome", outcome))
	if len(resp.Errors) > 0 {
		span.SetStatus(codes.Error, resp.Errors[0].Message)
	}
	if len(resp.Errors) > 0 && (g.Metrics != nil || g.Unknown != nil) {
		g.Unknown.observe(g.Metrics, responseErrors(resp))
	}
	rec := RecordOf(ctx)
	if rec != nil {
		rec.SetOperation(name)
		for _, e := range resp.Errors {
			if code, ok := e.Extensions["code"].(string); ok {
				rec.AddErrorCode(code)
			}
		}
	}
	if g.Metrics != nil {
		start := time.Now()
		if opCtx != nil && !opCtx.Stats.OperationStart.IsZero() {
			start = opCtx.Stats.OperationStart
		}
		g.Metrics.observeRequest(name, outcome, time.Since(start).Seconds())
	}
	if rec != nil && g.DebugHeader != "" && opCtx != nil && opCtx.Headers.Get(g.DebugHeader) != "" {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["upstream"] = rec.Upstream()
	}
	return resp
}

// InterceptField traces the fields that have resolvers: the ones that load
// data, and so call the upstream. Plain fields of a model cost no span.
func (g FieldSpans) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver {
		return next(ctx)
	}
	ctx, span := g.Tracer.Start(ctx, fc.Object+"."+fc.Field.Name, trace.WithSpanKind(trace.SpanKindInternal))
	defer span.End()
	res, err := next(ctx)
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	return res, err
}

// operationName names a request's operation once it has passed validation:
// a request that did not names nothing, so that callers cannot fill logs and
// metric labels with names of their choosing by sending broken documents.
func operationName(opCtx *graphql.OperationContext) string {
	switch {
	case opCtx == nil || opCtx.Operation == nil:
		return ""
	case opCtx.OperationName != "":
		return opCtx.OperationName
	case opCtx.Operation != nil:
		return opCtx.Operation.Name
	}
	return ""
}

func spanName(opCtx *graphql.OperationContext, name string) string {
	kind := "query"
	if opCtx != nil && opCtx.Operation != nil {
		kind = string(opCtx.Operation.Operation)
	}
	if name == "" {
		return "graphql." + kind
	}
	return "graphql." + kind + " " + name
}

// outcomeOf classes an answer: success (no error), partial (data and
// errors), error (errors and no data).
func outcomeOf(resp *graphql.Response) string {
	switch {
	case len(resp.Errors) == 0:
		return "success"
	case len(resp.Data) > 0 && string(resp.Data) != "null":
		return "partial"
	}
	return "error"
}
