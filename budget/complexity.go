package budget

import (
	"context"
	"math"
	"reflect"

	"github.com/99designs/gqlgen/graphql"
)

// callCost is the complexity of one upstream call. Fields that make no call
// cost 1 (objects) or 0 (scalars, see complexity.WithFixedScalarValue), so
// an operation's complexity divided by callCost is the number of upstream
// calls it may make, give or take its plain fields.
const callCost = 100

// pricedSchema prices fields in calls, for gqlgen's complexity limit, from
// the schema's @cost and @listSize: what they tell a gateway, with what the
// facade sees and a gateway cannot (the pages a connection's `first` needs,
// how many ids a list is asked for), and the federation runtime's
// _entities, which is not in the schema's files.
type pricedSchema struct {
	graphql.ExecutableSchema
	prices   map[fieldKey]price
	pageSize int
}

func (s pricedSchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	if typeName == "Query" && field == "_entities" {
		return entities(child, args), true
	}
	p, ok := s.prices[fieldKey{typeName, field}]
	if !ok {
		return s.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
	}
	call := saturatingMul(p.weight, callCost)
	switch {
	case p.size == nil:
		return saturatingAdd(call, child), true
	case p.size.slicing != "":
		return s.connection(call, p.size, child, args), true
	default:
		// A list of items, each costing the field's weight and what is
		// selected below it.
		n := p.size.assumed
		if p.size.itemsArg != "" {
			n = items(args[p.size.itemsArg])
		}
		return saturatingMul(n, saturatingAdd(call, child)), true
	}
}

// connection prices a connection: its weight for each page `first` needs
// (one without it, where gateways count one whatever `first` is), and the
// calls below each node times the nodes (`first`, or the assumed size).
// child holds both the calls below the nodes (whole multiples of callCost)
// and their plain fields (less than one call's worth, unless a selection
// has a hundred objects, which then count as a call: the estimate errs high,
// never low).
func (s pricedSchema) connection(call int, size *listSize, child int, args map[string]any) int {
	pages, nodes := 1, size.assumed
	if first, err := graphql.UnmarshalInt(args[size.slicing]); err == nil && args[size.slicing] != nil {
		nodes = max(first, 0)
		if first > 0 {
			pages = (first + s.pageSize - 1) / s.pageSize
		}
	}
	calls, plain := child-child%callCost, child%callCost
	return saturatingAdd(saturatingAdd(saturatingMul(pages, call), plain), saturatingMul(nodes, calls))
}

// items is how many items a list argument holds: a single value stands for
// a list of one, as GraphQL's input coercion has it.
func items(v any) int {
	if v == nil {
		return 0
	}
	if l := reflect.ValueOf(v); l.Kind() == reflect.Slice {
		return l.Len()
	}
	return 1
}

// entities prices _entities: each representation may cost a call (none
// when only its key is asked for, which the estimate does not try to see).
// No directive can say so: _entities is not in the schema's files.
func entities(child int, args map[string]any) int {
	reps, _ := args["representations"].([]any)
	cost := saturatingMul(len(reps), saturatingAdd(callCost, child))
	// An installation read by its key does not embed its integration.
	for _, rep := range reps {
		if m, ok := rep.(map[string]any); ok && m["__typename"] == "IntegrationInstallation" {
			cost = saturatingAdd(cost, callCost)
		}
	}
	return cost
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
