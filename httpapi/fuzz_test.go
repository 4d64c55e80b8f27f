package httpapi_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/upstream"
)

// Whatever a caller sends, the answer is a GraphQL response in JSON with a
// 2xx or 4xx status; never a panic, never a 5xx.
func FuzzGraphQLRequest(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzGraphQLRequest.
	sim := gitbooksim.NewServer(gitbooksim.Options{})
	f.Cleanup(sim.Close)
	client, err := upstream.New(sim.URL, upstream.Options{Retry: &fastRetry})
	if err != nil {
		f.Fatal(err)
	}
	handler := httpapi.New(httpapi.Config{Client: client, DefaultAuthorization: "Bearer " + gitbooksim.DemoToken})
	f.Fuzz(func(t *testing.T, body []byte) {
		// No credential of its own, at the host where the default one serves.
		r := serve(t, handler, "", rawBody(body), bearer(""), atHost("localhost"), rawAnswer())
		if r.status >= 500 || r.status < 200 {
			t.Fatalf("HTTP %d for %q: %s", r.status, body, r.body)
		}
		var answer struct {
			Data   json.RawMessage   `json:"data"`
			Errors []json.RawMessage `json:"errors"`
		}
		if err := json.Unmarshal(r.body, &answer); err != nil {
			t.Fatalf("answer to %q is not JSON: %v: %s", body, err, r.body)
		}
		if len(answer.Data) == 0 && len(answer.Errors) == 0 {
			t.Fatalf("answer to %q has neither data nor errors: %s", body, r.body)
		}
	})
}

// FuzzGraphQLDocument builds GraphQL documents, not just bodies: each input
// byte picks the next piece (a field of the schema or not, an alias,
// arguments, a selection set opened or closed, a fragment spread or
// definition, an inline fragment, a directive, a variable), so the fuzzer
// explores what parsing, the document limits, validation and execution do
// with documents that are nearly right. Whatever it builds is answered, or
// refused with a code; never a 5xx, never INTERNAL_SERVER_ERROR.
func FuzzGraphQLDocument(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzGraphQLDocument, and these.
	for _, seed := range []string{"\x00\x01\x02\x03\x04", "\x10\x22\x31\x45\x50\x66\x77", "\x05\x05\x05\x05\x09\x09"} {
		f.Add([]byte(seed))
	}
	sim := gitbooksim.NewServer(gitbooksim.Options{})
	f.Cleanup(sim.Close)
	client, err := upstream.New(sim.URL, upstream.Options{Retry: &fastRetry})
	if err != nil {
		f.Fatal(err)
	}
	handler := httpapi.New(httpapi.Config{Client: client, Logger: slog.New(slog.DiscardHandler)})
	f.Fuzz(func(t *testing.T, program []byte) {
		doc, vars := buildDocument(program)
		r := serve(t, handler, doc, variables(vars), rawAnswer())
		if r.status >= 500 || r.status < 200 {
			t.Fatalf("HTTP %d for %q: %s", r.status, doc, r.body)
		}
		var answer response
		if err := json.Unmarshal(r.body, &answer); err != nil {
			t.Fatalf("answer to %q is not JSON: %v: %s", doc, err, r.body)
		}
		if len(answer.Data) == 0 && len(answer.Errors) == 0 {
			t.Fatalf("answer to %q has neither data nor errors", doc)
		}
		if slices.Contains(answer.codes(), "INTERNAL_SERVER_ERROR") || slices.Contains(answer.codes(), "") {
			t.Fatalf("answer to %q: %s", doc, r.body)
		}
	})
}

// docFields are names the document builder picks from: the schema's (so
// documents often validate and run) and a few it lacks.
var docFields = []string{
	"space", "spaces", "organization", "integration", "__typename", "__schema", "__type",
	"id", "title", "name", "visibility", "integrations", "nodes", "edges", "node", "pageInfo",
	"totalCount", "owner", "blocks", "integrationBlocks", "scopes", "categories", "urls",
	"types", "fields", "ofType", "_entities", "_service", "sdl", "nope",
}

var docArgs = []string{`id: "acme-handbook"`, `id: $id`, `ids: ["acme-handbook", "nope"]`, `name: "slack"`,
	`first: 2`, `first: -1`, `after: "x"`, `search: "git"`, `name: "Space"`, `representations: [{__typename: "Space", id: "acme-handbook"}]`}

// buildDocument turns bytes into a document and its variables, balancing
// what it opens.
func buildDocument(program []byte) (string, map[string]any) {
	var b strings.Builder
	depth, fragments := 0, 0
	b.WriteString("query Q($id: ID) {")
	depth++
	for i, op := range program {
		arg := int(op >> 4)
		switch op & 0x0f {
		case 0, 1, 2, 3:
			b.WriteString(" " + docFields[(int(op)+i)%len(docFields)])
		case 4:
			fmt.Fprintf(&b, " a%d: %s", arg, docFields[arg%len(docFields)])
		case 5:
			b.WriteString("(" + docArgs[arg%len(docArgs)] + ")")
		case 6:
			b.WriteString(" {")
			depth++
		case 7:
			if depth > 1 {
				b.WriteString(" }")
				depth--
			}
		case 8:
			fmt.Fprintf(&b, " ...F%d", arg%4)
		case 9:
			b.WriteString(" ... on " + []string{"Space", "Query", "Integration", "Organization"}[arg%4] + " {")
			depth++
		case 10:
			b.WriteString([]string{" @include(if: true)", " @skip(if: $id)", " @deprecated", " @nope"}[arg%4])
		case 11:
			if depth == 1 && fragments < 4 {
				b.WriteString(" }")
				fmt.Fprintf(&b, " fragment F%d on %s {", fragments, []string{"Query", "Space"}[arg%2])
				fragments++
			}
		default:
			b.WriteString(" __typename")
		}
	}
	b.WriteString(strings.Repeat(" }", depth))
	return b.String(), map[string]any{"id": "acme-handbook"}
}
