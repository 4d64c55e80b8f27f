package graph

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"

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

// cursor is where to resume after an edge: the upstream page to read, how
// many of its items to skip, and the page size, which must stay the same for
// the page token to hold. After the last item of a page it points at the
// start of the next one, so resuming costs no call for a page already read.
// It names its space and search, so it cannot be replayed elsewhere, and it
// is sealed (cursorSeal), so it cannot be rewritten.
type cursor struct {
	Space  string `json:"s"`
	Search string `json:"q,omitempty"`
	Page   string `json:"p,omitempty"`
	Skip   int    `json:"k,omitempty"`
	Limit  int    `json:"l"`
}

func (r *Resolver) encodeCursor(c cursor) string {
	data, _ := json.Marshal(c)
	return r.CursorSeal.seal(data)
}

// decodeCursor reads a cursor of this space and search that this server
// (or one sharing its cursor key) sealed. Its page size can be no larger
// than the server's own: a server whose page size was lowered since refuses
// the cursors of the old one.
func (r *Resolver) decodeCursor(s, spaceID, search string) (cursor, error) {
	bad := &inputError{arg: "after", reason: "is not a cursor of this space's integrations with this search, or was altered"}
	data, ok := r.CursorSeal.open(s)
	if !ok {
		return cursor{}, bad
	}
	var c cursor
	if json.Unmarshal(data, &c) != nil || c.Space != spaceID || c.Search != search ||
		c.Limit < 1 || c.Limit > r.pageSize() || c.Skip < 0 || c.Skip > c.Limit {
		return cursor{}, bad
	}
	return c, nil
}

// connectionStart is where a connection begins to read, from its arguments:
// the first upstream page, the items of it to skip, and how many it wants.
type connectionStart struct {
	page loader.IntegrationPage
	skip int
	want int
}

func (r *Resolver) connectionStart(spaceID string, search *string, first *int, after *string) (connectionStart, error) {
	start := connectionStart{want: maxWalk, page: loader.IntegrationPage{SpaceID: spaceID, Limit: r.pageSize()}}
	if first != nil {
		if *first < 0 || *first > maxFirst {
			return start, &inputError{arg: "first", reason: "must be between 0 and " + strconv.Itoa(maxFirst)}
		}
		start.want, start.page.Limit = *first, min(max(*first, 1), start.page.Limit)
	}
	if search != nil {
		if len(*search) > maxSearch {
			return start, &inputError{arg: "search", reason: "is longer than " + strconv.Itoa(maxSearch) + " bytes"}
		}
		start.page.Search = *search
	}
	if after != nil {
		c, err := r.decodeCursor(*after, spaceID, start.page.Search)
		if err != nil {
			return start, err
		}
		start.page.Page, start.page.Limit, start.skip = c.Page, c.Limit, c.Skip
	}
	return start, nil
}

// integrationConnection walks the pages of listSpaceIntegrations that the
// arguments and the selection need: none past `first` items, and only the
// first when the selection asks for totalCount alone.
func (r *Resolver) integrationConnection(ctx context.Context, spaceID string, search *string, first *int, after *string) (*model.IntegrationConnection, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	start, err := r.connectionStart(spaceID, search, first, after)
	if err != nil {
		return nil, err
	}
	key, skip, want := start.page, start.skip, start.want
	sel := connectionSelectionOf(ctx)
	if !sel.items {
		want = 0
	}

	conn := &model.IntegrationConnection{
		Nodes:    []model.Integration{},
		Edges:    []model.IntegrationEdge{},
		PageInfo: model.PageInfo{HasPreviousPage: after != nil},
	}
	seen := map[string]bool{}
	gathered := 0
	// A cursor keeps the page size it was made with, which may be small (a
	// connection asked for `first: 1`): resuming reads no more pages than
	// the server's own page size would need (one more for the page it
	// resumes in), so that resuming after a small page cannot raise what a
	// connection costs. Past that, hasNextPage and endCursor go on.
	reads := loader.MaxPages
	if after != nil {
		reads = min(loader.MaxPages, (want+r.pageSize()-1)/r.pageSize()+1)
	}
	for pages := 0; ; pages++ {
		list, err := l.IntegrationPage(ctx, key)
		if err != nil {
			return nil, err
		}
		if conn.TotalCount == nil && list.Count != nil {
			n := int(*list.Count)
			conn.TotalCount = &n
		}
		// Sized once: an Integration is large, and growing the slices
		// copied each one several times.
		room := min(max(len(list.Items)-skip, 0), want-gathered)
		if sel.nodes {
			conn.Nodes = slices.Grow(conn.Nodes, room)
		}
		if sel.edges {
			conn.Edges = slices.Grow(conn.Edges, room)
		}
		for i := skip; i < len(list.Items); i++ {
			if gathered == want {
				conn.PageInfo.HasNextPage = true
				return conn, nil
			}
			node := model.IntegrationFromREST(&list.Items[i])
			gathered++
			if sel.nodes {
				conn.Nodes = append(conn.Nodes, *node)
			}
			if !sel.cursors {
				continue
			}
			resume := cursor{Space: spaceID, Search: key.Search, Page: key.Page, Skip: i + 1, Limit: key.Limit}
			if i == len(list.Items)-1 && list.Next != nil && list.Next.Page != "" {
				resume.Page, resume.Skip = list.Next.Page, 0
			}
			c := r.encodeCursor(resume)
			if sel.edges {
				conn.Edges = append(conn.Edges, model.IntegrationEdge{Node: *node, Cursor: c})
			}
			if conn.PageInfo.StartCursor == nil {
				conn.PageInfo.StartCursor = &c
			}
			conn.PageInfo.EndCursor = &c
		}
		skip = 0
		if list.Next == nil || list.Next.Page == "" {
			return conn, nil
		}
		if gathered == want || pages+1 == reads {
			conn.PageInfo.HasNextPage = true
			return conn, nil
		}
		if seen[list.Next.Page] {
			return nil, &upstream.Error{Op: "listSpaceIntegrations", Kind: upstream.ErrBadResponse,
				Err: errRepeatedPage}
		}
		seen[key.Page] = true
		key.Page = list.Next.Page
	}
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
