package httpapi_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"testing"

	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/upstream/upstreamtest"
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

// The README's first example, against the demo data: the least calls, and
// the answer a facade making a call per field gives.
func TestReadmeExampleCostsTheLeastCalls(t *testing.T) {
	query := readmeExample(t)
	naive := newFacade(t, setup{config: func(c *httpapi.Config) { c.Loader.Naive = true }})
	want := naive.post(t, upstreamtest.DemoToken, query, nil)
	if len(want.Errors) > 0 {
		t.Fatalf("naive: %+v", want.Errors)
	}

	f := newFacade(t, setup{})
	got := f.post(t, upstreamtest.DemoToken, query, nil)
	if len(got.Errors) > 0 {
		t.Fatalf("errors: %+v", got.Errors)
	}
	var a, b bytes.Buffer
	_ = json.Indent(&a, got.Data, "", " ")
	_ = json.Indent(&b, want.Data, "", " ")
	if a.String() != b.String() {
		t.Errorf("answer differs from a call per field's:\n%s\nwant\n%s", a.String(), b.String())
	}
	// The space and its organization; the first five integrations; the
	// blocks; and one page of the space's integrations, which holds every
	// integration the blocks name (eleven of them are not among the five).
	for op, n := range map[string]int{
		"getSpaceById": 1, "getOrganizationById": 1, "listSpaceIntegrations": 2,
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
