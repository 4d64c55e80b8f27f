package loader

import (
	"context"
	"slices"
	"sync"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/gitbook-graphql/facade/upstream"
)

// A space's lists (its integrations' pages, its blocks) go out beside the
// space when the request's plan (graph's spaceLists) says its selection will
// need them; this file keeps what they brought. The blocks name integrations
// that a page of the space's whole list holds: so the record lets those be
// read from the pages on their way rather than called for again. A page
// embeds each integration's owner too, often the space's own organization,
// which a read of it waits for like any embedded entity (embeds.go).

// listRecord is the record of one request's pages of space lists.
type listRecord struct {
	mu sync.Mutex
	// listed holds, per space, the pages of all its integrations asked for
	// so far.
	listed map[string][]dataloader.Thunk[*upstream.IntegrationList]
	// primed names the integrations a page has put in the integration
	// loader, so that loading them by name costs no call.
	primed map[string]bool
	// counts holds, per space, how many integrations a page of its whole
	// list said it has.
	counts map[string]int
}

func (r *listRecord) noteListed(spaceID string, thunk dataloader.Thunk[*upstream.IntegrationList]) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.listed == nil {
		r.listed = map[string][]dataloader.Thunk[*upstream.IntegrationList]{}
	}
	r.listed[spaceID] = append(r.listed[spaceID], thunk)
}

func (r *listRecord) pending(spaceID string) []dataloader.Thunk[*upstream.IntegrationList] {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.listed[spaceID]
}

// notePage records what a page of a space's list brought: its names, and
// the list's count when the page is of the whole list.
func (r *listRecord) notePage(key IntegrationPage, list *upstream.IntegrationList) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.primed == nil {
		r.primed = make(map[string]bool, len(list.Items))
		r.counts = map[string]int{}
	}
	if list.Count != nil && key.Search == "" {
		r.counts[key.SpaceID] = int(*list.Count)
	}
	for i := range list.Items {
		r.primed[list.Items[i].Name] = true
	}
}

func (r *listRecord) count(spaceID string) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, ok := r.counts[spaceID]
	return n, ok
}

// unprimed is the distinct names that no page has primed yet.
func (r *listRecord) unprimed(names []string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(names))
	for _, n := range names {
		if !r.primed[n] && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// forget drops what the record says of a space's list: a write changed it.
func (r *listRecord) forget(spaceID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.listed, spaceID)
	delete(r.counts, spaceID)
}

// IntegrationPage is one page of listSpaceIntegrations.
func (l *Loaders) IntegrationPage(ctx context.Context, key IntegrationPage) (*upstream.IntegrationList, error) {
	l.noteListed(ctx, key)
	return load(ctx, l.integrationPages(), key)
}

// IntegrationPageEmbeds is what a page of a space's integrations embeds:
// the integrations and their owners.
const IntegrationPageEmbeds = KindIntegration | KindOrganization

// PrefetchIntegrationPage starts loading a page, asked for by a field at
// depth, without waiting for it.
func (l *Loaders) PrefetchIntegrationPage(ctx context.Context, depth int, key IntegrationPage) {
	if !l.naive {
		e := l.Expect(depth, IntegrationPageEmbeds)
		endWhenAnswered(e, l.noteListed(ctx, key))
	}
}

// noteListed starts loading a page and, when it lists all of a space's
// integrations, records it for the blocks.
func (l *Loaders) noteListed(ctx context.Context, key IntegrationPage) dataloader.Thunk[*upstream.IntegrationList] {
	thunk := l.integrationPages().Load(ctx, key)
	if key.Search == "" && !l.naive {
		l.lists.noteListed(key.SpaceID, thunk)
	}
	return thunk
}

// PrefetchSpaceIntegrationBlocks starts loading a space's blocks without
// waiting for them.
func (l *Loaders) PrefetchSpaceIntegrationBlocks(ctx context.Context, spaceID string) {
	if !l.naive {
		l.spaceBlocks().Load(ctx, spaceID)
	}
}

// AwaitListedIntegrations waits for the pages of a space's integrations
// that this request has asked for so far. Blocks name integrations that
// those pages hold; once the pages are in, loading the integrations by name
// costs no call. The pages' own fields report their errors.
func (l *Loaders) AwaitListedIntegrations(spaceID string) {
	pending := l.lists.pending(spaceID)
	for _, thunk := range pending {
		_, _ = thunk()
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
	for i := range list.Items {
		in := &list.Items[i]
		l.integrations().Prime(ctx, in.Name, in)
		if in.Owner.ID != "" {
			l.organizations().Prime(ctx, in.Owner.ID, &in.Owner)
		}
	}
	l.lists.notePage(key, list)
	l.embeds.primed()
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
	missing := l.lists.unprimed(names)
	page := IntegrationPage{SpaceID: spaceID, Limit: pageSize}
	total, known := l.lists.count(spaceID)
	if !known {
		total = -1
	}
	seen := 0
	for pages := 0; pages < MaxPages && len(missing) > 1; pages++ {
		if pagesLeft(total, seen, pageSize) > len(missing) {
			return // by name costs fewer calls
		}
		list, err := load(ctx, l.integrationPages(), page)
		if err != nil {
			return
		}
		seen += len(list.Items)
		missing = l.lists.unprimed(missing)
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

// forgetSpaceLists drops what a write to a space's installations changes,
// even when the write failed: its outcome may be unknown.
func (l *Loaders) forgetSpaceLists(ctx context.Context, spaceID string) {
	l.integrationPages().ClearAll()
	l.spaceBlocks().Clear(ctx, spaceID)
	l.lists.forget(spaceID)
}
