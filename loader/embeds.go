package loader

import (
	"context"
	"sync"

	"github.com/graph-gophers/dataloader/v7"
)

// An entity that a list of the request embeds costs no call of its own, and
// the same query costs the same calls every time: a read of an entity that
// raced the list would call when the list was a little late. So a read
// waits, while its key is not in the loader's cache, for the lists under way
// that may embed it, and calls only if none brought it.
//
// Which lists: those asked for by fields above the reader's depth (how many
// fields with resolvers stand above it; graph's depthOf). Such a list was
// asked for before the reader's own parent had its answer, so it is under
// way or done by the time of the read. Lists at depth 0 are recorded before
// the root fields run (ExpectRoot), which run on goroutines of their own;
// deeper ones when their field runs, after at least one round trip of the
// reader's own. A list asked for at the reader's depth or below is not
// waited for: it is asked for about when the read is, or later, and cannot
// answer before the read has sent its call. A connection stays under way
// until it has asked for the lists its nodes select (graph's nodeLists), so
// that a read waiting for it waits for those too, and its record does not
// end a moment before they are asked for.
//
// The wait ends with the request's lifetime, as every call does; a list that
// fails ends it too, and the read then calls.

// Kind is a set of kinds of entity that a list may embed.
type Kind uint8

const (
	KindOrganization Kind = 1 << iota
	KindIntegration
	KindSpace
	KindInstallation
)

// embeds is one request's record of the lists under way.
type embeds struct {
	mu    sync.Mutex
	under []*Embedding
	// changed is closed when a list ends or a page primes the loaders; nil
	// while no read waits, so that a request with none pays nothing for it.
	changed chan struct{}
	// roots holds, by root field, the lists a root field will ask for,
	// recorded before the root fields run (ExpectRoot).
	roots map[string]*Embedding
}

// Embedding is a list under way, from the field that asked for it.
type Embedding struct {
	of    *embeds
	depth int
	kinds Kind
}

// Expect records a list under way, asked for by a field at depth, that may
// embed entities of kinds; End ends it. In naive mode it records nothing.
func (l *Loaders) Expect(depth int, kinds Kind) *Embedding {
	if l.naive || kinds == 0 {
		return nil
	}
	e := &Embedding{of: &l.embeds, depth: depth, kinds: kinds}
	l.embeds.mu.Lock()
	l.embeds.under = append(l.embeds.under, e)
	l.embeds.mu.Unlock()
	return e
}

// ExpectRoot records, before an operation's root fields run, that the root
// field (by its response key) will ask for lists that may embed kinds: the
// root fields run on goroutines of their own, and a read below one of them
// must find another's lists under way however late that one's goroutine
// started. EndRoot ends the record once the field's resolver has returned,
// its lists asked for.
func (l *Loaders) ExpectRoot(field string, kinds Kind) {
	e := l.Expect(0, kinds)
	if e == nil {
		return
	}
	l.embeds.mu.Lock()
	if l.embeds.roots == nil {
		l.embeds.roots = map[string]*Embedding{}
	}
	l.embeds.roots[field] = e
	l.embeds.mu.Unlock()
}

// EndRoot ends what ExpectRoot recorded of field, if anything.
func (l *Loaders) EndRoot(field string) {
	l.embeds.mu.Lock()
	e := l.embeds.roots[field]
	delete(l.embeds.roots, field)
	l.embeds.mu.Unlock()
	e.End()
}

// End ends the list's record: it has answered, failed, or asked for all it
// will. A second End does nothing.
func (e *Embedding) End() {
	if e == nil {
		return
	}
	r := e.of
	r.mu.Lock()
	for i, u := range r.under {
		if u == e {
			last := len(r.under) - 1
			r.under[i], r.under[last] = r.under[last], nil
			r.under = r.under[:last]
			break
		}
	}
	r.wake()
	r.mu.Unlock()
}

// primed wakes the reads that wait: a page has put entities in the loaders.
func (r *embeds) primed() {
	r.mu.Lock()
	r.wake()
	r.mu.Unlock()
}

func (r *embeds) wake() {
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
}

// watch says whether a list asked for above depth that may embed kind is
// under way and, if one is, gives the channel closed at the next change.
func (r *embeds) watch(kind Kind, depth int) (<-chan struct{}, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.under {
		if e.depth < depth && e.kinds&kind != 0 {
			if r.changed == nil {
				r.changed = make(chan struct{})
			}
			return r.changed, true
		}
	}
	return nil, false
}

// awaitEmbeds waits, for a read at depth of key, an entity of kind, while
// the key is not in z's cache and a list that may embed it is under way.
func awaitEmbeds[K comparable, V any](ctx context.Context, l *Loaders, z *lazyLoader[K, V], kind Kind, depth int, key K) {
	if l.naive || depth <= 0 {
		return
	}
	var done <-chan struct{}
	for {
		changed, under := l.embeds.watch(kind, depth)
		if !under || z.cached(ctx, key) {
			return
		}
		if done == nil {
			done = underLifetime(ctx).Done()
		}
		select {
		case <-changed:
		case <-done:
			return
		}
	}
}

// prefetch starts loading key, a page of a list asked for by a field at
// depth that may embed kinds, without waiting for it; the page stays under
// way until it has answered.
func prefetch[K comparable, V any](ctx context.Context, l *Loaders, loader *dataloader.Loader[K, V], depth int, kinds Kind, key K) {
	if l.naive {
		return
	}
	e := l.Expect(depth, kinds)
	endWhenAnswered(e, loader.Load(ctx, key))
}

// endWhenAnswered ends e once thunk has its answer.
func endWhenAnswered[V any](e *Embedding, thunk dataloader.Thunk[V]) {
	go func() { // ends with the thunk's batch, which ends with the request
		_, _ = thunk()
		e.End()
	}()
}
