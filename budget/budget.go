// Package budget bounds the upstream calls one GraphQL request may make:
// before it runs, by pricing every field in calls (gqlgen's complexity),
// as the schema's @cost and @listSize directives tell gateways, and
// refusing an operation that may need more than the budget; while it runs,
// by the request's client, which makes no call past it.
package budget

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gitbook-graphql/facade/graph/generated"
	"github.com/gitbook-graphql/facade/upstream"
)

// DefaultMaxCalls is the upstream calls one request may make by default:
// 30 spaces with their organizations, lists and blocks fit, with room.
const DefaultMaxCalls = 200

// Budget is one request's bound on upstream calls.
type Budget struct {
	// MaxCalls bounds the upstream calls of one request.
	MaxCalls int
	// PageSize is the `limit` the resolvers ask of the upstream per page,
	// which prices a connection's `first`.
	PageSize int
}

// Schema is the executable schema with its fields priced in calls, as its
// @cost and @listSize directives say. A directive it cannot read is a
// mistake in the compiled-in schema, and panics as gqlgen's own
// MustLoadSchema does.
func (b Budget) Schema(cfg generated.Config) graphql.ExecutableSchema {
	es := generated.NewExecutableSchema(cfg)
	prices, err := pricesOf(es.Schema())
	if err != nil {
		panic("budget: the schema's demand-control directives: " + err.Error())
	}
	return pricedSchema{ExecutableSchema: es, prices: prices, pageSize: b.PageSize}
}

// Limit refuses, before any call, an operation Schema prices above
// MaxCalls, saying so in calls.
func (b Budget) Limit() graphql.HandlerExtension {
	return callLimit{
		ComplexityLimit: extension.FixedComplexityLimit(saturatingMul(b.MaxCalls, callCost), complexity.WithFixedScalarValue(0)),
		maxCalls:        b.MaxCalls,
	}
}

// Client is c, making at most MaxCalls calls (retries not counted); a
// call past them fails as the limit's refusal does.
func (b Budget) Client(c *upstream.Client) *upstream.Client { return c.WithCallLimit(b.MaxCalls) }

// callLimit is gqlgen's complexity limit, reworded in upstream calls.
type callLimit struct {
	*extension.ComplexityLimit
	maxCalls int
}

func (c callLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	err := c.ComplexityLimit.MutateOperationContext(ctx, opCtx)
	if err == nil {
		return nil
	}
	calls := 0
	if stats, ok := opCtx.Stats.GetExtension(c.ExtensionName()).(*extension.ComplexityStats); ok {
		calls = (stats.Complexity + callCost - 1) / callCost
	}
	err.Message = fmt.Sprintf("this operation may need about %d upstream calls; one request may make at most %d", calls, c.maxCalls)
	return err
}
