package httpapi_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
)

func TestFloodsAreRefusedBeforeAnyCall(t *testing.T) {
	f := newFacade(t, setup{})
	var aliases strings.Builder
	aliases.WriteString("{")
	// Within the document limits (100 aliases), past the call budget.
	for i := range 90 {
		fmt.Fprintf(&aliases, ` a%d: space(id: "acme-handbook") { organization { id } integrations { totalCount } }`, i)
	}
	aliases.WriteString("}")
	ids := make([]string, 5000)
	for i := range ids {
		ids[i] = fmt.Sprintf("space-%d", i)
	}

	for name, tc := range map[string]struct {
		query string
		vars  map[string]any
	}{
		"90 aliases, 3 calls each": {aliases.String(), nil},
		"5,000 ids":                {`query($ids: [ID!]!) { spaces(ids: $ids) { id } }`, map[string]any{"ids": ids}},
		"201 ids":                  {`query($ids: [ID!]!) { spaces(ids: $ids) { id } }`, map[string]any{"ids": ids[:201]}},
		"101 spaces with their organizations": {`query($a: [ID!]!, $b: [ID!]!, $c: [ID!]!) {
			a: spaces(ids: $a) { organization { id } } b: spaces(ids: $b) { organization { id } } c: spaces(ids: $c) { organization { id } }
		}`, map[string]any{"a": ids[:50], "b": ids[50:100], "c": ids[100:101]}},
		"six organizations of fifty spaces with their integrations": {
			`{ organizations(first: 6) { nodes { spaces(first: 50) { nodes { integrations { totalCount } } } } } }`, nil},
		"the marketplace's installations and the spaces of each": {
			`{ integrations { nodes { installations { nodes { spaceInstallations { totalCount } } } } } }`, nil},
	} {
		t.Run(name, func(t *testing.T) {
			r := f.do(t, tc.query, variables(tc.vars))
			if !slices.Equal(r.codes(), []string{"COMPLEXITY_LIMIT_EXCEEDED"}) || string(r.Data) != "null" && len(r.Data) != 0 {
				t.Fatalf("data %s, errors %+v", r.Data, r.Errors)
			}
			if msg := r.Errors[0].Message; !strings.Contains(msg, "upstream calls") || !strings.Contains(msg, "200") {
				t.Errorf("message does not say why: %q", msg)
			}
		})
	}
	if n := f.sim.CallCount(""); n != 0 {
		t.Errorf("%d upstream calls for refused operations", n)
	}

	// Within the limit: two organizations of five spaces with their
	// integrations, estimated at 13 calls and answered in fewer.
	r := f.do(t, `{ organizations(first: 2) { nodes { spaces(first: 5) { nodes { integrations { totalCount } } } } } }`)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if n := f.sim.CallCount(""); n == 0 || n > 13 {
		t.Errorf("%d upstream calls, want at most 13", n)
	}

	// Within the limit: 100 spaces and their organizations (in two lists,
	// as one takes at most 50 ids), 200 calls at most.
	r = f.do(t, `query($a: [ID!]!, $b: [ID!]!) { a: spaces(ids: $a) { organization { id } } b: spaces(ids: $b) { organization { id } } }`,
		variables(map[string]any{"a": ids[:50], "b": ids[50:100]}))
	if slices.Contains(r.codes(), "COMPLEXITY_LIMIT_EXCEEDED") || slices.Contains(r.codes(), "BAD_USER_INPUT") {
		t.Errorf("100 spaces with organizations refused: %+v", r.Errors)
	}
}

// What the estimate cannot see (how many pages a list has) the request's
// own call limit stops.
func TestCallLimitStopsWhatTheEstimateMissed(t *testing.T) {
	f := newFacade(t, setup{
		sim:    gitbooksim.Options{MaxPageSize: 1},
		config: func(c *httpapi.Config) { c.MaxUpstreamCalls = 10 },
	})
	r := f.do(t, `{ space(id: "acme-developer-portal") { title integrations { nodes { name } } } }`)
	if !slices.Equal(r.codes(), []string{"COMPLEXITY_LIMIT_EXCEEDED"}) || fmt.Sprint(r.Errors[0].Path) != "[space integrations]" {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if n := f.sim.CallCount(""); n != 10 {
		t.Errorf("%d upstream calls, want the limit of 10", n)
	}
}

func TestDepthLimit(t *testing.T) {
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.MaxDepth = 4 }})
	deep := `{ space(id: "acme-handbook") { organization { billing { pricing { members { plus_2024 { monthly } } } } } } }`
	r := f.do(t, deep)
	if !slices.Equal(r.codes(), []string{"GRAPHQL_VALIDATION_FAILED"}) || !strings.Contains(r.Errors[0].Message, "at most 4") {
		t.Errorf("errors: %+v", r.Errors)
	}
	viaFragment := `{ space(id: "acme-handbook") { ...S } } fragment S on Space { organization { billing { pricing { sites { premium { yearly } } } } } }`
	if r := f.do(t, viaFragment); !slices.Equal(r.codes(), []string{"GRAPHQL_VALIDATION_FAILED"}) {
		t.Errorf("through a fragment: %+v", r.Errors)
	}
	var ok struct {
		Space struct{ Organization struct{ Title string } }
	}
	f.do(t, `{ space(id: "acme-handbook") { organization { title } } }`).decode(t, &ok)
	if n := f.sim.CallCount(""); n != 2 {
		t.Errorf("%d calls, want only the shallow query's 2", n)
	}
}

func TestMalformedRequestsGetClearAnswers(t *testing.T) {
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.DisableIntrospection = true }})
	big := append([]byte(`{"query": "{ __typename }", "pad": "`), bytes.Repeat([]byte("x"), 1<<20)...)
	big = append(big, `"}`...)
	for name, tc := range map[string]struct {
		method, contentType, body string
		status                    int
		code                      string
	}{
		"over 1 MiB":      {"POST", "application/json", string(big), 413, "BAD_REQUEST"},
		"not JSON":        {"POST", "application/json", `{"query": `, 400, "BAD_REQUEST"},
		"a JSON array":    {"POST", "application/json", `[{"query": "{ __typename }"}]`, 400, "BAD_REQUEST"},
		"two JSON values": {"POST", "application/json", `{"query": "{ __typename }"} {}`, 400, "BAD_REQUEST"},
		"no query":        {"POST", "application/json", `{"variables": {}}`, 400, "BAD_REQUEST"},
		"empty query":     {"POST", "application/json", `{"query": "  "}`, 400, "BAD_REQUEST"},
		"GET without one": {"GET", "", "", 400, "BAD_REQUEST"},
		"syntax error":    {"POST", "application/json", `{"query": "{ space("}`, 200, "GRAPHQL_PARSE_FAILED"},
		"introspection":   {"POST", "application/json", `{"query": "{ __schema { types { name } } }"}`, 200, "GRAPHQL_VALIDATION_FAILED"},
		"a type's fields": {"POST", "application/json", `{"query": "{ __type(name: \"Space\") { name } }"}`, 200, "GRAPHQL_VALIDATION_FAILED"},
	} {
		t.Run(name, func(t *testing.T) {
			r := f.do(t, "", method(tc.method), contentType(tc.contentType), rawBody([]byte(tc.body)), bearer(""))
			if r.status != tc.status || !slices.Equal(r.codes(), []string{tc.code}) {
				t.Errorf("HTTP %d, errors %+v; want %d %s", r.status, r.Errors, tc.status, tc.code)
			}
			for _, e := range r.Errors {
				if strings.Contains(e.Message, "xxxx") {
					t.Error("the answer echoes the body")
				}
			}
		})
	}
	if n := f.sim.CallCount(""); n != 0 {
		t.Errorf("%d upstream calls", n)
	}
}
