package loader

import (
	"context"
	"net/http"
	"sync"

	"github.com/gitbook-graphql/facade/upstream"
)

type contextKey struct{}

// lazyLoaders are a request's loaders, made when a resolver first needs
// them: a request answered by an identical one's execution, or refused
// before it runs, never does.
type lazyLoaders struct {
	once  sync.Once
	make  func() *Loaders
	built *Loaders
}

func (z *lazyLoaders) get() *Loaders {
	z.once.Do(func() { z.built, z.make = z.make(), nil })
	return z.built
}

// NewContext returns ctx carrying l.
func NewContext(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, contextKey{}, &lazyLoaders{make: func() *Loaders { return l }})
}

// For returns the loaders of the request ctx belongs to, or nil outside one.
func For(ctx context.Context) *Loaders {
	if z, ok := ctx.Value(contextKey{}).(*lazyLoaders); ok {
		return z.get()
	}
	return nil
}

// Middleware gives each request its own loaders, over the client that
// clientFor makes for it: one that carries the request's credential. They
// are made when the request first uses them.
func Middleware(clientFor func(*http.Request) *upstream.Client, cfg Config) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			z := &lazyLoaders{make: func() *Loaders { return New(clientFor(r), cfg) }}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), contextKey{}, z)))
		})
	}
}
