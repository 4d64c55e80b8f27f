package graph

import (
	"context"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gitbook-graphql/facade/loader"
	"github.com/gitbook-graphql/facade/upstream"
)

// spaceLists plans a request's lists of spaces: a space's lists (its
// integrations' pages, its blocks) need only the space's ID, so they go out
// beside the space, as the space's selection asks for them, rather than a
// round trip after it. It makes the pages' keys (from a connection's
// arguments and cursor, so that the page sent ahead is the page the
// connection reads) and decides what the blocks wait for. The loaders keep
// the record of what went out (loader's listRecord); nothing else decides.
type spaceLists struct {
	pageSize int
	seal     CursorSeal
}

func (r *Resolver) lists() spaceLists { return spaceLists{pageSize: r.pageSize(), seal: r.CursorSeal} }

// connectionStart is where a connection begins to read, from its arguments:
// the first upstream page, the items of it to skip, and how many it wants.
type connectionStart struct {
	page loader.IntegrationPage
	skip int
	want int
}

func (p spaceLists) start(spaceID string, search *string, first *int, after *string) (connectionStart, error) {
	start := connectionStart{want: maxWalk, page: loader.IntegrationPage{SpaceID: spaceID, Limit: p.pageSize}}
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
		c, err := p.decodeCursor(*after, spaceID, start.page.Search)
		if err != nil {
			return start, err
		}
		start.page.Page, start.page.Limit, start.skip = c.Page, c.Limit, c.Skip
	}
	return start, nil
}

// prefetch starts, beside the spaces themselves, the list calls that
// fields, their selection, will make: they need only the space's ID, so
// waiting for the space first would add a round trip. Their resolvers later
// find the calls in the loaders' caches. depth is the field's that asks for
// the spaces. Arguments that do not validate are left for the resolver to
// refuse.
func (p spaceLists) prefetch(ctx context.Context, l *loader.Loaders, depth int, fields []graphql.CollectedField, spaceIDs ...string) {
	var vars map[string]any
	if graphql.HasOperationContext(ctx) {
		vars = graphql.GetOperationContext(ctx).Variables
	}
	for _, f := range fields {
		switch f.Name {
		case "integrations":
			args := f.ArgumentMap(vars)
			search, first, after := stringArg(args["search"]), intArg(args["first"]), stringArg(args["after"])
			for _, id := range spaceIDs {
				if start, err := p.start(id, search, first, after); err == nil {
					l.PrefetchIntegrationPage(ctx, depth, start.page)
				}
			}
		case "integrationBlocks":
			for _, id := range spaceIDs {
				l.PrefetchSpaceIntegrationBlocks(ctx, id)
			}
		}
	}
}

// loadBlockIntegrations loads the integrations a space's blocks name. They
// may be on their way in a page of the space's integrations sent with the
// blocks: it waits for those rather than fetch them again by name. The rest
// are all enabled on the space, so its list holds them too: the loaders
// read it where that costs fewer calls.
func (p spaceLists) loadBlockIntegrations(ctx context.Context, l *loader.Loaders, spaceID string, blocks []upstream.SpaceIntegrationBlocks) {
	l.AwaitListedIntegrations(spaceID)
	names := make([]string, len(blocks))
	for i, b := range blocks {
		names[i] = b.Name
	}
	l.LoadEnabledIntegrations(ctx, spaceID, names, p.pageSize)
}

func stringArg(v any) *string {
	if s, ok := v.(string); ok {
		return &s
	}
	return nil
}

func intArg(v any) *int {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case int:
		n = int64(x)
	case float64:
		if x != math.Trunc(x) {
			return nil
		}
		n = int64(x)
	default:
		return nil
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return nil
	}
	i := int(n)
	return &i
}
