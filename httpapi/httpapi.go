// Package httpapi is the facade's HTTP surface: GraphQL over HTTP at
// /graphql, a playground at /, and /healthz, built from the gqlgen schema,
// the per-request loaders and the upstream client.
package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gitbook-graphql/facade/graph"
	"github.com/gitbook-graphql/facade/loader"
	"github.com/gitbook-graphql/facade/upstream"
)

// Config is what the handler is built from.
type Config struct {
	Client *upstream.Client
	// DefaultAuthorization is sent upstream for callers who send no
	// Authorization header (from GITBOOK_TOKEN); empty for none.
	DefaultAuthorization string
	// RequestTimeout bounds a whole GraphQL request. Default 15s.
	RequestTimeout time.Duration
	// PageSize is the `limit` asked per upstream page. Default 100.
	PageSize int
	// MaxUpstreamCalls bounds the upstream calls of one request: operations
	// that may need more are refused before any call, and a request that
	// reaches it anyway makes no more. Default 200.
	MaxUpstreamCalls int
	// MaxDepth bounds how deeply an operation nests fields. Default 15.
	MaxDepth int
	// MaxBodyBytes bounds a request body; larger ones get 413. Default 1 MiB.
	MaxBodyBytes int64
	// DisableIntrospection refuses __schema and __type queries.
	DisableIntrospection bool
	Loader               loader.Config
}

func (c Config) withDefaults() Config {
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 15 * time.Second
	}
	if c.MaxUpstreamCalls <= 0 {
		c.MaxUpstreamCalls = 200
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = 15
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	return c
}

// New builds the facade's handler.
func New(cfg Config) http.Handler {
	cfg = cfg.withDefaults()
	credentialOf := credential(cfg.DefaultAuthorization)
	clientFor := func(r *http.Request) *upstream.Client {
		return cfg.Client.WithAuthorization(credentialOf(r)).WithCallLimit(cfg.MaxUpstreamCalls)
	}
	mux := http.NewServeMux()
	gql := limitBody(cfg.MaxBodyBytes,
		withTimeout(cfg.RequestTimeout,
			loader.Middleware(clientFor, cfg.Loader)(
				graphQLServer(cfg))))
	mux.Handle("/graphql", gql)
	mux.Handle("GET /{$}", playground.Handler("GitBook GraphQL", "/graphql"))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

// graphQLServer is gqlgen's server built by hand, as its docs advise for
// production: explicit transports, a bounded query cache, limits on what
// one operation may ask, our error presenter and panic handler.
func graphQLServer(cfg Config) http.Handler {
	schema := graph.NewExecutableSchema(graph.Config{
		Resolvers:  &graph.Resolver{PageSize: cfg.PageSize},
		Complexity: graph.NewComplexity(cfg.PageSize),
	})
	srv := handler.New(schema)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(overHTTP{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if cfg.DisableIntrospection {
		srv.Use(noIntrospection{})
	} else {
		srv.Use(extension.Introspection{})
	}
	srv.Use(depthLimit{max: cfg.MaxDepth})
	srv.Use(newCallLimit(cfg.MaxUpstreamCalls))
	srv.SetErrorPresenter(graph.ErrorPresenter)
	srv.SetRecoverFunc(graph.Recover)
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
