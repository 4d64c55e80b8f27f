package graph

import (
	"context"
	"math"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gitbook-graphql/facade/loader"
)

// prefetchSpaceLists starts, beside the space itself, the list calls its
// selection will make: they need only the space's ID, so waiting for the
// space first would add a round trip. Their resolvers later find the calls
// in the loaders' caches. Arguments that do not validate are left for the
// resolver to refuse.
func (r *Resolver) prefetchSpaceLists(ctx context.Context, l *loader.Loaders, spaceIDs ...string) {
	var vars map[string]any
	if graphql.HasOperationContext(ctx) {
		vars = graphql.GetOperationContext(ctx).Variables
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{"Space"}) {
		switch f.Name {
		case "integrations":
			args := f.ArgumentMap(vars)
			search, first, after := stringArg(args["search"]), intArg(args["first"]), stringArg(args["after"])
			for _, id := range spaceIDs {
				if start, err := r.connectionStart(id, search, first, after); err == nil {
					l.PrefetchIntegrationPage(ctx, start.page)
				}
			}
		case "integrationBlocks":
			for _, id := range spaceIDs {
				l.PrefetchSpaceIntegrationBlocks(ctx, id)
			}
		}
	}
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
