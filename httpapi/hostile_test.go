package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/httpapi/hostile"
)

// A hostile request costs the server no more than its limits allow,
// whatever its shape (package hostile): it is refused with a code, or
// answered within the answer's limits, makes no more upstream calls than
// its shape needs, ends, and leaves nothing behind.

// hostileCodes are the codes a hostile request may be answered with.
var hostileCodes = []string{"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST", "BAD_USER_INPUT",
	"COMPLEXITY_LIMIT_EXCEEDED", "TOO_MANY_ERRORS", "RESPONSE_TOO_LARGE", "PERSISTED_QUERY_NOT_FOUND"}

func TestHostileRequestsCostNoMoreThanTheirLimits(t *testing.T) {
	noLeaks(t)
	const deadline = 5 * time.Second
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.RequestTimeout = deadline }})
	defer f.client.CloseIdleConnections()
	client := boundedClient(t, deadline)
	limits := httpapi.DefaultConfig()
	calls := 0
	for _, shape := range hostile.Shapes {
		t.Run(shape.Name, func(t *testing.T) {
			req := shape.Build(hostile.BodyBudget)
			for i := range 2 { // the second time, what the first left cached
				f.sim.ResetStats()
				a, err := hostile.Send(context.Background(), client, f.url+"/graphql", "Bearer "+gitbooksim.DemoToken, shape.Name+string(rune('0'+i)), req)
				if err != nil {
					t.Fatalf("%v (%s)", err, a.Text())
				}
				checkHostileAnswer(t, a, limits)
				if req.Runs && slices.ContainsFunc(a.Codes, func(c string) bool {
					return c == "GRAPHQL_PARSE_FAILED" || c == "GRAPHQL_VALIDATION_FAILED" || c == "COMPLEXITY_LIMIT_EXCEEDED"
				}) {
					t.Errorf("meant to run, refused: %s", a.Text())
				}
				t.Logf("%d: HTTP %d, %d bytes, %d values, codes %v", i, a.Status, len(a.Body), a.Values(), a.Codes)
				if n := f.sim.CallCount(""); n > req.Calls {
					t.Errorf("%d upstream calls, at most %d expected", n, req.Calls)
				}
				calls += f.sim.CallCount("")
			}
		})
	}
	// And the process still answers.
	var got struct{ Space struct{ Title string } }
	f.do(t, `{ space(id: "acme-handbook") { title } }`).decode(t, &got)
	if got.Space.Title != "Employee Handbook" {
		t.Errorf("after the hostile requests: %+v", got)
	}
	f.sim.Close()
}

// checkHostileAnswer holds an answer to the contract: a 2xx or 4xx status,
// JSON (or parts of it), every error coded with a refusal's code, and
// within the answer's limits.
func checkHostileAnswer(t *testing.T, a hostile.Answer, limits httpapi.Config) {
	t.Helper()
	if a.Status >= 500 {
		t.Fatalf("%s", a.Text())
	}
	for _, code := range a.Codes {
		if !slices.Contains(hostileCodes, code) {
			t.Errorf("code %q: %s", code, a.Text())
		}
	}
	if len(a.Codes) > limits.MaxErrors+1 {
		t.Errorf("%d errors in one answer", len(a.Codes))
	}
	size := 0
	for _, p := range a.Parts {
		size += len(p)
	}
	if size > limits.MaxResponseBytes {
		t.Errorf("an answer of %d bytes, past %d", size, limits.MaxResponseBytes)
	}
	if n := a.Values(); n > limits.MaxResponseValues {
		t.Errorf("an answer of %d values, past %d", n, limits.MaxResponseValues)
	}
	if slices.Contains(a.Codes, "RESPONSE_TOO_LARGE") && !strings.Contains(string(a.Body), `"path":[`) {
		t.Errorf("RESPONSE_TOO_LARGE without the path where the answer was cut: %s", a.Text())
	}
}

// BenchmarkHostileRequests measures what each hostile shape, at the largest
// size the limits allow, costs the server: the time of one request (the
// server's work, and the client's on loopback) and what it allocates. The
// parsed-document cache is off, as for an attacker who never sends the
// same document twice.
func BenchmarkHostileRequests(b *testing.B) {
	f := newFacade(b, setup{config: func(c *httpapi.Config) { c.QueryCacheBytes = 1 }})
	client := &http.Client{Transport: &http.Transport{}}
	for _, shape := range hostile.Shapes {
		req := shape.Build(hostile.BodyBudget)
		b.Run(strings.ReplaceAll(shape.Name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := hostile.Send(context.Background(), client, f.url+"/graphql", "Bearer "+gitbooksim.DemoToken, "", req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
