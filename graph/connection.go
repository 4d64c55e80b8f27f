package graph

import (
	"context"
	"errors"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gitbook-graphql/facade/graph/model"
	"github.com/gitbook-graphql/facade/loader"
	"github.com/gitbook-graphql/facade/upstream"
)

const (
	// maxFirst bounds `first`, as the spec's maximum bounds `limit`.
	maxFirst = upstream.MaxListLimit
	// maxWalk bounds how many integrations a connection without `first`
	// gathers; past it, hasNextPage and endCursor let the client go on.
	maxWalk = 1000
	// maxSearch bounds the search string passed upstream.
	maxSearch = 256
	// DefaultPageSize is the `limit` asked of the upstream per page.
	DefaultPageSize = 100
)

// integrationConnection walks the pages of listSpaceIntegrations that the
// arguments and the selection need: none past `first` items, and only the
// first when the selection asks for totalCount alone.
func (r *Resolver) integrationConnection(ctx context.Context, spaceID string, search *string, first *int, after *string) (*model.IntegrationConnection, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	plan := r.lists()
	start, err := plan.start(spaceID, search, first, after)
	if err != nil {
		return nil, err
	}
	w := connectionWalk{plan: plan, spaceID: spaceID, sel: connectionSelectionOf(ctx), key: start.page, skip: start.skip, want: start.want}
	if !w.sel.items {
		w.want = 0
	}
	w.conn = &model.IntegrationConnection{
		Nodes:    []model.Integration{},
		Edges:    []model.IntegrationEdge{},
		PageInfo: model.PageInfo{HasPreviousPage: after != nil},
	}
	// A cursor keeps the page size it was made with, which may be small (a
	// connection asked for `first: 1`): resuming reads no more pages than
	// the server's own page size would need (one more for the page it
	// resumes in), so that resuming after a small page cannot raise what a
	// connection costs. Past that, hasNextPage and endCursor go on.
	reads := loader.MaxPages
	if after != nil {
		reads = min(loader.MaxPages, (w.want+plan.pageSize-1)/plan.pageSize+1)
	}
	defer l.Expect(depthOf(ctx), loader.IntegrationPageEmbeds).End()
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		list, err := l.IntegrationPage(ctx, w.key)
		if err != nil {
			return nil, err
		}
		if full := w.gather(list); full {
			w.conn.PageInfo.HasNextPage = true
			return w.conn, nil
		}
		if list.Next == nil || list.Next.Page == "" {
			return w.conn, nil
		}
		if w.gathered == w.want || pages+1 == reads {
			w.conn.PageInfo.HasNextPage = true
			return w.conn, nil
		}
		if seen[list.Next.Page] {
			return nil, &upstream.Error{Op: "listSpaceIntegrations", Kind: upstream.ErrBadResponse,
				Err: errRepeatedPage}
		}
		seen[w.key.Page] = true
		w.key.Page, w.skip = list.Next.Page, 0
	}
}

// connectionWalk is a connection being gathered, page by page.
type connectionWalk struct {
	plan     spaceLists
	spaceID  string
	sel      connectionSelection
	key      loader.IntegrationPage
	skip     int // items of the current page already given out
	want     int
	gathered int
	conn     *model.IntegrationConnection
}

// gather adds a page's items past skip, up to want; full says that want
// was reached before the page's end.
func (w *connectionWalk) gather(list *upstream.IntegrationList) (full bool) {
	if w.conn.TotalCount == nil && list.Count != nil {
		n := int(*list.Count)
		w.conn.TotalCount = &n
	}
	// Sized once: an Integration is large, and growing the slices copied
	// each one several times.
	room := min(max(len(list.Items)-w.skip, 0), w.want-w.gathered)
	if w.sel.nodes {
		w.conn.Nodes = slices.Grow(w.conn.Nodes, room)
	}
	if w.sel.edges {
		w.conn.Edges = slices.Grow(w.conn.Edges, room)
	}
	for i := w.skip; i < len(list.Items); i++ {
		if w.gathered == w.want {
			return true
		}
		node := model.IntegrationFromREST(&list.Items[i])
		w.gathered++
		if w.sel.nodes {
			w.conn.Nodes = append(w.conn.Nodes, *node)
		}
		if w.sel.cursors {
			w.addCursor(node, list, i)
		}
	}
	return false
}

// addCursor gives the item at i of list its cursor: after the last item of
// a page it points at the start of the next.
func (w *connectionWalk) addCursor(node *model.Integration, list *upstream.IntegrationList, i int) {
	resume := cursor{Space: w.spaceID, Search: w.key.Search, Page: w.key.Page, Skip: i + 1, Limit: w.key.Limit}
	if i == len(list.Items)-1 && list.Next != nil && list.Next.Page != "" {
		resume.Page, resume.Skip = list.Next.Page, 0
	}
	c := w.plan.encodeCursor(resume)
	if w.sel.edges {
		w.conn.Edges = append(w.conn.Edges, model.IntegrationEdge{Node: *node, Cursor: c})
	}
	if w.conn.PageInfo.StartCursor == nil {
		w.conn.PageInfo.StartCursor = &c
	}
	w.conn.PageInfo.EndCursor = &c
}

var errRepeatedPage = errors.New("next.page points back to a page already read")

// connectionSelection is what a connection's selection asks for: items at
// all (totalCount and __typename alone need only the first page), nodes,
// edges, and cursors (for edges or pageInfo). What is not asked for is not
// built.
type connectionSelection struct {
	items, nodes, edges, cursors bool
}

func connectionSelectionOf(ctx context.Context) connectionSelection {
	var sel connectionSelection
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		switch f.Name {
		case "totalCount", "__typename":
		case "nodes":
			sel.items, sel.nodes = true, true
		case "edges":
			sel.items, sel.edges, sel.cursors = true, true, true
		default: // pageInfo
			sel.items, sel.cursors = true, true
		}
	}
	return sel
}

func (r *Resolver) pageSize() int {
	if r.PageSize <= 0 || r.PageSize > upstream.MaxListLimit {
		return DefaultPageSize
	}
	return r.PageSize
}
