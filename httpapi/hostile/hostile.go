// Package hostile holds the shapes of GraphQL requests known to cost a
// server most for their size (fragments, spreads, aliases, directives,
// nesting, names, variables), or for what they make it do (deferred
// fragments, repeated ids, introspection, names on each path, headers),
// each built as large as the limits let it be, and a generator of
// documents over the served schema (Generate). The facade's tests send
// them all; the benchmark measures each, and the fuzzer generates more.
package hostile

import (
	"fmt"
	"strings"

	"github.com/gitbook-graphql/facade/graph"
	"github.com/gitbook-graphql/facade/httpapi"
)

// BodyBudget is what the default 1 MiB body limit leaves for the query.
const BodyBudget = 1<<20 - 256

// Request is one hostile request: its GraphQL parameters, and how it is
// sent.
type Request struct {
	Query         string
	Variables     map[string]any
	OperationName string
	Extensions    map[string]any
	// GET sends the parameters in the URL, not as a POST's body.
	GET bool
	// Header is sent besides Content-Type and Authorization.
	Header map[string]string
	// Persisted registers Query by its hash first (automatic persisted
	// queries), then sends the hash alone.
	Persisted bool
	// Same sends the same document each time, which the server may have
	// parsed and cached already; otherwise each request is a new one.
	Same bool
	// Calls is the most upstream calls it may make, over the demo data.
	Calls int
	// Runs says the limits let it through: it is answered, or cut as its
	// answer is built, not refused before it runs.
	Runs bool
}

// Multipart says whether the request takes @defer's parts.
func (r Request) Multipart() bool { return strings.Contains(r.Header["Accept"], "multipart/mixed") }

// Shape builds one kind of hostile request within budget bytes of query.
type Shape struct {
	Name  string
	Build func(budget int) Request
}

// plain is a request of a query alone.
func plain(build func(budget int) (string, map[string]any)) func(int) Request {
	return func(budget int) Request {
		q, v := build(budget)
		return Request{Query: q, Variables: v}
	}
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
	{"fragments each spread once", plain(func(budget int) (string, map[string]any) {
		n := budget / 60
		var spreads, defs strings.Builder
		for i := range n {
			fmt.Fprintf(&spreads, " ...F%d", i)
			fmt.Fprintf(&defs, "fragment F%d on Query { __typename } ", i)
		}
		return "{" + spreads.String() + " } " + defs.String(), nil
	})},
	{"fragments spreading the one before twice", plain(func(budget int) (string, map[string]any) {
		var b strings.Builder
		b.WriteString("{ ...F0 } ")
		i := 0
		for ; b.Len() < budget-100; i++ {
			fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d } ", i, i+1, i+1)
		}
		fmt.Fprintf(&b, "fragment F%d on Query { __typename } ", i)
		return b.String(), nil
	})},
	{"__typename repeated", plain(func(budget int) (string, map[string]any) {
		return repeat(budget, "{", "}", func(int) string { return " __typename" }), nil
	})},
	{"distinct aliases", plain(func(budget int) (string, map[string]any) {
		return repeat(budget, "{", "}", func(i int) string { return fmt.Sprintf(" a%d: __typename", i) }), nil
	})},
	{"a directive repeated", plain(func(budget int) (string, map[string]any) {
		return repeat(budget, "{ __typename", " }", func(int) string { return " @a" }), nil
	})},
	{"unknown fields", plain(func(budget int) (string, map[string]any) {
		return repeat(budget, "{", "}", func(i int) string { return fmt.Sprintf(" f%d", i) }), nil
	})},
	{"nested inline fragments", plain(func(budget int) (string, map[string]any) {
		n := budget / 20
		return strings.Repeat("{ ... on Query ", n) + "{ __typename }" + strings.Repeat(" }", n), nil
	})},
	{"nested introspection", plain(func(budget int) (string, map[string]any) {
		n := budget / 22
		return "{ __schema { types { fields { type " + strings.Repeat("{ ofType ", n) + "{ name }" + strings.Repeat(" }", n) + " } } } }", nil
	})},
	{"operations", plain(func(budget int) (string, map[string]any) {
		return repeat(budget, "", "", func(i int) string { return fmt.Sprintf("query Q%d { __typename } ", i) }), nil
	})},
	{"variables", plain(func(budget int) (string, map[string]any) {
		return repeat(budget, "query(", ") { __typename }", func(i int) string { return fmt.Sprintf("$v%d: Int ", i) }), nil
	})},
	{"arguments", plain(func(budget int) (string, map[string]any) {
		return repeat(budget, `{ space(`, `) { id } }`, func(int) string { return `id: 1 ` }), nil
	})},
	{"a long field name", plain(func(budget int) (string, map[string]any) {
		return "{ " + strings.Repeat("a", budget-8) + " }", nil
	})},
	{"a long operation name", plain(func(budget int) (string, map[string]any) {
		return "query " + strings.Repeat("A", budget-30) + " { __typename }", nil
	})},
	{"comments", plain(func(budget int) (string, map[string]any) {
		// JSON writes each line's end as two bytes (\\n), so the query is kept to 3/5 of the budget.
		return repeat(budget*3/5, "", "{ __typename }", func(int) string { return "#\n" }), nil
	})},
	{"a long comment", plain(func(budget int) (string, map[string]any) {
		return "#" + strings.Repeat("c", budget-20) + "\n{ __typename }", nil
	})},
	{"a long string argument", plain(func(budget int) (string, map[string]any) {
		return `{ space(id: "` + strings.Repeat("s", budget-30) + `") { id } }`, nil
	})},
	{"a long variable", plain(func(budget int) (string, map[string]any) {
		return "query($id: ID!) { space(id: $id) { id } }", map[string]any{"id": strings.Repeat("v", budget-100)}
	})},
	{"deeply nested variables", plain(func(budget int) (string, map[string]any) {
		var v any = "x"
		for range 5000 {
			v = []any{v}
		}
		return "query($v: [ID!]) { __typename }", map[string]any{"v": v}
	})},
	// At the limits rather than past them: answered, and validated in full.
	{"__typename at the field limit", plain(func(int) (string, map[string]any) {
		return "{" + strings.Repeat(" __typename", httpapi.DefaultMaxFields) + " }", nil
	})},
	{"aliases and fields at their limits", plain(func(int) (string, map[string]any) {
		var b strings.Builder
		b.WriteString("{")
		for i := range httpapi.DefaultMaxAliases {
			fmt.Fprintf(&b, " a%d: __typename", i)
		}
		b.WriteString(strings.Repeat(" __typename", httpapi.DefaultMaxFields-httpapi.DefaultMaxAliases) + " }")
		return b.String(), nil
	})},
	{"a fragment chain at the field limit", plain(func(int) (string, map[string]any) {
		var b strings.Builder
		b.WriteString("{ ...F0 } ")
		const links = 7 // 2^8 - 1 spreads and fields: 255 + 128 < 500
		for i := range links {
			fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d } ", i, i+1, i+1)
		}
		fmt.Fprintf(&b, "fragment F%d on Query { __typename }", links)
		return b.String(), nil
	})},
	{"fragments never spread", plain(func(budget int) (string, map[string]any) {
		return repeat(budget, "{ __typename } ", "", func(i int) string { return fmt.Sprintf("fragment U%d on Query { __typename } ", i) }), nil
	})},
	// What a document makes the server do, rather than what it takes to
	// read: deferred fragments, ids repeated, introspection, names on each
	// path, headers. Each at the largest size the default limits let
	// through, answered within them.
	{"deferred fragments over one field, in parts", func(int) Request {
		return Request{Runs: true, Query: overOneField(httpapi.DefaultMaxDirectives - 1), Header: map[string]string{"Accept": MultipartAccept}, Calls: 2}
	}},
	{"deferred fragments over one field, whole", func(int) Request {
		return Request{Runs: true, Query: overOneField(httpapi.DefaultMaxDirectives - 1), Calls: 2}
	}},
	{"deferred fragments with labels of their own", func(int) Request {
		var b strings.Builder
		b.WriteString(`{ space(id: "acme-developer-portal") { id`)
		for i := range httpapi.DefaultMaxDirectives - 1 {
			fmt.Fprintf(&b, ` ... @defer(label: "l%d") { organization { id title } }`, i)
		}
		b.WriteString(" } }")
		return Request{Runs: true, Query: b.String(), Header: map[string]string{"Accept": MultipartAccept}, Calls: 2}
	}},
	{"deferred fragments in a list of one id repeated", func(int) Request {
		// Each id may cost its space and its organization twice (the
		// estimate does not see that both fragments ask the same one): the
		// call limit (200) lets 66 through.
		return Request{Runs: true, Query: `{ ` + spacesOfRepeatedID(66, `{ id ... @defer { title organization { id title } } ... @defer { organization { id } } }`) + ` }`,
			Header: map[string]string{"Accept": MultipartAccept}, Calls: 2}
	}},
	{"deferred fragments under a fragment, in _entities", func(int) Request {
		reps := strings.TrimSuffix(strings.Repeat(`{__typename: "Space", id: "acme-developer-portal"}, `, 66), ", ")
		return Request{Runs: true, Query: `{ _entities(representations: [` + reps + `]) { ...F @defer } } fragment F on Space { id ... @defer { organization { id } } ... @defer { organization { title } } }`,
			Header: map[string]string{"Accept": MultipartAccept}, Calls: 2}
	}},
	{"one id repeated, every field of its integrations", func(int) Request {
		// Each id costs its space and a page of its integrations: 89 fit
		// the call limit. The answer would be about 5 MB, 200,000 values.
		return Request{Runs: true, Query: `{ ` + spacesOfRepeatedID(89, `{ id title integrations { nodes `+EveryField("Integration", 3)+` } }`) + ` }`, Calls: 3}
	}},
	{"one id repeated, every field of its integrations, in parts", func(int) Request {
		return Request{Runs: true, Query: `{ ` + spacesOfRepeatedID(89, `{ id ... @defer { integrations { nodes `+EveryField("Integration", 3)+` } } }`) + ` }`,
			Header: map[string]string{"Accept": MultipartAccept}, Calls: 3}
	}},
	{"aliased introspection", func(int) Request {
		var b strings.Builder
		b.WriteString("{")
		for i := range httpapi.DefaultMaxAliases {
			fmt.Fprintf(&b, " a%d: __schema { types { fields { type { name } } } }", i)
		}
		b.WriteString(" }")
		return Request{Runs: true, Query: b.String()}
	}},
	{"aliased introspection, every type in full", func(int) Request {
		const one = " __schema { types { name kind description fields { name description args { name type { name kind } } type { name kind ofType { name kind } } } } }"
		n := httpapi.DefaultMaxFields / 19 // the selections of one
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " a%d:%s", i, one)
		}
		b.WriteString(" }")
		return Request{Runs: true, Query: b.String()}
	}},
	{"a long operationName, the document cached", func(budget int) Request {
		return Request{Query: "query Q { __typename }", OperationName: "Q" + strings.Repeat("x", budget-64), Same: true}
	}},
	{"a long operationName, the document persisted", func(budget int) Request {
		return Request{Query: "query Q { __typename }", OperationName: "Q" + strings.Repeat("x", budget-200), Persisted: true}
	}},
	{"a long operationName over GET", func(int) Request {
		// Within what net/http takes of a request line and headers (1 MB).
		return Request{Query: "query Q { __typename }", OperationName: "Q" + strings.Repeat("x", 256<<10), GET: true}
	}},
	{"an HTTP/2 upgrade offered", func(int) Request {
		return Request{Runs: true, Query: `{ space(id: "acme-handbook") { title } }`, Calls: 1,
			Header: map[string]string{"Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c", "HTTP2-Settings": "AAMAAABkAARAAAAAAAIAAAAA"}}
	}},
	{"a WebSocket upgrade offered", func(int) Request {
		return Request{Runs: true, Query: `{ __typename }`, Header: map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}}
	}},
}

// overOneField is a space with n unlabelled deferred fragments that
// select one field: gqlgen waited for ever for such a field's second part.
func overOneField(n int) string {
	return `{ space(id: "acme-developer-portal") { id` + strings.Repeat(" ... @defer { organization { id } }", n) + ` } }`
}

// spacesOfRepeatedID asks for the demo space with the most integrations n
// times, with selection: in lists of graph.MaxSpaceIDs ids, the most one
// spaces(ids:) takes, aliased s0, s1, ...
func spacesOfRepeatedID(n int, selection string) string {
	var b strings.Builder
	for i := 0; n > 0; i++ {
		k := min(n, graph.MaxSpaceIDs)
		fmt.Fprintf(&b, "s%d: spaces(ids: [%s]) %s ", i, strings.TrimSuffix(strings.Repeat(`"acme-developer-portal", `, k), ", "), selection)
		n -= k
	}
	return strings.TrimSpace(b.String())
}
