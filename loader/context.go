package loader

import (
	"context"
	"net/http"
	"sync"
	"time"

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

type lifetimeKey struct{}

// WithLifetime returns ctx carrying life, the lifetime of the request it
// belongs to: its deadline, and its cancellation when the caller goes.
// Every upstream call the loaders make, and every wait of theirs, ends with
// life, whatever the context a resolver hands them: gqlgen's own context
// for an execution is not cancelled until every part of its answer has
// been read (see httpapi), so that no deferred part is ever lost.
func WithLifetime(ctx, life context.Context) context.Context {
	return context.WithValue(ctx, lifetimeKey{}, life)
}

// underLifetime is ctx's values under the deadline and cancellation of the
// request's lifetime, when it carries one.
func underLifetime(ctx context.Context) context.Context {
	life, ok := ctx.Value(lifetimeKey{}).(context.Context)
	if !ok {
		return ctx
	}
	return lifetimeContext{Context: ctx, life: life}
}

// callContext is underLifetime for the calls a batch or a write sends,
// ended by cancel once they have returned. It is a cancelCtx of the
// standard library's own over the lifetimeContext: every call derives a
// context of its own under the upstream client's values (WithValue, which
// hides lifetimeContext's AfterFunc) for each attempt's timeout, and
// derived from a parent it does not know, context starts a goroutine per
// attempt to watch it. Derived from a cancelCtx, they register with it,
// and only it watches the lifetime, once.
func callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithCancel(underLifetime(ctx))
}

// lifetimeContext keeps a context's values (the trace, the request's
// record) and takes its deadline and cancellation from life. Its AfterFunc
// lets contexts derived from it follow life without a goroutine each.
type lifetimeContext struct {
	context.Context
	life context.Context
}

func (c lifetimeContext) Deadline() (time.Time, bool) { return c.life.Deadline() }
func (c lifetimeContext) Done() <-chan struct{}       { return c.life.Done() }
func (c lifetimeContext) Err() error                  { return c.life.Err() }
func (c lifetimeContext) AfterFunc(f func()) func() bool {
	return context.AfterFunc(c.life, f)
}
