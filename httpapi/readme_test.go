package httpapi_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
)

// readmeExample is the first GraphQL query of the README, as a user copies it.
func readmeExample(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no graphql example")
	}
	return string(m[1])
}

// The README's first example, against the simulated GitBook as -demo serves
// it (pages of at most DemoMaxPageSize): the least calls, and the answer a
// facade making a call per field gives. The latency keeps the timing of the
// answers as GitBook's would be, so that the count does not depend on the
// machine's speed.
func TestReadmeExampleCostsTheLeastCalls(t *testing.T) {
	query := readmeExample(t)
	demo := gitbooksim.Options{MaxPageSize: gitbooksim.DemoMaxPageSize, Latency: 20 * time.Millisecond}
	// One cursor secret, so that both sign the same endCursor.
	naive := newFacade(t, setup{sim: demo, config: func(c *httpapi.Config) { c.Loader.Naive = true; c.CursorSecret = []byte("readme") }})
	want := naive.do(t, query)
	if len(want.Errors) > 0 {
		t.Fatalf("naive: %+v", want.Errors)
	}

	f := newFacade(t, setup{sim: demo, config: func(c *httpapi.Config) { c.CursorSecret = []byte("readme") }})
	got := f.do(t, query)
	if len(got.Errors) > 0 {
		t.Fatalf("errors: %+v", got.Errors)
	}
	var a, b bytes.Buffer
	_ = json.Indent(&a, got.Data, "", " ")
	_ = json.Indent(&b, want.Data, "", " ")
	if a.String() != b.String() {
		t.Errorf("answer differs from a call per field's:\n%s\nwant\n%s", a.String(), b.String())
	}
	// The space; the first five integrations, which embed its organization
	// (as the owner of acme-status); the blocks; and the space's list of
	// integrations, in two pages of 20, which hold every integration the
	// blocks name (eleven are not among the five).
	for op, n := range map[string]int{
		"getSpaceById": 1, "getOrganizationById": 0, "listSpaceIntegrations": 3,
		"listSpaceIntegrationsBlocks": 1, "getIntegrationByName": 0,
	} {
		if got := f.sim.CallCount(op); got != n {
			t.Errorf("%s: %d calls, want %d", op, got, n)
		}
	}
	if total := len(f.sim.Calls()); total != 5 {
		t.Errorf("%d upstream calls, want 5", total)
	}
	t.Logf("naive: %d calls; facade: %d", len(naive.sim.Calls()), len(f.sim.Calls()))
}

// The README's first command (Try it) gives every connection its `first`:
// behind Hive Gateway, which counts a connection without it as one node,
// its estimate then covers its calls, as it does under Apollo Router's
// rules and the facade's own.
func TestReadmeTryItGivesFirst(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`-d '(\{"query":.*?\})'`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no curl -d '{\"query\": …}'")
	}
	var body struct{ Query string }
	if err := json.Unmarshal(m[1], &body); err != nil {
		t.Fatal(err)
	}
	doc, errs := gqlparser.LoadQuery(httpapi.Schema(), body.Query)
	if errs != nil {
		t.Fatal(errs)
	}
	var walk func(ast.SelectionSet)
	connections := 0
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			if f, ok := sel.(*ast.Field); ok {
				if ls := f.Definition.Directives.ForName("listSize"); ls != nil && ls.Arguments.ForName("slicingArguments") != nil {
					connections++
					if f.Arguments.ForName("first") == nil {
						t.Errorf("%s has no first", f.Name)
					}
				}
				walk(f.SelectionSet)
			}
		}
	}
	op := doc.Operations[0]
	walk(op.SelectionSet)
	if connections == 0 {
		t.Fatalf("no connection in %s", body.Query)
	}

	f := newFacade(t, setup{sim: gitbooksim.Options{MaxPageSize: gitbooksim.DemoMaxPageSize}})
	if r := f.do(t, body.Query); len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	calls := f.sim.CallCount("")
	hive, apollo := gateway{hive: true}.estimate(op, nil), gateway{}.estimate(op, nil)
	t.Logf("%d calls; estimates: facade %d, Apollo Router %d, Hive Gateway %d", calls, facadeEstimate(op, nil), apollo, hive)
	if hive < calls || apollo < calls {
		t.Errorf("estimates %d (Hive Gateway), %d (Apollo Router), below the %d calls", hive, apollo, calls)
	}
}
