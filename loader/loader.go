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
	"slices"
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

// Loaders is one caller's view of the upstream for one request.
type Loaders struct {
	client           *upstream.Client
	spaces           *dataloader.Loader[string, *upstream.Space]
	organizations    *dataloader.Loader[string, *upstream.Organization]
	integrations     *dataloader.Loader[string, *upstream.Integration]
	integrationPages *dataloader.Loader[IntegrationPage, *upstream.IntegrationList]
	spaceBlocks      *dataloader.Loader[string, []upstream.SpaceIntegrationBlocks]

	naive bool

	mu sync.Mutex
	// listed holds, per space, the pages of all its integrations asked for
	// so far: the blocks' integrations are among them; listedAt, when the
	// first of them was asked for.
	listed   map[string][]dataloader.Thunk[*upstream.IntegrationList]
	listedAt map[string]time.Time
	// primed names the integrations a page has put in the integration
	// loader, so that loading them by name costs no call.
	primed map[string]bool
	// counts holds, per space, how many integrations a page of its whole
	// list said it has.
	counts map[string]int
}

// New makes the loaders of one request; client carries the caller's credential.
func New(client *upstream.Client, cfg Config) *Loaders {
	cfg = cfg.withDefaults()
	l := &Loaders{client: client, naive: cfg.Naive}
	l.spaces = newLoader(cfg, "spaces", client.GetSpace)
	l.organizations = newLoader(cfg, "organizations", client.GetOrganization)
	l.integrations = newLoader(cfg, "integrations", client.GetIntegration)
	l.integrationPages = newLoader(cfg, "integrationPages", l.fetchIntegrationPage)
	l.spaceBlocks = newLoader(cfg, "spaceBlocks", client.ListSpaceIntegrationBlocks)
	return l
}

// newLoader makes a loader whose batch sends one call per key, all at once:
// the upstream has no batch endpoints, so a batch's latency is one round trip.
func newLoader[K comparable, V any](cfg Config, name string, fetch func(context.Context, K) (V, error)) *dataloader.Loader[K, V] {
	batch := func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		results := make([]*dataloader.Result[V], len(keys))
		var wg sync.WaitGroup
		for i, key := range keys {
			wg.Go(func() {
				v, err := fetch(ctx, key)
				results[i] = &dataloader.Result[V]{Data: v, Error: err}
			})
		}
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

// Space is getSpaceById.
func (l *Loaders) Space(ctx context.Context, id string) (*upstream.Space, error) {
	return load(ctx, l.spaces, id)
}

// Spaces loads several spaces together; results and errors follow ids.
func (l *Loaders) Spaces(ctx context.Context, ids []string) ([]*upstream.Space, []error) {
	return loadMany(ctx, l.spaces, ids)
}

// Organizations loads several organizations together, like Spaces.
func (l *Loaders) Organizations(ctx context.Context, ids []string) ([]*upstream.Organization, []error) {
	return loadMany(ctx, l.organizations, ids)
}

// Integrations loads several integrations together, like Spaces.
func (l *Loaders) Integrations(ctx context.Context, names []string) ([]*upstream.Integration, []error) {
	return loadMany(ctx, l.integrations, names)
}

// loadMany asks for every key before waiting for any, so that they share a
// batch; transient failures are forgotten, as in load.
func loadMany[V any](ctx context.Context, l *dataloader.Loader[string, V], keys []string) ([]V, []error) {
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

// Organization is getOrganizationById, unless an answer already embedded it.
func (l *Loaders) Organization(ctx context.Context, id string) (*upstream.Organization, error) {
	return load(ctx, l.organizations, id)
}

// Integration is getIntegrationByName, unless a list already held it.
func (l *Loaders) Integration(ctx context.Context, name string) (*upstream.Integration, error) {
	return load(ctx, l.integrations, name)
}

// IntegrationPage is one page of listSpaceIntegrations.
func (l *Loaders) IntegrationPage(ctx context.Context, key IntegrationPage) (*upstream.IntegrationList, error) {
	l.noteListed(ctx, key)
	return load(ctx, l.integrationPages, key)
}

// PrefetchIntegrationPage starts loading a page without waiting for it.
func (l *Loaders) PrefetchIntegrationPage(ctx context.Context, key IntegrationPage) {
	if !l.naive {
		l.noteListed(ctx, key)
	}
}

// noteListed starts loading a page and, when it lists all of a space's
// integrations, remembers it for SpaceIntegrationBlocks.
func (l *Loaders) noteListed(ctx context.Context, key IntegrationPage) {
	thunk := l.integrationPages.Load(ctx, key)
	if key.Search != "" || l.naive {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.listed == nil {
		l.listed = map[string][]dataloader.Thunk[*upstream.IntegrationList]{}
		l.listedAt = map[string]time.Time{}
	}
	if _, ok := l.listedAt[key.SpaceID]; !ok {
		l.listedAt[key.SpaceID] = time.Now()
	}
	l.listed[key.SpaceID] = append(l.listed[key.SpaceID], thunk)
}

// PrefetchSpaceIntegrationBlocks starts loading a space's blocks without
// waiting for them.
func (l *Loaders) PrefetchSpaceIntegrationBlocks(ctx context.Context, spaceID string) {
	if !l.naive {
		l.spaceBlocks.Load(ctx, spaceID)
	}
}

// SpaceIntegrationBlocks is listSpaceIntegrationsBlocks.
func (l *Loaders) SpaceIntegrationBlocks(ctx context.Context, spaceID string) ([]upstream.SpaceIntegrationBlocks, error) {
	return load(ctx, l.spaceBlocks, spaceID)
}

// AwaitListedIntegrations waits for the pages of a space's integrations
// that this request has asked for so far. Blocks name integrations that
// those pages hold; once the pages are in, loading the integrations by name
// costs no call. The pages' own fields report their errors.
func (l *Loaders) AwaitListedIntegrations(spaceID string) {
	l.mu.Lock()
	pending := l.listed[spaceID]
	l.mu.Unlock()
	for _, thunk := range pending {
		_, _ = thunk()
	}
}

// SpaceOrganization is the organization that owns a space. The pages of the
// space's integrations sent with the space may embed it, as the owner of an
// integration of its own: rather than call for it at once, it waits for
// those pages as long again as they have been on their way (about what the
// space took), so that a slow or hung list delays it little.
func (l *Loaders) SpaceOrganization(ctx context.Context, spaceID, organizationID string) (*upstream.Organization, error) {
	l.mu.Lock()
	pending, since := l.listed[spaceID], l.listedAt[spaceID]
	l.mu.Unlock()
	if len(pending) > 0 {
		awaitFor(ctx, pending, time.Since(since))
	}
	return l.Organization(ctx, organizationID)
}

// awaitFor waits for the thunks, for d at the most.
func awaitFor[V any](ctx context.Context, thunks []dataloader.Thunk[V], d time.Duration) {
	done := make(chan struct{})
	go func() { // ends with the thunks' batches, which end with the request
		defer close(done)
		for _, thunk := range thunks {
			_, _ = thunk()
		}
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	case <-ctx.Done():
	}
}

// fetchIntegrationPage calls the upstream for one page and primes the
// integration and organization loaders with what it embeds, so fields that
// ask for those integrations or their owners cost no further call.
func (l *Loaders) fetchIntegrationPage(ctx context.Context, key IntegrationPage) (*upstream.IntegrationList, error) {
	list, err := l.client.ListSpaceIntegrations(ctx, key.SpaceID, upstream.ListSpaceIntegrationsOptions{
		Search:      key.Search,
		ListOptions: upstream.ListOptions{Page: key.Page, Limit: key.Limit},
	})
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	if l.primed == nil {
		l.primed = make(map[string]bool, len(list.Items))
		l.counts = map[string]int{}
	}
	if list.Count != nil && key.Search == "" {
		l.counts[key.SpaceID] = int(*list.Count)
	}
	for i := range list.Items {
		in := &list.Items[i]
		l.integrations.Prime(ctx, in.Name, in)
		l.primed[in.Name] = true
		if in.Owner.ID != "" {
			l.organizations.Prime(ctx, in.Owner.ID, &in.Owner)
		}
	}
	l.mu.Unlock()
	return list, nil
}

// LoadEnabledIntegrations loads integrations that are all enabled on a
// space (the ones its blocks name) by the fewest calls: one each by name,
// or one a page by reading the space's list, which holds them all. It reads
// pages while the names still missing are at least as many as the pages
// left to read, as the list's count (from any page of it already read)
// tells; with no count yet, the first page is worth reading for two names
// or more. The rest are left to be loaded by name, as are all of them when
// a page fails: the list's failure is then no one's.
func (l *Loaders) LoadEnabledIntegrations(ctx context.Context, spaceID string, names []string, pageSize int) {
	if l.naive || pageSize < 1 {
		return
	}
	missing := l.unprimed(names)
	page := IntegrationPage{SpaceID: spaceID, Limit: pageSize}
	l.mu.Lock()
	total, known := l.counts[spaceID]
	l.mu.Unlock()
	if !known {
		total = -1
	}
	seen := 0
	for pages := 0; pages < MaxPages && len(missing) > 1; pages++ {
		if pagesLeft(total, seen, pageSize) > len(missing) {
			return // by name costs fewer calls
		}
		list, err := load(ctx, l.integrationPages, page)
		if err != nil {
			return
		}
		seen += len(list.Items)
		missing = l.unprimed(missing)
		if list.Next == nil || list.Next.Page == "" || len(list.Items) == 0 {
			return
		}
		page.Page = list.Next.Page
		if list.Count != nil {
			total = int(*list.Count)
		}
	}
}

// MaxPages bounds the pages of a space's list that one walk reads (a
// connection, or LoadEnabledIntegrations), whatever page size the upstream
// answers with.
const MaxPages = 100

// pagesLeft is how many calls reading the rest of the list will take, once
// seen items are in: one when the count is unknown (or says none are left,
// though a next page is named).
func pagesLeft(total, seen, pageSize int) int {
	if total <= seen {
		return 1
	}
	return (total - seen + pageSize - 1) / pageSize
}

// unprimed is the distinct names that no page has primed yet.
func (l *Loaders) unprimed(names []string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(names))
	for _, n := range names {
		if !l.primed[n] && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// InstallIntegrationOnSpace is installIntegrationOnSpace, sent once. The
// space's cached lists are dropped, so later fields of the request see it.
func (l *Loaders) InstallIntegrationOnSpace(ctx context.Context, integration, installation, spaceID string) (*upstream.IntegrationSpaceInstallation, error) {
	inst, err := l.client.InstallIntegrationOnSpace(ctx, integration, installation, spaceID)
	l.forgetSpaceLists(ctx, spaceID)
	if err != nil {
		return nil, err
	}
	if s := inst.Space.Space; s != nil {
		l.spaces.Clear(ctx, s.ID).Prime(ctx, s.ID, s)
	}
	return inst, nil
}

// UninstallIntegrationFromSpace is uninstallIntegrationFromSpace, sent once.
func (l *Loaders) UninstallIntegrationFromSpace(ctx context.Context, integration, installation, spaceID string) error {
	err := l.client.UninstallIntegrationFromSpace(ctx, integration, installation, spaceID)
	l.forgetSpaceLists(ctx, spaceID)
	return err
}

// forgetSpaceLists drops what a write to a space's installations changes,
// even when the write failed: its outcome may be unknown.
func (l *Loaders) forgetSpaceLists(ctx context.Context, spaceID string) {
	l.integrationPages.ClearAll()
	l.spaceBlocks.Clear(ctx, spaceID)
	l.mu.Lock()
	delete(l.listed, spaceID)
	l.mu.Unlock()
}
