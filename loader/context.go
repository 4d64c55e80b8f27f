package loader

import (
	"context"
	"net/http"

	"github.com/gitbook-graphql/facade/upstream"
)

type contextKey struct{}

// NewContext returns ctx carrying l.
func NewContext(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, contextKey{}, l)
}

// For returns the loaders of the request ctx belongs to, or nil outside one.
func For(ctx context.Context) *Loaders {
	l, _ := ctx.Value(contextKey{}).(*Loaders)
	return l
}

// Middleware gives each request its own loaders, over the client that
// clientFor makes for it: one that carries the request's credential.
func Middleware(clientFor func(*http.Request) *upstream.Client, cfg Config) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			l := New(clientFor(r), cfg)
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), l)))
		})
	}
}
