package httpapi

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// depthLimit refuses operations nested deeper than max fields, as the
// graphql-depth-limit validation rule does; fragments count where they are
// spread. The schema has no cycles but introspection's, so the bound is for
// those and for whatever the schema grows into.
type depthLimit struct{ max int }

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	if depth := selectionDepth(opCtx.Operation.SelectionSet, d.max+1); depth > d.max {
		err := gqlerror.Errorf("the operation nests fields %d deep; at most %d are allowed", depth, d.max)
		errcode.Set(err, errcode.ValidationFailed)
		return err
	}
	return nil
}

// selectionDepth measures a selection set's depth, stopping at stop so that
// a wide and deep operation costs no more than it must.
func selectionDepth(set ast.SelectionSet, stop int) int {
	if stop <= 0 {
		return 0
	}
	deepest := 0
	for _, sel := range set {
		var depth int
		switch s := sel.(type) {
		case *ast.Field:
			depth = 1
			if len(s.SelectionSet) > 0 {
				depth += selectionDepth(s.SelectionSet, stop-1)
			}
		case *ast.InlineFragment:
			depth = selectionDepth(s.SelectionSet, stop)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				depth = selectionDepth(s.Definition.SelectionSet, stop)
			}
		}
		deepest = max(deepest, depth)
		if deepest >= stop {
			return deepest
		}
	}
	return deepest
}

// noIntrospection refuses __schema and __type when introspection is off,
// at validation, as Apollo Server does, rather than let each such field
// fail while the rest of the operation runs.
type noIntrospection struct{}

func (noIntrospection) ExtensionName() string                   { return "NoIntrospection" }
func (noIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

func (noIntrospection) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil || !introspects(opCtx.Operation.SelectionSet) {
		return nil
	}
	err := gqlerror.Errorf("introspection is switched off on this server (-introspection=false); the operation asks for __schema, __type or _service")
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

func introspects(set ast.SelectionSet) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			// _service is federated introspection: the schema's SDL.
			if s.Name == "__schema" || s.Name == "__type" || s.Name == "_service" || introspects(s.SelectionSet) {
				return true
			}
		case *ast.InlineFragment:
			if introspects(s.SelectionSet) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && introspects(s.Definition.SelectionSet) {
				return true
			}
		}
	}
	return false
}
