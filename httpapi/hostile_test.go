package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/upstream/upstreamtest"
)

// A hostile request is small, makes no upstream call, and costs the server
// as much as its shape allows: these are the shapes known to cost most
// (fragments, spreads, aliases, directives, nesting, names, variables), each
// built as large as the body limit lets it be.

// bodyBudget is what the default 1 MiB body limit leaves for the query.
const bodyBudget = 1<<20 - 256

type hostileShape struct {
	name  string
	build func(budget int) (query string, vars map[string]any)
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

var hostileShapes = []hostileShape{
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

// refusalCodes are the codes a hostile request may be answered with.
var refusalCodes = []string{"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST", "BAD_USER_INPUT", "COMPLEXITY_LIMIT_EXCEEDED", "TOO_MANY_ERRORS"}

func TestHostileRequestsAreRefusedCheaply(t *testing.T) {
	f := newFacade(t, setup{})
	for _, shape := range hostileShapes {
		t.Run(shape.name, func(t *testing.T) {
			query, vars := shape.build(bodyBudget)
			body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
			if len(body) > 1<<20 {
				t.Fatalf("the shape is %d bytes, past the body limit", len(body))
			}
			r := postBody(t, f, body)
			if r.status >= 500 || len(r.Errors) == 0 && (r.status != http.StatusOK || len(r.Data) == 0) {
				t.Fatalf("status %d, %d errors, data %.100s", r.status, len(r.Errors), r.Data)
			}
			if len(r.Errors) > 101 {
				t.Errorf("%d errors in one answer", len(r.Errors))
			}
			for _, code := range r.codes() {
				if !slices.Contains(refusalCodes, code) {
					t.Errorf("code %q (first error: %.200s)", code, r.Errors[0].Message)
				}
			}
		})
	}
	if n := f.sim.CallCount(""); n != 0 {
		t.Errorf("%d upstream calls for hostile requests", n)
	}
	// And the process still answers.
	var got struct{ Space struct{ Title string } }
	f.post(t, upstreamtest.DemoToken, `{ space(id: "acme-handbook") { title } }`, nil).decode(t, &got)
	if got.Space.Title != "Employee Handbook" {
		t.Errorf("after the hostile requests: %+v", got)
	}
}

// BenchmarkHostileRequests measures what each hostile shape, at the largest
// size the body limit allows, costs the server: the time of one request
// (the server's work, and the client's on loopback; the simulator is never
// called) and what it allocates. The parsed-document cache is off, as for
// an attacker who never sends the same document twice.
func BenchmarkHostileRequests(b *testing.B) {
	f := newFacade(b, setup{config: func(c *httpapi.Config) { c.QueryCacheBytes = 1 }})
	for _, shape := range hostileShapes {
		query, vars := shape.build(bodyBudget)
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		b.Run(strings.ReplaceAll(shape.name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				postBody(b, f, body)
			}
		})
	}
}
