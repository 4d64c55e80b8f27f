// Package httpapi is the facade's HTTP surface: GraphQL over HTTP at
// /graphql, a playground at /, /metrics, /healthz and /readyz, built from
// the gqlgen schema, the per-request loaders, the upstream client and the
// telemetry.
package httpapi

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/gitbook-graphql/facade/answer"
	"github.com/gitbook-graphql/facade/budget"
	"github.com/gitbook-graphql/facade/codes"
	"github.com/gitbook-graphql/facade/graph"
	"github.com/gitbook-graphql/facade/graph/generated"
	"github.com/gitbook-graphql/facade/loader"
	"github.com/gitbook-graphql/facade/telemetry"
	"github.com/gitbook-graphql/facade/trusted"
	"github.com/gitbook-graphql/facade/upstream"
)

// DebugHeader, sent with any value, asks for extensions.upstream in the
// answer: the upstream calls, retries and milliseconds the request cost.
const DebugHeader = "X-Upstream-Debug"

// Handler is the facade's HTTP handler.
type Handler struct {
	mux      *http.ServeMux
	draining atomic.Bool
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Drain makes /readyz answer 503, so that load balancers stop sending new
// requests while the server finishes the ones it has.
func (h *Handler) Drain() { h.draining.Store(true) }

// New builds the facade's handler.
func New(cfg Config) *Handler {
	cfg = cfg.withDefaults()
	h := &Handler{mux: http.NewServeMux()}
	credentialOf := credential(cfg.DefaultAuthorization)
	calls := budget.Budget{MaxCalls: cfg.MaxUpstreamCalls, PageSize: cfg.PageSize}
	clientFor := func(r *http.Request) *upstream.Client {
		return calls.Client(cfg.Client.WithAuthorization(credentialOf(r)))
	}
	var gql http.Handler = graphQLServer(cfg, calls)
	gql = loader.Middleware(clientFor, cfg.Loader)(gql)
	gql = withTimeout(cfg.RequestTimeout, gql)
	admit := newAdmission(cfg.MaxInflightRequests, cfg.MaxInflightBodyBytes, cfg.Metrics)
	gql = limitBody(cfg.MaxBodyBytes, admit, gql)
	gql = limitAuthorization(cfg.MaxAuthorizationBytes, gql)
	gql = acceptOnly(gql)
	gql = guardDefaultCredential(cfg.DefaultAuthorization, cfg.AllowedHosts, gql)
	// First after the log line and the span: an overloaded server refuses
	// before anything else, and the refusal is still logged and counted.
	gql = admit.limitRequests(gql)
	gql = telemetry.Requests(cfg.Logger, gql)
	gql = telemetry.Handler(gql, cfg.TracerProvider)
	if len(cfg.CORSOrigins) > 0 {
		gql = cors.New(cors.Options{
			AllowedOrigins: cfg.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost},
			AllowedHeaders: []string{"Authorization", "Content-Type", "Accept", telemetry.RequestIDHeader, DebugHeader, "Traceparent", "Tracestate"},
			ExposedHeaders: []string{telemetry.RequestIDHeader},
			MaxAge:         600,
		}).Handler(gql)
	}
	h.mux.Handle("/graphql", gql)
	if cfg.TrustedDocuments != nil && cfg.Trusted.Mode == trusted.Enforce && !cfg.Trusted.Introspection {
		h.mux.Handle("GET /{$}", playgroundRefused())
	} else {
		h.mux.Handle("GET /{$}", playgroundHandler())
	}
	h.mux.Handle("GET /playground/", playgroundAssets())
	h.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
	h.mux.Handle("GET /readyz", readiness(cfg.Client, cfg.ReadyCacheFor, &h.draining))
	if cfg.Registry != nil && cfg.Metrics != nil && cfg.TrustedDocuments != nil {
		list := cfg.TrustedDocuments
		cfg.Metrics.RegisterTrustedDocuments(cfg.Registry, func() int { return list.List().Len() })
		cfg.Metrics.TrustedRefusedFrom(codes.PersistedQueryNotInList, true)
		cfg.Metrics.TrustedRefusedFrom(codes.QueryNotInSafelist, cfg.Trusted.Mode == trusted.Enforce)
	}
	if cfg.Registry != nil {
		h.mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{Registry: cfg.Registry}))
	}
	return h
}

// graphQLServer is gqlgen's server built by hand, as its docs advise for
// production: explicit transports, a bounded query cache, automatic
// persisted queries, limits on what one operation may ask, telemetry, our
// error presenter and panic handler.
func graphQLServer(cfg Config, calls budget.Budget) http.Handler {
	schema := calls.Schema(generated.Config{
		Schema:    servedSchema(),
		Resolvers: &graph.Resolver{PageSize: cfg.PageSize, CursorSeal: graph.NewCursorSeal(cfg.CursorSecret)},
	})
	srv := handler.New(schema)
	srv.AddTransport(transport.Options{})
	var shared *dedupe
	if !cfg.NoDedupe {
		shared = newDedupe()
	}
	srv.AddTransport(overHTTP{maxErrors: cfg.MaxErrors, maxResponseBytes: cfg.MaxResponseBytes, maxJSONDepth: cfg.MaxJSONDepth,
		answerLimits: answer.Limits{Values: cfg.MaxResponseValues, Bytes: cfg.MaxResponseBytes, Errors: cfg.MaxErrors},
		dedupe:       shared, metrics: cfg.Metrics, trustedDocuments: cfg.TrustedDocuments != nil})
	queries := newQueryCache(cfg.QueryCacheBytes)
	srv.SetQueryCache(queries)
	srv.SetParserTokenLimit(cfg.Document.Tokens)
	// Suggestions ("Did you mean …") would spell out the schema that
	// switching introspection off hides.
	srv.SetDisableSuggestion(cfg.DisableIntrospection)
	if cfg.TrustedDocuments != nil {
		// First: the text it puts in place of an id is then limited,
		// parsed and cached like any other.
		srv.Use(trustedDocuments{store: cfg.TrustedDocuments, enforce: cfg.Trusted.Mode == trusted.Enforce, introspection: cfg.Trusted.Introspection,
			maxTokens: cfg.Document.Tokens, cache: queries, metrics: cfg.Metrics, log: cfg.Logger})
	}
	srv.Use(documentLimit{limits: cfg.Document, cache: queries})
	tracer := cfg.TracerProvider.Tracer("github.com/gitbook-graphql/facade/graph")
	srv.Use(telemetry.GraphQL{Metrics: cfg.Metrics, Tracer: tracer, DebugHeader: DebugHeader, Unknown: telemetry.NewUnknownValues(cfg.Logger)})
	if _, off := cfg.TracerProvider.(noop.TracerProvider); !off {
		srv.Use(telemetry.FieldSpans{Tracer: tracer})
	}
	if cfg.DisableIntrospection {
		srv.Use(noIntrospection{})
	} else {
		srv.Use(extension.Introspection{})
	}
	if cfg.TrustedDocuments == nil || cfg.Trusted.Mode != trusted.Enforce {
		// Under enforce the list is the only source of texts; APQ would
		// add nothing but a cache any caller may fill, which a slip in the
		// check above would let run.
		srv.Use(extension.AutomaticPersistedQuery{Cache: cfg.APQCache})
	}
	srv.Use(&graph.Representations{})
	srv.Use(graph.RootLists{})
	srv.Use(depthLimit{max: cfg.MaxDepth})
	srv.Use(calls.Limit())
	errs := graph.Errors{Logger: cfg.Logger}
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		if answer.Silent(err) {
			return nil // a field the answer's meter cut, which says nothing
		}
		return errs.Present(ctx, err)
	})
	srv.SetRecoverFunc(errs.Recover)
	return srv
}

// credential picks the Authorization header sent upstream: the caller's own,
// unchanged, or the configured default for callers who send none.
func credential(fallback string) func(*http.Request) string {
	return func(r *http.Request) string {
		if h := r.Header.Get("Authorization"); h != "" {
			return h
		}
		return fallback
	}
}

func withTimeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
