package budget_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2"

	"github.com/gitbook-graphql/facade/budget"
	"github.com/gitbook-graphql/facade/graph"
	"github.com/gitbook-graphql/facade/graph/generated"
)

// Fields are priced in upstream calls: an operation's complexity divided
// by a call's price is about the calls it may make.
func TestFieldsArePricedInCalls(t *testing.T) {
	b := budget.Budget{MaxCalls: 200, PageSize: 100}
	es := b.Schema(generated.Config{Resolvers: &graph.Resolver{}})
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		calls       int
	}{
		{"a space", `{ space(id: "s") { id } }`, nil, 1},
		{"a space and its organization", `{ space(id: "s") { id organization { id } } }`, nil, 2},
		{"three spaces, each with its organization", `{ spaces(ids: ["a", "b", "c"]) { organization { id } } }`, nil, 6},
		{"a connection of 250 at pages of 100", `{ space(id: "s") { integrations(first: 250) { totalCount } } }`, nil, 4},
		{"five representations", `query($r: [_Any!]!) { _entities(representations: $r) { ... on Space { id } } }`,
			map[string]any{"r": []any{map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}}}, 5},
		// The walk from a token: a page per connection, and what each node
		// costs times the nodes.
		{"two organizations of five spaces with their integrations",
			`{ organizations(first: 2) { nodes { spaces(first: 5) { nodes { integrations { totalCount } } } } } }`, nil, 13},
		{"six organizations of fifty spaces with their integrations",
			`{ organizations(first: 6) { nodes { spaces(first: 50) { nodes { integrations { totalCount } } } } } }`, nil, 307},
		{"an organization's installations embed their integrations",
			`{ organization(id: "o") { installations(first: 50) { nodes { id integration { title } } } } }`, nil, 2},
		{"an installation's spaces embed their spaces",
			`{ organization(id: "o") { installations(first: 10) { nodes { spaceInstallations(first: 20) { nodes { space { title } } } } } } }`, nil, 12},
		{"an installation by its key, and its integration",
			`{ installation(integration: "slack", id: "i") { integration { title } } }`, nil, 2},
		{"a list without first is taken to hold 50",
			`{ organizations { nodes { spaces(first: 1) { totalCount } } } }`, nil, 51},
		{"the marketplace and each integration's installations",
			`{ integrations(first: 10) { nodes { installations(first: 5) { nodes { organization { id } } } } } }`, nil, 61},
		{"installing, and the space installed on",
			`mutation { installIntegrationOnSpace(integration: "slack", installation: "i", space: "s") { space { title } } }`, nil, 2},
		{"uninstalling, and the integration and space read afresh",
			`mutation { uninstallIntegrationFromSpace(integration: "slack", installation: "i", space: "s") { integration { title } space { title } } }`, nil, 3},
		// The blocks' integrations come from one page of the space's list.
		{"a space's blocks and their integrations",
			`{ space(id: "s") { integrationBlocks { name integration { title } } } }`, nil, 3},
		{"the README's first example", `{
			space(id: "s") {
				title organization { title }
				integrations(first: 5) { totalCount nodes { name owner { title } blocks { id } } }
				integrationBlocks { name integration { title verified } blocks { id } }
			}
		}`, nil, 5},
		// first and ids from variables, as JSON numbers and arrays.
		{"a connection of first: $n, 250 at pages of 100",
			`query($n: Int) { space(id: "s") { integrations(first: $n) { nodes { name } } } }`, map[string]any{"n": json.Number("250")}, 4},
		{"two spaces' first thousand integrations",
			`query($ids: [ID!]!) { spaces(ids: $ids) { integrations(first: 1000) { nodes { name } } } }`, map[string]any{"ids": []any{"a", "b"}}, 22},
		{"one id, not in a list", `query($id: [ID!]!) { spaces(ids: $id) { organization { id } } }`, map[string]any{"id": "a"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := gqlparser.LoadQuery(es.Schema(), tc.query)
			if err != nil {
				t.Fatal(err)
			}
			cost := complexity.Calculate(context.Background(), es, doc.Operations[0], tc.vars, complexity.WithFixedScalarValue(0))
			// Each call costs 100; objects that make none cost 1 each.
			if got := cost / 100; got != tc.calls {
				t.Errorf("priced at %d (%d calls), want %d calls", cost, got, tc.calls)
			}
		})
	}
}
