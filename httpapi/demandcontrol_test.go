package httpapi_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gitbook-graphql/facade/budget"
	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/graph"
	"github.com/gitbook-graphql/facade/graph/generated"
	"github.com/gitbook-graphql/facade/httpapi"
)

// A gateway that reads the SDL's @cost and @listSize (IBM's cost spec, as
// Federation 2.9 imports it) estimates an operation at no fewer upstream
// calls than the facade makes for it, and where the facade's own estimate
// counts what a gateway cannot see (the pages of a large `first`, the
// length of `ids`), no more than it. Each operation runs on the simulated
// GitBook, which counts the calls.
func TestGatewayEstimatesCoverTheCalls(t *testing.T) {
	thirty, thirtyIDs := manySpaces(30)
	ids := make([]any, len(thirtyIDs))
	for i, id := range thirtyIDs {
		ids[i] = id
	}
	spaceReps := []any{}
	for _, id := range []string{"oss-governance", "acme-handbook", "no-such-space", "northwind-onboarding", "acme-handbook"} {
		spaceReps = append(spaceReps, map[string]any{"__typename": "Space", "id": id})
	}
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		data        *gitbooksim.Dataset
		// Why Hive Gateway estimates below the calls, where it does.
		hiveBelow string
		// Within this many times the calls, for the README's example.
		within int
	}{
		{name: "one space", query: `{ space(id: "acme-developer-portal") { title organization { title } } }`},
		{name: "the README's first example", within: 3, query: readmeExample(t)},
		{name: "a space's integrations and their owners", within: 3,
			query: `{ space(id: "acme-developer-portal") { title integrations(first: 5) { nodes { name owner { title } } } } }`},
		{name: "two spaces' first thousand integrations",
			query: `{ spaces(ids: ["acme-developer-portal", "oss-governance"]) { integrations(first: 1000) { nodes { name owner { title } } } } }`},
		{name: "thirty spaces", data: thirty, vars: map[string]any{"ids": ids}, query: `query($ids: [ID!]!) {
			spaces(ids: $ids) { id title organization { id title } integrations { nodes { name } } integrationBlocks { name blocks { id title } } }
		}`},
		{name: "spaces by representation", vars: map[string]any{"r": spaceReps},
			hiveBelow: "it counts an _entities fetch once, whatever the representations",
			query:     `query($r: [_Any!]!) { _entities(representations: $r) { ... on Space { id title integrations { totalCount } } } }`},
		{name: "two organizations of five spaces with their integrations",
			query: `{ organizations(first: 2) { nodes { spaces(first: 5) { nodes { integrations { totalCount } } } } } }`},
		{name: "where Slack is enabled, and what else is", query: `{
			organizations(first: 5) { nodes { title installations(search: "slack", first: 1) { nodes {
				spaceInstallations(first: 20) { nodes { space { title integrations(first: 20) { nodes { name } } } } }
			} } } }
		}`},
		{name: "every organization's spaces, without first",
			hiveBelow: "it counts a connection asked without first as one node, where the facade and Apollo Router take assumedSize, 50",
			query:     `{ organizations { nodes { spaces(first: 3) { nodes { title } } } } }`},
		{name: "an installation by its key, with its integration and organization",
			query: `{ installation(integration: "slack", id: "inst-acme-slack") { status integration { title } organization { title } } }`},
		{name: "installing, and the space installed on",
			query: `mutation { installIntegrationOnSpace(integration: "slack", installation: "inst-acme-slack", space: "acme-changelog") { status space { title } } }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := httpapi.Schema()
			doc, errs := gqlparser.LoadQuery(s, tc.query)
			if errs != nil {
				t.Fatal(errs)
			}
			op := doc.Operations[0]
			facade := facadeEstimate(op, tc.vars)
			// _entities is a list the SDL cannot size: Apollo Router counts
			// the representations the plan sends; Hive Gateway, its listSize
			// setting (1 when unset).
			reps := 0
			if r, ok := tc.vars["r"].([]any); ok {
				reps = len(r)
			}
			apollo := gateway{listSize: reps}.estimate(op, tc.vars)
			hive := gateway{hive: true}.estimate(op, tc.vars)

			// GitBook's pages hold what the facade asks (-upstream-page-size),
			// where -demo's hold 20 to show paging. No latency: an entity a
			// list embeds waits for the list (loader's embeds.go), so the
			// calls are the same however fast the simulator answers.
			f := newFacade(t, setup{sim: gitbooksim.Options{Data: tc.data}})
			r := f.do(t, tc.query, variables(tc.vars))
			calls := f.sim.CallCount("")
			t.Logf("calls %d; estimates: facade %d, Apollo Router %d, Hive Gateway %d", calls, facade, apollo, hive)
			if r.Data == nil || string(r.Data) == "null" {
				t.Fatalf("no data: %+v", r.Errors)
			}
			if calls == 0 {
				t.Fatal("no call: the case shows nothing")
			}
			if facade < calls {
				t.Errorf("the facade estimates %d, below its %d calls", facade, calls)
			}
			if apollo < calls {
				t.Errorf("Apollo Router would estimate %d, below the %d calls", apollo, calls)
			}
			if hive < calls && tc.hiveBelow == "" {
				t.Errorf("Hive Gateway would estimate %d, below the %d calls", hive, calls)
			}
			if tc.hiveBelow != "" && hive >= calls {
				t.Errorf("Hive Gateway would estimate %d for %d calls: the case no longer shows that %s", hive, calls, tc.hiveBelow)
			}
			if tc.within > 0 && (apollo > tc.within*calls || hive > tc.within*calls) {
				t.Errorf("estimates %d (Apollo Router), %d (Hive Gateway): more than %d× the %d calls", apollo, hive, tc.within, calls)
			}
		})
	}
}

// With maxCost at -max-upstream-calls, a gateway refuses, before it asks
// the facade anything, what the facade refuses for cost; except where it
// cannot see what the facade counts, and the facade refuses it then, still
// before any call to GitBook.
func TestGatewaysRefuseWhatTheFacadeRefuses(t *testing.T) {
	f := newFacade(t, setup{})
	ids := make([]any, 201)
	for i := range ids {
		ids[i] = fmt.Sprintf("space-%d", i)
	}
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		// Why a gateway lets it through, where it does.
		apolloPasses, hivePasses string
	}{
		{name: "six organizations of fifty spaces with their integrations",
			query: `{ organizations(first: 6) { nodes { spaces(first: 50) { nodes { integrations { totalCount } } } } } }`},
		{name: "ninety spaces with their organizations and integrations", query: func() string {
			var q strings.Builder
			for i := range 90 {
				fmt.Fprintf(&q, ` a%d: space(id: "acme-handbook") { organization { id } integrations { totalCount } }`, i)
			}
			return "{" + q.String() + " }"
		}()},
		{name: "the marketplace's installations and the spaces of each",
			query:      `{ integrations { nodes { installations { nodes { spaceInstallations { totalCount } } } } } }`,
			hivePasses: "it counts each connection without first as one node"},
		{name: "201 ids", query: `query($ids: [ID!]!) { spaces(ids: $ids) { id } }`, vars: map[string]any{"ids": ids},
			apolloPasses: "it takes spaces(ids:) to hold 50, the most the field takes",
			hivePasses:   "it takes spaces(ids:) to hold 50, the most the field takes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQuery(httpapi.Schema(), tc.query)
			if errs != nil {
				t.Fatal(errs)
			}
			op, maxCost := doc.Operations[0], budget.DefaultMaxCalls
			if r := f.do(t, tc.query, variables(tc.vars)); fmt.Sprint(r.codes()) != "[COMPLEXITY_LIMIT_EXCEEDED]" {
				t.Fatalf("the facade answered %s %+v", r.Data, r.Errors)
			}
			for _, g := range []struct {
				name   string
				gw     gateway
				passes string
			}{{"Apollo Router", gateway{}, tc.apolloPasses}, {"Hive Gateway", gateway{hive: true}, tc.hivePasses}} {
				estimate := g.gw.estimate(op, tc.vars)
				t.Logf("%s estimates %d", g.name, estimate)
				if refused := estimate > maxCost; refused != (g.passes == "") {
					t.Errorf("%s estimates %d against maxCost %d; expected it to pass: %q", g.name, estimate, maxCost, g.passes)
				}
			}
		})
	}
	if n := f.sim.CallCount(""); n != 0 {
		t.Errorf("%d calls to GitBook", n)
	}
}

// facadeEstimate is the calls the facade's own limit prices op at.
func facadeEstimate(op *ast.OperationDefinition, vars map[string]any) int {
	b := budget.Budget{MaxCalls: budget.DefaultMaxCalls, PageSize: 100}
	es := b.Schema(generated.Config{Schema: httpapi.Schema(), Resolvers: &graph.Resolver{}})
	return complexity.Calculate(context.Background(), es, op, vars, complexity.WithFixedScalarValue(0)) / 100
}

// gateway estimates an operation from the SDL's directives, as IBM's cost
// spec says and Apollo Router and Hive Gateway read it (their default
// costs: 1 for an object without @cost, 0 for a scalar or an enum; the 10
// Apollo Router adds for a mutation is left out, as Hive Gateway 2.12
// leaves it). They differ where a connection is asked without its slicing
// argument: Apollo Router takes assumedSize, Hive Gateway reads it only
// without slicingArguments, and takes 1; and on what the SDL does not size.
type gateway struct {
	hive bool
	// listSize is what a list the SDL does not size holds: for Apollo
	// Router, its estimate of the entities a fetch asks for; Hive Gateway's
	// setting never reaches `[_Entity]!`, which it counts once.
	listSize int
}

func (g gateway) estimate(op *ast.OperationDefinition, vars map[string]any) int {
	return g.selections(op.SelectionSet, vars, nil)
}

func (g gateway) selections(set ast.SelectionSet, vars map[string]any, sized map[string]int) int {
	total := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			total += g.field(sel, vars, sized)
		case *ast.InlineFragment:
			total += g.selections(sel.SelectionSet, vars, sized)
		case *ast.FragmentSpread:
			total += g.selections(sel.Definition.SelectionSet, vars, sized)
		}
	}
	return total
}

func (g gateway) field(f *ast.Field, vars map[string]any, sized map[string]int) int {
	def := f.Definition
	if def == nil || strings.HasPrefix(f.Name, "__") {
		return 0
	}
	count := 1
	var childSized map[string]int
	own := -1
	if ls := def.Directives.ForName("listSize"); ls != nil {
		size := directiveInt(ls, "assumedSize")
		slicing := ls.Arguments.ForName("slicingArguments")
		if slicing != nil {
			if g.hive {
				size = 1
			}
			for _, a := range slicing.Value.Children {
				if v, ok := f.ArgumentMap(vars)[a.Value.Raw]; ok && v != nil {
					n, err := strconv.Atoi(fmt.Sprint(v))
					if err == nil {
						size = n
						if g.hive {
							size = max(n, 1)
						}
					}
				}
			}
		}
		if sf := ls.Arguments.ForName("sizedFields"); sf != nil {
			childSized = map[string]int{}
			for _, name := range sf.Value.Children {
				childSized[name.Value.Raw] = size
			}
		} else {
			own = size
		}
	}
	if def.Type.Elem != nil {
		switch n, ok := sized[f.Name]; {
		case ok:
			count = n
		case own >= 0:
			count = own
		case g.listSize > 0:
			count = g.listSize
		}
	}
	w := -1
	if c := def.Directives.ForName("cost"); c != nil {
		w = directiveInt(c, "weight")
	}
	typeWeight := 0
	switch target := httpapi.Schema().Types[def.Type.Name()]; {
	case target.Directives.ForName("cost") != nil:
		typeWeight = directiveInt(target.Directives.ForName("cost"), "weight")
	case target.Kind == ast.Object || target.Kind == ast.Interface || target.Kind == ast.Union:
		typeWeight = 1
	}
	switch {
	case w < 0:
		w = typeWeight
	case g.hive:
		w += typeWeight // Hive adds the type's weight to the field's; Apollo Router takes the field's alone
	}
	return count * (w + g.selections(f.SelectionSet, vars, childSized))
}

func directiveInt(d *ast.Directive, arg string) int {
	a := d.Arguments.ForName(arg)
	if a == nil {
		return 0
	}
	n, _ := strconv.Atoi(a.Value.Raw)
	return n
}
