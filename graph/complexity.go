package graph

import "math"

// CallCost is the complexity of one upstream call. Fields that make no call
// cost 1 (objects) or 0 (scalars, see complexity.WithFixedScalarValue), so
// an operation's complexity divided by CallCost is the number of upstream
// calls it may make, give or take its plain fields.
const CallCost = 100

// NewComplexity prices the fields that call the upstream, for gqlgen's
// complexity limit. Lists of a size the query fixes (spaces(ids:), first:)
// multiply what they hold; lists of a size only the upstream knows count
// once, and each request's own call limit bounds what they really cost.
func NewComplexity(pageSize int) ComplexityRoot {
	r := &Resolver{PageSize: pageSize}
	var c ComplexityRoot
	call := func(child int) int { return saturatingAdd(CallCost, child) }

	c.Query.Space = func(child int, _ string) int { return call(child) }
	c.Query.Spaces = func(child int, ids []string) int { return saturatingMul(len(ids), call(child)) }
	c.Query.Organization = func(child int, _ string) int { return call(child) }
	c.Query.Integration = func(child int, _ string) int { return call(child) }
	// Federation: each representation may cost a call (none when only its
	// key is asked for, which the estimate does not try to see).
	c.Query.__resolve_entities = func(child int, reps []map[string]any) int { return saturatingMul(len(reps), call(child)) }
	c.Mutation.InstallIntegrationOnSpace = func(child int, _, _, _ string) int { return call(child) }
	c.Mutation.UninstallIntegrationFromSpace = func(child int, _, _, _ string) int { return call(child) }

	c.Space.Organization = func(child int) int { return call(child) }
	c.Space.IntegrationBlocks = func(child int) int { return call(child) }
	c.Space.Integrations = func(child int, _ *string, first *int, _ *string) int {
		pages := 1
		if first != nil && *first > 0 {
			size := r.pageSize()
			pages = (*first + size - 1) / size
		}
		return saturatingAdd(saturatingMul(pages, CallCost), child)
	}
	c.SpaceIntegrationBlocks.Integration = func(child int) int { return call(child) }
	c.IntegrationSpaceInstallation.Integration = func(child int) int { return call(child) }
	c.IntegrationSpaceInstallation.Space = func(child int) int { return call(child) }
	c.UninstallIntegrationFromSpacePayload.Integration = func(child int) int { return call(child) }
	c.UninstallIntegrationFromSpacePayload.Space = func(child int) int { return call(child) }
	return c
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
