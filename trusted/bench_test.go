package trusted_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/trusted"
)

// benchList is a list of n operations the size of a web app's, each about
// the README's walk (600 bytes, 120 tokens), and one of them.
func benchList(b *testing.B, n int) (*trusted.List, trusted.Operation) {
	b.Helper()
	ops := make([]map[string]any, n)
	for i := range ops {
		body := fmt.Sprintf(`query Walk%d($first: Int = 10) {
  viewer { id displayName organizations(first: $first) { nodes { id title
    spaces(first: $first) { totalCount nodes { id title visibility
      integrations(first: 5) { nodes { name title owner { id title } } } } } } } }
}
fragment Org%d on Organization { id title createdAt urls { app location } }`, i, i)
		ops[i] = op(sha(body), fmt.Sprintf("Walk%d", i), "query", body)
	}
	l, err := trusted.Parse(manifest(b, ops...))
	if err != nil {
		b.Fatal(err)
	}
	return l, l.Operations()[n/2]
}

// The lookups on a request's path, in a list of 500: what each kind of
// reference costs before the document is parsed.
func BenchmarkLookup(b *testing.B) {
	l, op := benchList(b, 500)
	reformatted := strings.Join(strings.Fields(op.Body), " ") + " # sent by another client\n"
	if _, ok := l.ByText(reformatted, 15000); !ok {
		b.Fatal("the reformatted text is not found")
	}
	miss := strings.Replace(reformatted, "title", "description", 1)
	for _, bc := range []struct {
		name string
		find func() bool
	}{
		{"id", func() bool { _, ok := l.ByID(op.ID); return ok }},
		{"sha256Hash", func() bool { _, ok := l.ByID(op.SHA256); return ok }},
		{"exact text", func() bool { _, ok := l.ByText(op.Body, 15000); return ok }},
		{"reformatted text", func() bool { _, ok := l.ByText(reformatted, 15000); return ok }},
		{"unknown id", func() bool { _, ok := l.ByID("0123456789abcdef"); return !ok }},
		{"unlisted text", func() bool { _, ok := l.ByText(miss, 15000); return !ok }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !bc.find() {
					b.Fatal("wrong answer")
				}
			}
		})
	}
}

// Loading a list of 500 operations, as at start and on SIGHUP.
func BenchmarkParse(b *testing.B) {
	ops := make([]map[string]any, 500)
	for i := range ops {
		body := fmt.Sprintf("query Q%d { space(id: \"s%d\") { title integrations(first: 5) { nodes { name } } } }", i, i)
		ops[i] = op(sha(body), fmt.Sprintf("Q%d", i), "query", body)
	}
	data := manifest(b, ops...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := trusted.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
