package budget

import (
	"context"
	"math"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gitbook-graphql/facade/graph/generated"
	"github.com/gitbook-graphql/facade/graph/model"
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
	c.Mutation.InstallIntegrationOnSpace = func(child int, _, _, _ string) int { return saturatingAdd(callCost, call(child)) }
	c.Mutation.UninstallIntegrationFromSpace = func(child int, _, _, _ string) int { return call(child) }

	c.Space.Organization = func(child int) int { return call(child) }
	c.Space.IntegrationBlocks = func(child int) int { return call(child) }
	c.Space.Integrations = func(child int, _ *string, first *int, _ *string) int { return b.connection(child, first) }
	c.SpaceIntegrationBlocks.Integration = func(child int) int { return call(child) }
	c.IntegrationSpaceInstallation.Integration = func(child int) int { return call(child) }
	// A space installation's space is embedded where a list holds it
	// (listIntegrationInstallationSpaces, asked `extended`); the mutation,
	// whose answer may hold only its ID, prices it itself.
	c.IntegrationSpaceInstallation.Space = func(child int) int { return child }

	// The walk from a token.
	c.Query.Viewer = func(child int) int { return call(child) }
	c.Query.Organizations = func(child int, first *int, _ *string) int { return b.connection(child, first) }
	c.Query.Integrations = func(child int, _ *string, _ *model.IntegrationCategory, _ *string, _ *bool, _ *bool, _ *string,
		_ *model.IntegrationScope, _ *model.IntegrationTarget, first *int, _ *string) int {
		return b.connection(child, first)
	}
	// An installation read by its key does not embed its integration: one
	// call for the installation, one for the integration it may select.
	c.Query.Installation = func(child int, _, _ string) int { return saturatingAdd(callCost, call(child)) }
	c.Query.FetchIntegrationInstallation = func(child int, _ string) int { return saturatingAdd(callCost, call(child)) }
	c.Organization.Spaces = func(child int, first *int, _ *string) int { return b.connection(child, first) }
	c.Organization.Installations = func(child int, _ *string, first *int, _ *string) int { return b.connection(child, first) }
	c.Integration.Installations = func(child int, first *int, _ *string) int { return b.connection(child, first) }
	c.IntegrationInstallation.SpaceInstallations = func(child int, first *int, _ *string) int { return b.connection(child, first) }
	c.IntegrationInstallation.Organization = func(child int) int { return call(child) }
	// Lists of installations embed each one's integration (an
	// organization's), or are an integration's own: no call. Query.installation
	// prices the one case that needs it.
	c.IntegrationInstallation.Integration = func(child int) int { return child }
	c.UninstallIntegrationFromSpacePayload.Integration = func(child int) int { return call(child) }
	c.UninstallIntegrationFromSpacePayload.Space = func(child int) int { return call(child) }
	return c
}

// AssumedListSize is how many items the estimate takes a list without
// `first` to hold, for what its items cost in calls; the request's own call
// limit stops a list that holds more.
const AssumedListSize = 50

// connection prices a connection: the pages `first` needs (one without
// it), and the calls below each node times the nodes. child holds both:
// the calls below the nodes (whole multiples of callCost) and their plain
// fields (less than one call's worth, unless a selection has a hundred
// objects, which then count as a call: the estimate errs high, never low).
func (b Budget) connection(child int, first *int) int {
	pages, nodes := 1, AssumedListSize
	if first != nil {
		nodes = max(*first, 0)
		if *first > 0 {
			pages = (*first + b.PageSize - 1) / b.PageSize
		}
	}
	calls, plain := child-child%callCost, child%callCost
	return saturatingAdd(saturatingAdd(saturatingMul(pages, callCost), plain), saturatingMul(nodes, calls))
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
		cost := saturatingMul(len(reps), saturatingAdd(callCost, child))
		// An installation read by its key does not embed its integration.
		for _, rep := range reps {
			if m, ok := rep.(map[string]any); ok && m["__typename"] == "IntegrationInstallation" {
				cost = saturatingAdd(cost, callCost)
			}
		}
		return cost, true
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
