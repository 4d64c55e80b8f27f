package httpapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

func TestMissingSpaceIsNullWithNotFoundAndSiblingsAnswer(t *testing.T) {
	f := newFacade(t, setup{})
	r := f.do(t, `{
	  missing: space(id: "no-such-space") { id }
	  org: organization(id: "acme") { title }
	}`)
	if !slices.Equal(r.codes(), []string{"NOT_FOUND"}) || fmt.Sprint(r.Errors[0].Path) != "[missing]" {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if got := string(r.Data); got != `{"missing":null,"org":{"title":"Acme Inc."}}` {
		t.Errorf("data: %s", got)
	}
	if status := r.Errors[0].Extensions["upstreamStatus"]; status != 404.0 {
		t.Errorf("upstreamStatus: %v", status)
	}
}

func TestSpacesListAnswersPerIndex(t *testing.T) {
	f := newFacade(t, setup{})
	r := f.do(t, `{ spaces(ids: ["acme-handbook", "bad/id", "no-such-space", "oss-governance"]) { id } }`)
	if got := string(r.Data); got != `{"spaces":[{"id":"acme-handbook"},null,null,{"id":"oss-governance"}]}` {
		t.Errorf("data: %s", got)
	}
	want := map[string]string{"[spaces 1]": "BAD_USER_INPUT", "[spaces 2]": "NOT_FOUND"}
	if len(r.Errors) != len(want) {
		t.Fatalf("errors: %+v", r.Errors)
	}
	for _, e := range r.Errors {
		if want[fmt.Sprint(e.Path)] != e.Extensions["code"] {
			t.Errorf("error %+v", e)
		}
	}
	if n := f.sim.CallCount("getSpaceById"); n != 3 {
		t.Errorf("getSpaceById: %d calls, want 3 (the bad id never leaves)", n)
	}
}

func TestBadIDsAreRefusedBeforeAnyCall(t *testing.T) {
	f := newFacade(t, setup{})
	bad := []string{"", "a/b", "..", "a.b", "space id", "caf\u00e9", "%2F", strings.Repeat("a", 257)}
	for _, id := range bad {
		for field, q := range map[string]string{
			"space":        `query($id: ID!) { space(id: $id) { id } }`,
			"organization": `query($id: ID!) { organization(id: $id) { id } }`,
			"integration":  `query($id: String!) { integration(name: $id) { name } }`,
			"install":      `mutation($id: ID!) { installIntegrationOnSpace(integration: "slack", installation: $id, space: "acme-handbook") { installation } }`,
		} {
			r := f.do(t, q, variables(map[string]any{"id": id}))
			if !slices.Equal(r.codes(), []string{"BAD_USER_INPUT"}) {
				t.Errorf("%s(%q): errors %+v", field, id, r.Errors)
			}
			if r.status != 200 {
				t.Errorf("%s(%q): HTTP %d", field, id, r.status)
			}
		}
	}
	if n := f.sim.CallCount(""); n != 0 {
		t.Errorf("%d calls reached the upstream: %+v", n, f.sim.Calls())
	}
	// The longest id the spec's pattern and our cap allow does go out.
	r := f.do(t, `query($id: ID!) { space(id: $id) { id } }`, variables(map[string]any{"id": strings.Repeat("a", 256)}))
	if !slices.Equal(r.codes(), []string{"NOT_FOUND"}) {
		t.Errorf("256-character id: %+v", r.Errors)
	}
}

func TestCredentialErrorsKeepTheirCodes(t *testing.T) {
	f := newFacade(t, setup{})
	if r := f.do(t, `{ space(id: "acme-handbook") { id } }`, bearer("not-a-token")); !slices.Equal(r.codes(), []string{"UNAUTHENTICATED"}) {
		t.Errorf("unknown token: %+v", r.Errors)
	}
	if r := f.do(t, `{ space(id: "acme-handbook") { id } }`, bearer("")); !slices.Equal(r.codes(), []string{"UNAUTHENTICATED"}) {
		t.Errorf("no token: %+v", r.Errors)
	}
	r := f.do(t, `mutation { installIntegrationOnSpace(integration: "codesandbox", installation: "inst-acme-codesandbox", space: "acme-handbook") { installation } }`, bearer(gitbooksim.ReaderToken))
	if !slices.Equal(r.codes(), []string{"FORBIDDEN"}) {
		t.Errorf("reader installing: %+v", r.Errors)
	}
	for _, e := range r.Errors {
		if strings.Contains(e.Message, gitbooksim.ReaderToken) || strings.Contains(e.Message, f.sim.URL) {
			t.Errorf("message leaks: %q", e.Message)
		}
	}
}
