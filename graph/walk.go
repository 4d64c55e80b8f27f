package graph

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/gitbook-graphql/facade/graph/model"
	"github.com/gitbook-graphql/facade/loader"
	"github.com/gitbook-graphql/facade/upstream"
)

// The connections of the walk from a token (organizations, their spaces and
// installations, the marketplace, an integration's installations, an
// installation's spaces) keep the rules of Space.integrations: `first` from
// 0 to 1000, up to 1000 items walked without it, cursors sealed and tied to
// their list, and a page sent upstream as `page`/`limit`, through the
// request's loaders.

// listCursor is where to resume in one of these lists: the upstream page,
// the items of it to skip, and the page size it was read with. Of names the
// list (its field, its parent and its arguments), so that a cursor cannot be
// replayed on another; the seal keeps it from being rewritten.
type listCursor struct {
	Of    string `json:"o"`
	Page  string `json:"p,omitempty"`
	Skip  int    `json:"k,omitempty"`
	Limit int    `json:"l"`
}

// page is one page of a list, as the walk reads it.
type page[T any] struct {
	items []T
	next  string
	count *float64
}

// pageReader reads the page of token (empty for the first) at limit.
type pageReader[T any] func(ctx context.Context, token string, limit int) (page[T], error)

// walked is what a connection gathered: its items, a cursor beside each
// when the selection asks for cursors, its pageInfo and its count.
type walked[T any] struct {
	items   []*T
	cursors []string
	info    model.PageInfo
	total   *int
}

// walkList reads the pages of one list that the arguments and the selection
// need. op names the upstream operation (for its errors), of the list.
func walkList[T any](ctx context.Context, r *Resolver, op, of string, first *int, after *string, read pageReader[T]) (*walked[T], error) {
	size, seal := r.pageSize(), r.CursorSeal
	start, err := r.walkStart(of, first, after)
	if err != nil {
		return nil, err
	}
	want, limit, token, skip := start.want, start.limit, start.token, start.skip
	sel := connectionSelectionOf(ctx)
	if !sel.items {
		want = 0
	}
	w := &walked[T]{info: model.PageInfo{HasPreviousPage: after != nil}}
	// As in Space.integrations: resuming from a cursor of a small page reads
	// no more pages than the server's own page size would need.
	reads := loader.MaxPages
	if after != nil {
		reads = min(loader.MaxPages, (want+size-1)/size+1)
	}
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		p, err := read(ctx, token, limit)
		if err != nil {
			return nil, err
		}
		if w.total == nil && p.count != nil {
			n := int(*p.count)
			w.total = &n
		}
		for i := skip; i < len(p.items); i++ {
			if len(w.items) == want {
				w.info.HasNextPage = true
				return w, nil
			}
			w.items = append(w.items, &p.items[i])
			if sel.cursors {
				c := listCursor{Of: of, Page: token, Skip: i + 1, Limit: limit}
				if i == len(p.items)-1 && p.next != "" {
					c.Page, c.Skip = p.next, 0
				}
				s := sealListCursor(seal, c)
				w.cursors = append(w.cursors, s)
				if w.info.StartCursor == nil {
					w.info.StartCursor = &s
				}
				w.info.EndCursor = &s
			}
		}
		if p.next == "" {
			return w, nil
		}
		if len(w.items) == want || pages+1 == reads {
			w.info.HasNextPage = true
			return w, nil
		}
		seen[token] = true
		if seen[p.next] {
			return nil, &upstream.Error{Op: op, Kind: upstream.ErrBadResponse, Err: errRepeatedPage}
		}
		token, skip = p.next, 0
	}
}

// walkStart is where a walk of a list begins, from its arguments: the
// upstream page, the items of it to skip, the page size, and how many items
// it wants. A connection's nodes' lists are asked for from it too (see
// nodeLists), so that the page asked for ahead is the page the walk reads.
type walkStart struct {
	token             string
	skip, limit, want int
}

func (r *Resolver) walkStart(of string, first *int, after *string) (walkStart, error) {
	size := r.pageSize()
	start := walkStart{want: maxWalk, limit: size}
	if first != nil {
		if *first < 0 || *first > maxFirst {
			return start, &inputError{arg: "first", reason: "must be between 0 and " + strconv.Itoa(maxFirst)}
		}
		start.want, start.limit = *first, min(max(*first, 1), size)
	}
	if after != nil {
		c, err := openListCursor(r.CursorSeal, *after, of, size)
		if err != nil {
			return start, err
		}
		start.token, start.skip, start.limit = c.Page, c.Skip, c.Limit
	}
	return start, nil
}

func sealListCursor(seal CursorSeal, c listCursor) string {
	data, _ := json.Marshal(c)
	return seal.seal(data)
}

// openListCursor reads a cursor of the list of, sealed by this server (or
// one sharing its key), with a page size no larger than its own.
func openListCursor(seal CursorSeal, s, of string, pageSize int) (listCursor, error) {
	bad := &inputError{arg: "after", reason: "is not a cursor of this list with these arguments, or was altered"}
	data, ok := seal.open(s)
	if !ok {
		return listCursor{}, bad
	}
	var c listCursor
	if json.Unmarshal(data, &c) != nil || c.Of != of || c.Limit < 1 || c.Limit > pageSize || c.Skip < 0 || c.Skip > c.Limit {
		return listCursor{}, bad
	}
	return c, nil
}

// listOf names a list for its cursors: the field, then its parent and
// arguments, separated by a byte no id or name holds.
func listOf(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	b := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(b, p...)
	}
	return string(b)
}

func pageOf[T any](items []T, list upstream.List) page[T] {
	p := page[T]{items: items, count: list.Count}
	if list.Next != nil {
		p.next = list.Next.Page
	}
	return p
}

func checkSearch(search *string) (string, error) {
	if search == nil {
		return "", nil
	}
	if len(*search) > maxSearch {
		return "", &inputError{arg: "search", reason: "is longer than " + strconv.Itoa(maxSearch) + " bytes"}
	}
	return *search, nil
}
