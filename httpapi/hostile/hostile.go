// Package hostile holds the shapes of GraphQL requests known to cost a
// server most for their size (fragments, spreads, aliases, directives,
// nesting, names, variables), each built as large as a body limit lets it
// be. The facade's tests send them all; the benchmark measures each.
package hostile

import (
	"fmt"
	"strings"

	"github.com/gitbook-graphql/facade/httpapi"
)

// BodyBudget is what the default 1 MiB body limit leaves for the query.
const BodyBudget = 1<<20 - 256

// Shape builds one kind of hostile request within budget bytes of query.
type Shape struct {
	Name  string
	Build func(budget int) (query string, vars map[string]any)
}

// repeat writes piece(i) for i = 0, 1, ... while the whole stays within
// budget.
func repeat(budget int, head, tail string, piece func(i int) string) string {
	var b strings.Builder
	b.WriteString(head)
	for i := 0; ; i++ {
		p := piece(i)
		if b.Len()+len(p)+len(tail) > budget {
			break
		}
		b.WriteString(p)
	}
	b.WriteString(tail)
	return b.String()
}

// Shapes are every shape, the last few at the limits rather than past them.
var Shapes = []Shape{
	{"fragments each spread once", func(budget int) (string, map[string]any) {
		n := budget / 60
		var spreads, defs strings.Builder
		for i := range n {
			fmt.Fprintf(&spreads, " ...F%d", i)
			fmt.Fprintf(&defs, "fragment F%d on Query { __typename } ", i)
		}
		return "{" + spreads.String() + " } " + defs.String(), nil
	}},
	{"fragments spreading the one before twice", func(budget int) (string, map[string]any) {
		var b strings.Builder
		b.WriteString("{ ...F0 } ")
		i := 0
		for ; b.Len() < budget-100; i++ {
			fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d } ", i, i+1, i+1)
		}
		fmt.Fprintf(&b, "fragment F%d on Query { __typename } ", i)
		return b.String(), nil
	}},
	{"__typename repeated", func(budget int) (string, map[string]any) {
		return repeat(budget, "{", "}", func(int) string { return " __typename" }), nil
	}},
	{"distinct aliases", func(budget int) (string, map[string]any) {
		return repeat(budget, "{", "}", func(i int) string { return fmt.Sprintf(" a%d: __typename", i) }), nil
	}},
	{"a directive repeated", func(budget int) (string, map[string]any) {
		return repeat(budget, "{ __typename", " }", func(int) string { return " @a" }), nil
	}},
	{"unknown fields", func(budget int) (string, map[string]any) {
		return repeat(budget, "{", "}", func(i int) string { return fmt.Sprintf(" f%d", i) }), nil
	}},
	{"nested inline fragments", func(budget int) (string, map[string]any) {
		n := budget / 20
		return strings.Repeat("{ ... on Query ", n) + "{ __typename }" + strings.Repeat(" }", n), nil
	}},
	{"nested introspection", func(budget int) (string, map[string]any) {
		n := budget / 22
		return "{ __schema { types { fields { type " + strings.Repeat("{ ofType ", n) + "{ name }" + strings.Repeat(" }", n) + " } } } }", nil
	}},
	{"operations", func(budget int) (string, map[string]any) {
		return repeat(budget, "", "", func(i int) string { return fmt.Sprintf("query Q%d { __typename } ", i) }), nil
	}},
	{"variables", func(budget int) (string, map[string]any) {
		return repeat(budget, "query(", ") { __typename }", func(i int) string { return fmt.Sprintf("$v%d: Int ", i) }), nil
	}},
	{"arguments", func(budget int) (string, map[string]any) {
		return repeat(budget, `{ space(`, `) { id } }`, func(int) string { return `id: 1 ` }), nil
	}},
	{"a long field name", func(budget int) (string, map[string]any) {
		return "{ " + strings.Repeat("a", budget-8) + " }", nil
	}},
	{"a long operation name", func(budget int) (string, map[string]any) {
		return "query " + strings.Repeat("A", budget-30) + " { __typename }", nil
	}},
	{"comments", func(budget int) (string, map[string]any) {
		// JSON writes each line's end as two bytes (\\n), so the query is kept to 3/5 of the budget.
		return repeat(budget*3/5, "", "{ __typename }", func(int) string { return "#\n" }), nil
	}},
	{"a long comment", func(budget int) (string, map[string]any) {
		return "#" + strings.Repeat("c", budget-20) + "\n{ __typename }", nil
	}},
	{"a long string argument", func(budget int) (string, map[string]any) {
		return `{ space(id: "` + strings.Repeat("s", budget-30) + `") { id } }`, nil
	}},
	{"a long variable", func(budget int) (string, map[string]any) {
		return "query($id: ID!) { space(id: $id) { id } }", map[string]any{"id": strings.Repeat("v", budget-100)}
	}},
	{"deeply nested variables", func(budget int) (string, map[string]any) {
		var v any = "x"
		for range 5000 {
			v = []any{v}
		}
		return "query($v: [ID!]) { __typename }", map[string]any{"v": v}
	}},
	// At the limits rather than past them: answered, and validated in full.
	{"__typename at the field limit", func(int) (string, map[string]any) {
		return "{" + strings.Repeat(" __typename", httpapi.DefaultMaxFields) + " }", nil
	}},
	{"aliases and fields at their limits", func(int) (string, map[string]any) {
		var b strings.Builder
		b.WriteString("{")
		for i := range httpapi.DefaultMaxAliases {
			fmt.Fprintf(&b, " a%d: __typename", i)
		}
		b.WriteString(strings.Repeat(" __typename", httpapi.DefaultMaxFields-httpapi.DefaultMaxAliases) + " }")
		return b.String(), nil
	}},
	{"a fragment chain at the field limit", func(int) (string, map[string]any) {
		var b strings.Builder
		b.WriteString("{ ...F0 } ")
		const links = 7 // 2^8 - 1 spreads and fields: 255 + 128 < 500
		for i := range links {
			fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d } ", i, i+1, i+1)
		}
		fmt.Fprintf(&b, "fragment F%d on Query { __typename }", links)
		return b.String(), nil
	}},
	{"fragments never spread", func(budget int) (string, map[string]any) {
		return repeat(budget, "{ __typename } ", "", func(i int) string { return fmt.Sprintf("fragment U%d on Query { __typename } ", i) }), nil
	}},
}
