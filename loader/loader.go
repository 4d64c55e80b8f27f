// Package loader is one request's access to the upstream: dataloaders that
// fetch each resource at most once per request, send independent calls
// together, and prime each other with data embedded in answers.
//
// Loaders hold one caller's credential and cache: they are made per request
// (see Middleware) and never shared, so no caller can receive data fetched
// with another caller's credential.
package loader

import (
	"context"
	"sync"
	"time"

	"github.com/gitbook-graphql/facade/upstream"
	"github.com/graph-gophers/dataloader/v7"
)

// Config tunes the loaders.
type Config struct {
	// Wait is how long a loader gathers keys before it calls the upstream.
	// GitBook has no batch endpoints, so keys only need gathering for as long
	// as it takes sibling resolvers to ask; default 1ms (dataloader's 16ms
	// would add that much to each level of a query).
	Wait time.Duration
	// BatchCapacity caps the keys of one batch; a full batch goes at once.
	// Default 100.
	BatchCapacity int
	// BatchObserver, when set, hears each batch's loader and size.
	BatchObserver func(loader string, size int)
	// Naive switches batching, caching, priming and prefetching off: every
	// field that needs data makes its own call, as a resolver without
	// loaders would. For benchmarks, to show what the loaders save.
	Naive bool
}

func (c Config) withDefaults() Config {
	if c.Wait <= 0 {
		c.Wait = time.Millisecond
	}
	if c.BatchCapacity <= 0 {
		c.BatchCapacity = 100
	}
	return c
}

// IntegrationPage is the key of one page of a space's integrations.
type IntegrationPage struct {
	SpaceID string
	Search  string
	Page    string // the upstream's page token; empty for the first page
	Limit   int
}

// Loaders is one caller's view of the upstream for one request. Each
// loader is made on first use: a request uses two or three of the five.
type Loaders struct {
	client *upstream.Client
	cfg    Config

	spaceLoader           lazyLoader[string, *upstream.Space]
	organizationLoader    lazyLoader[string, *upstream.Organization]
	integrationLoader     lazyLoader[string, *upstream.Integration]
	integrationPageLoader lazyLoader[IntegrationPage, *upstream.IntegrationList]
	spaceBlocksLoader     lazyLoader[string, []upstream.SpaceIntegrationBlocks]

	walk walkLoaders

	naive bool

	lists listRecord

	embeds embeds
}

// New makes the loaders of one request; client carries the caller's credential.
func New(client *upstream.Client, cfg Config) *Loaders {
	cfg = cfg.withDefaults()
	return &Loaders{client: client, cfg: cfg, naive: cfg.Naive}
}

// lazyLoader is a loader made the first time it is asked for.
type lazyLoader[K comparable, V any] struct {
	once   sync.Once
	loader *dataloader.Loader[K, V]
	// cache is the loader's, kept to tell whether it holds a key without
	// loading it; nil in naive mode.
	cache *dataloader.InMemoryCache[K, V]
}

// get makes the loader on first use, over fetch: a function of no captures,
// so that a loader never used costs nothing.
func (z *lazyLoader[K, V]) get(l *Loaders, name string, fetch func(*Loaders, context.Context, K) (V, error)) *dataloader.Loader[K, V] {
	z.once.Do(func() {
		if !l.cfg.Naive {
			z.cache = dataloader.NewCache[K, V]()
		}
		z.loader = newLoader(l.cfg, name, z.cache, func(ctx context.Context, key K) (V, error) { return fetch(l, ctx, key) })
	})
	return z.loader
}

// cached says whether the loader, once made, holds key: an answer, or a
// call on its way.
func (z *lazyLoader[K, V]) cached(ctx context.Context, key K) bool {
	if z.cache == nil {
		return false
	}
	_, ok := z.cache.Get(ctx, key)
	return ok
}

func (l *Loaders) spaces() *dataloader.Loader[string, *upstream.Space] {
	return l.spaceLoader.get(l, "spaces", func(l *Loaders, ctx context.Context, id string) (*upstream.Space, error) {
		return l.client.GetSpace(ctx, id)
	})
}

func (l *Loaders) organizations() *dataloader.Loader[string, *upstream.Organization] {
	return l.organizationLoader.get(l, "organizations", func(l *Loaders, ctx context.Context, id string) (*upstream.Organization, error) {
		return l.client.GetOrganization(ctx, id)
	})
}

func (l *Loaders) integrations() *dataloader.Loader[string, *upstream.Integration] {
	return l.integrationLoader.get(l, "integrations", func(l *Loaders, ctx context.Context, name string) (*upstream.Integration, error) {
		return l.client.GetIntegration(ctx, name)
	})
}

func (l *Loaders) integrationPages() *dataloader.Loader[IntegrationPage, *upstream.IntegrationList] {
	return l.integrationPageLoader.get(l, "integrationPages", (*Loaders).fetchIntegrationPage)
}

func (l *Loaders) spaceBlocks() *dataloader.Loader[string, []upstream.SpaceIntegrationBlocks] {
	return l.spaceBlocksLoader.get(l, "spaceBlocks", func(l *Loaders, ctx context.Context, id string) ([]upstream.SpaceIntegrationBlocks, error) {
		return l.client.ListSpaceIntegrationBlocks(ctx, id)
	})
}

// newLoader makes a loader whose batch sends one call per key, all at once:
// the upstream has no batch endpoints, so a batch's latency is one round trip.
func newLoader[K comparable, V any](cfg Config, name string, cache *dataloader.InMemoryCache[K, V], fetch func(context.Context, K) (V, error)) *dataloader.Loader[K, V] {
	batch := func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		results := make([]*dataloader.Result[V], len(keys))
		if len(keys) == 0 {
			return results
		}
		ctx, cancel := callContext(ctx)
		defer cancel()
		// The batch runs on a goroutine of its own already: the last key is
		// fetched on it, and a batch of one starts no other.
		last := len(keys) - 1
		var wg sync.WaitGroup
		for i, key := range keys[:last] {
			wg.Go(func() {
				v, err := fetch(ctx, key)
				results[i] = &dataloader.Result[V]{Data: v, Error: err}
			})
		}
		v, err := fetch(ctx, keys[last])
		results[last] = &dataloader.Result[V]{Data: v, Error: err}
		wg.Wait()
		return results
	}
	opts := []dataloader.Option[K, V]{
		dataloader.WithWait[K, V](cfg.Wait),
		dataloader.WithBatchCapacity[K, V](cfg.BatchCapacity),
		// The default, 1000, allocates a buffer of that many per batch,
		// per request; a batch never holds more than its capacity.
		dataloader.WithInputCapacity[K, V](cfg.BatchCapacity),
	}
	if cfg.Naive {
		// A batch of one, sent at once, and nothing remembered.
		opts = append(opts, dataloader.WithCache[K, V](&dataloader.NoCache[K, V]{}), dataloader.WithBatchCapacity[K, V](1))
	} else {
		opts = append(opts, dataloader.WithCache[K, V](cache))
	}
	if cfg.BatchObserver != nil {
		opts = append(opts, dataloader.WithTracer[K, V](batchTracer[K, V]{name: name, observe: cfg.BatchObserver}))
	}
	return dataloader.NewBatchedLoader(batch, opts...)
}

// batchTracer reports batch sizes through dataloader's own tracing hook.
type batchTracer[K comparable, V any] struct {
	dataloader.NoopTracer[K, V]
	name    string
	observe func(string, int)
}

func (t batchTracer[K, V]) TraceBatch(ctx context.Context, keys []K) (context.Context, dataloader.TraceBatchFinishFunc[V]) {
	t.observe(t.name, len(keys))
	return ctx, func([]*dataloader.Result[V]) {}
}

// load waits for one key. A transient failure is forgotten once reported, so
// that a later field asking for the same key tries again rather than reuse
// an error that was a matter of chance.
func load[K comparable, V any](ctx context.Context, l *dataloader.Loader[K, V], key K) (V, error) {
	v, err := l.Load(ctx, key)()
	if err != nil && upstream.IsTransient(err) {
		l.Clear(ctx, key)
	}
	return v, err
}

// Space is getSpaceById, unless a list of the request embeds it. depth is
// the reading field's (see embeds.go); 0 waits for no list.
func (l *Loaders) Space(ctx context.Context, depth int, id string) (*upstream.Space, error) {
	loader := l.spaces()
	awaitEmbeds(ctx, l, &l.spaceLoader, KindSpace, depth, id)
	return load(ctx, loader, id)
}

// Spaces loads several spaces together; results and errors follow ids.
func (l *Loaders) Spaces(ctx context.Context, ids []string) ([]*upstream.Space, []error) {
	return loadMany(ctx, l.spaces(), ids)
}

// Organizations loads several organizations together, like Spaces.
func (l *Loaders) Organizations(ctx context.Context, ids []string) ([]*upstream.Organization, []error) {
	return loadMany(ctx, l.organizations(), ids)
}

// Integrations loads several integrations together, like Spaces.
func (l *Loaders) Integrations(ctx context.Context, names []string) ([]*upstream.Integration, []error) {
	return loadMany(ctx, l.integrations(), names)
}

// loadMany asks for every key before waiting for any, so that they share a
// batch; transient failures are forgotten, as in load.
func loadMany[K comparable, V any](ctx context.Context, l *dataloader.Loader[K, V], keys []K) ([]V, []error) {
	thunks := make([]dataloader.Thunk[V], len(keys))
	for i, key := range keys {
		thunks[i] = l.Load(ctx, key)
	}
	values := make([]V, len(keys))
	errs := make([]error, len(keys))
	for i, thunk := range thunks {
		values[i], errs[i] = thunk()
		if errs[i] != nil && upstream.IsTransient(errs[i]) {
			l.Clear(ctx, keys[i])
		}
	}
	return values, errs
}

// Organization is getOrganizationById, unless a list of the request embeds
// it, as Space.
func (l *Loaders) Organization(ctx context.Context, depth int, id string) (*upstream.Organization, error) {
	loader := l.organizations()
	awaitEmbeds(ctx, l, &l.organizationLoader, KindOrganization, depth, id)
	return load(ctx, loader, id)
}

// Integration is getIntegrationByName, unless a list of the request holds
// it, as Space.
func (l *Loaders) Integration(ctx context.Context, depth int, name string) (*upstream.Integration, error) {
	loader := l.integrations()
	awaitEmbeds(ctx, l, &l.integrationLoader, KindIntegration, depth, name)
	return load(ctx, loader, name)
}

// SpaceIntegrationBlocks is listSpaceIntegrationsBlocks.
func (l *Loaders) SpaceIntegrationBlocks(ctx context.Context, spaceID string) ([]upstream.SpaceIntegrationBlocks, error) {
	return load(ctx, l.spaceBlocks(), spaceID)
}

// InstallIntegrationOnSpace is installIntegrationOnSpace, sent once. The
// space's cached lists are dropped, so later fields of the request see it.
func (l *Loaders) InstallIntegrationOnSpace(ctx context.Context, integration, installation, spaceID string) (*upstream.IntegrationSpaceInstallation, error) {
	callCtx, cancel := callContext(ctx)
	defer cancel()
	inst, err := l.client.InstallIntegrationOnSpace(callCtx, integration, installation, spaceID)
	l.forgetSpaceLists(ctx, spaceID)
	if err != nil {
		return nil, err
	}
	if s := inst.Space.Space; s != nil {
		l.spaces().Clear(ctx, s.ID).Prime(ctx, s.ID, s)
	}
	return inst, nil
}

// UninstallIntegrationFromSpace is uninstallIntegrationFromSpace, sent once.
func (l *Loaders) UninstallIntegrationFromSpace(ctx context.Context, integration, installation, spaceID string) error {
	callCtx, cancel := callContext(ctx)
	defer cancel()
	err := l.client.UninstallIntegrationFromSpace(callCtx, integration, installation, spaceID)
	l.forgetSpaceLists(ctx, spaceID)
	return err
}
