package graph

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gitbook-graphql/facade/loader"
)

// What one request carries to its resolvers: its loaders (with the
// caller's credential), the selection being resolved, and where errors go.

var errNoLoaders = errors.New("graph: no loaders in the request context")

func loadersFor(ctx context.Context) (*loader.Loaders, error) {
	if l := loader.For(ctx); l != nil {
		return l, nil
	}
	return nil, errNoLoaders
}

// addErrorAt reports err at the index i of the current list field.
func addErrorAt(ctx context.Context, i int, err error) {
	path := append(append(ast.Path{}, graphql.GetPath(ctx)...), ast.PathIndex(i))
	graphql.AddError(ctx, &gqlerror.Error{Err: err, Message: err.Error(), Path: path})
}

// selects says whether the current field's selection includes field.
func selects(ctx context.Context, field string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == field {
			return true
		}
	}
	return false
}
