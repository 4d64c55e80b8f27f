package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/httpapi/hostile"
)

// A hostile request is small, makes no upstream call, and costs the server
// as much as its shape allows (package hostile).

// refusalCodes are the codes a hostile request may be answered with.
var refusalCodes = []string{"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST", "BAD_USER_INPUT", "COMPLEXITY_LIMIT_EXCEEDED", "TOO_MANY_ERRORS"}

func TestHostileRequestsAreRefusedCheaply(t *testing.T) {
	f := newFacade(t, setup{})
	for _, shape := range hostile.Shapes {
		t.Run(shape.Name, func(t *testing.T) {
			query, vars := shape.Build(hostile.BodyBudget)
			body := requestBody(query, variables(vars))
			if len(body) > 1<<20 {
				t.Fatalf("the shape is %d bytes, past the body limit", len(body))
			}
			r := f.do(t, "", rawBody(body))
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
	f.do(t, `{ space(id: "acme-handbook") { title } }`).decode(t, &got)
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
	for _, shape := range hostile.Shapes {
		query, vars := shape.Build(hostile.BodyBudget)
		body := requestBody(query, variables(vars))
		b.Run(strings.ReplaceAll(shape.Name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				f.do(b, "", rawBody(body))
			}
		})
	}
}
