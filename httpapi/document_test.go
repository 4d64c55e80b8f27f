package httpapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/httpapi"
)

func TestDocumentLimits(t *testing.T) {
	f := newFacade(t, setup{config: func(c *httpapi.Config) {
		c.Document = httpapi.DocumentLimits{Tokens: 200, Fields: 8, Aliases: 2, Directives: 2, NameLength: 20}
	}})
	chain := func(links int) string { // each fragment spreads the next twice
		var b strings.Builder
		b.WriteString("{ ...F0 }")
		for i := range links {
			fmt.Fprintf(&b, " fragment F%d on Query { ...F%d ...F%d }", i, i+1, i+1)
		}
		fmt.Fprintf(&b, " fragment F%d on Query { __typename }", links)
		return b.String()
	}
	for _, tc := range []struct {
		name, query, code, flag string
	}{
		{"within every limit", `{ a: __typename b: __typename space(id: "acme-handbook") @include(if: true) { id } }`, "", ""},
		{"too many tokens", "{" + strings.Repeat(" __typename", 200) + " }", "GRAPHQL_PARSE_FAILED", "token limit"},
		{"too many fields", "{" + strings.Repeat(" __typename", 9) + " }", "GRAPHQL_VALIDATION_FAILED", "-max-fields"},
		{"too many fields once fragments are spread", chain(3), "GRAPHQL_VALIDATION_FAILED", "-max-fields"},
		{"a fragment chain as long as the tokens allow", chain(15), "GRAPHQL_VALIDATION_FAILED", "-max-fields"},
		{"fields in fragments never spread", "{ __typename } fragment U on Query {" + strings.Repeat(" __typename", 8) + " }", "GRAPHQL_VALIDATION_FAILED", "-max-fields"},
		{"too many aliases", `{ a: __typename b: __typename c: __typename }`, "GRAPHQL_VALIDATION_FAILED", "-max-aliases"},
		{"too many directives", `{ __typename @skip(if: false) @include(if: true) a: __typename @skip(if: false) }`, "GRAPHQL_VALIDATION_FAILED", "-max-directives"},
		{"a long field name", "{ " + strings.Repeat("x", 21) + " }", "GRAPHQL_VALIDATION_FAILED", "-max-name-length"},
		{"a long operation name", "query " + strings.Repeat("Q", 21) + " { __typename }", "GRAPHQL_VALIDATION_FAILED", "-max-name-length"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, tc.query)
			if tc.code == "" {
				if len(r.Errors) > 0 {
					t.Fatalf("refused: %+v", r.Errors)
				}
				return
			}
			if !slices.Equal(r.codes(), []string{tc.code}) || !strings.Contains(r.Errors[0].Message, tc.flag) {
				t.Fatalf("errors %+v, want one %s naming %s", r.Errors, tc.code, tc.flag)
			}
			if len(r.Data) > 0 && string(r.Data) != "null" {
				t.Errorf("a refused document has data: %s", r.Data)
			}
		})
	}
	if n := f.sim.CallCount(""); n != 1 {
		t.Errorf("%d upstream calls, want the one the accepted document needs", n)
	}
}

// operationName is a name too, held to -max-name-length on every path: a
// document parsed anew, one already cached, one sent as a persisted
// query's hash alone, and over GET; and never echoed back.
func TestOperationNameIsLimitedOnEveryPath(t *testing.T) {
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.Document.NameLength = 20 }})
	const query = "query Q { __typename }"
	hash := apqHash(query)
	long := operationName("Q" + strings.Repeat("x", 100))
	persisted := extensions(map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}})
	if r := f.do(t, query, persisted); len(r.Errors) > 0 { // cached, and persisted
		t.Fatalf("registering: %+v", r.Errors)
	}
	for name, r := range map[string]response{
		"parsed anew":   f.do(t, "query Other { __typename }", long),
		"cached":        f.do(t, query, long),
		"persisted":     f.do(t, "", persisted, long),
		"GET":           f.do(t, query, long, method(http.MethodGet)),
		"GET persisted": f.do(t, "", persisted, long, method(http.MethodGet)),
	} {
		if !slices.Equal(r.codes(), []string{"GRAPHQL_VALIDATION_FAILED"}) || !strings.Contains(r.Errors[0].Message, "-max-name-length") {
			t.Errorf("%s: %+v", name, r.Errors)
		}
		if strings.Contains(string(r.body), "Qxxxx") {
			t.Errorf("%s: the name is echoed: %s", name, r.body)
		}
	}
	if n := f.sim.CallCount(""); n != 0 {
		t.Errorf("%d upstream calls", n)
	}
}

func TestAnswersCarryAtMostMaxErrors(t *testing.T) {
	f := newFacade(t, setup{})
	var q strings.Builder
	q.WriteString("{")
	for i := range 150 {
		fmt.Fprintf(&q, " f%d", i)
	}
	q.WriteString(" }")
	r := f.do(t, q.String())
	codes := r.codes()
	if len(codes) != httpapi.DefaultMaxErrors+1 || codes[0] != "GRAPHQL_VALIDATION_FAILED" || codes[len(codes)-1] != "TOO_MANY_ERRORS" {
		t.Fatalf("%d errors, last %v; want %d and one saying how many more", len(codes), codes[len(codes)-1], httpapi.DefaultMaxErrors)
	}
	if last := r.Errors[len(r.Errors)-1].Message; !strings.Contains(last, "50 more errors") {
		t.Errorf("last error: %q", last)
	}
}

func TestALongAuthorizationIsRefusedBeforeAnyCall(t *testing.T) {
	f := newFacade(t, setup{})
	r := f.do(t, `{ space(id: "acme-handbook") { title } }`, bearer(strings.Repeat("t", httpapi.DefaultMaxAuthorizationBytes)))
	if r.status != http.StatusRequestHeaderFieldsTooLarge || !slices.Equal(r.codes(), []string{"BAD_REQUEST"}) {
		t.Errorf("status %d, errors %+v", r.status, r.Errors)
	}
	if n := f.sim.CallCount(""); n != 0 {
		t.Errorf("%d upstream calls", n)
	}
	// A token of ordinary length goes through.
	r = f.do(t, `{ space(id: "acme-handbook") { title } }`)
	if r.status != http.StatusOK || len(r.Errors) > 0 {
		t.Errorf("status %d, errors %+v", r.status, r.Errors)
	}
}

func TestNoSuggestionsWithIntrospectionOff(t *testing.T) {
	for _, off := range []bool{false, true} {
		f := newFacade(t, setup{config: func(c *httpapi.Config) { c.DisableIntrospection = off }})
		r := f.do(t, `{ spac(id: "x") { titl } }`)
		if len(r.Errors) == 0 {
			t.Fatal("no error")
		}
		suggests := strings.Contains(r.Errors[0].Message, "Did you mean")
		if suggests == off {
			t.Errorf("introspection off=%v: %q", off, r.Errors[0].Message)
		}
	}
}

// apqHash is a query's hash as automatic persisted queries name it.
func apqHash(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}
