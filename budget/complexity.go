package budget

import (
	"context"
	"math"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gitbook-graphql/facade/graph/generated"
)

// callCost is the complexity of one upstream call. Fields that make no call
// cost 1 (objects) or 0 (scalars, see complexity.WithFixedScalarValue), so
// an operation's complexity divided by callCost is the number of upstream
// calls it may make, give or take its plain fields.
const callCost = 100

// complexityRoot prices the fields that call the upstream, for gqlgen's
// complexity limit. Lists of a size the query fixes (spaces(ids:), first:)
// multiply what they hold; lists of a size only the upstream knows count
// once, and the request's own call limit bounds what they really cost.
func (b Budget) complexityRoot() generated.ComplexityRoot {
	var c generated.ComplexityRoot
	call := func(child int) int { return saturatingAdd(callCost, child) }

	c.Query.Space = func(child int, _ string) int { return call(child) }
	c.Query.Spaces = func(child int, ids []string) int { return saturatingMul(len(ids), call(child)) }
	c.Query.Organization = func(child int, _ string) int { return call(child) }
	c.Query.Integration = func(child int, _ string) int { return call(child) }
	c.Query.FetchSpace = c.Query.Space
	c.Query.FetchOrganization = c.Query.Organization
	c.Query.FetchIntegration = c.Query.Integration
	c.Mutation.InstallIntegrationOnSpace = func(child int, _, _, _ string) int { return call(child) }
	c.Mutation.UninstallIntegrationFromSpace = func(child int, _, _, _ string) int { return call(child) }

	c.Space.Organization = func(child int) int { return call(child) }
	c.Space.IntegrationBlocks = func(child int) int { return call(child) }
	c.Space.Integrations = func(child int, _ *string, first *int, _ *string) int {
		pages := 1
		if first != nil && *first > 0 {
			pages = (*first + b.PageSize - 1) / b.PageSize
		}
		return saturatingAdd(saturatingMul(pages, callCost), child)
	}
	c.SpaceIntegrationBlocks.Integration = func(child int) int { return call(child) }
	c.IntegrationSpaceInstallation.Integration = func(child int) int { return call(child) }
	c.IntegrationSpaceInstallation.Space = func(child int) int { return call(child) }
	c.UninstallIntegrationFromSpacePayload.Integration = func(child int) int { return call(child) }
	c.UninstallIntegrationFromSpacePayload.Space = func(child int) int { return call(child) }
	return c
}

// pricedSchema prices what the generated ComplexityRoot cannot hold: the
// federation runtime's _entities, whose complexity function gqlgen leaves
// unexported in the generated package.
type pricedSchema struct{ graphql.ExecutableSchema }

func (s pricedSchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	if typeName == "Query" && field == "_entities" {
		// Each representation may cost a call (none when only its key is
		// asked for, which the estimate does not try to see).
		reps, _ := args["representations"].([]any)
		return saturatingMul(len(reps), saturatingAdd(callCost, child)), true
	}
	return s.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
}

// Complexities saturate rather than overflow: a wrapped, negative sum would
// let a huge operation through.
func saturatingAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func saturatingMul(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}
