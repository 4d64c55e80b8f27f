package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
)

func TestTransientUpstreamFailuresAreRetried(t *testing.T) {
	f := newFacade(t, setup{sim: gitbooksim.Options{
		Fault: gitbooksim.FailFirst("getSpaceById", 2, gitbooksim.Fault{Status: http.StatusServiceUnavailable}),
	}})
	var got struct{ Space struct{ Title string } }
	f.do(t, `{ space(id: "acme-handbook") { title } }`).decode(t, &got)
	if got.Space.Title != "Employee Handbook" {
		t.Errorf("title %q", got.Space.Title)
	}
	if n := f.sim.CallCount("getSpaceById"); n != 3 {
		t.Errorf("getSpaceById: %d calls, want 3 (two 503s, then the answer)", n)
	}
}

func TestUpstreamFailuresKeepTheirCodes(t *testing.T) {
	for name, tc := range map[string]struct {
		fault gitbooksim.Fault
		code  string
	}{
		"outage":         {gitbooksim.Fault{Status: http.StatusServiceUnavailable}, "UPSTREAM_UNAVAILABLE"},
		"resets":         {gitbooksim.Fault{Reset: true}, "UPSTREAM_UNAVAILABLE"},
		"malformed body": {gitbooksim.Fault{Body: `{"id": "acme-handbook", "title": `}, "UPSTREAM_BAD_RESPONSE"},
		"wrong shape":    {gitbooksim.Fault{Body: `["not", "a", "space"]`}, "UPSTREAM_BAD_RESPONSE"},
		"wrong types":    {gitbooksim.Fault{Body: `{"id": 5, "title": ["x"]}`}, "UPSTREAM_BAD_RESPONSE"},
		"no timestamps":  {gitbooksim.Fault{Body: `{"id": "acme-handbook", "organization": "acme", "title": "x"}`}, "UPSTREAM_BAD_RESPONSE"},
		"bad timestamp":  {gitbooksim.Fault{Body: `{"id": "acme-handbook", "createdAt": "yesterday"}`}, "UPSTREAM_BAD_RESPONSE"},
		"not JSON":       {gitbooksim.Fault{Body: `<html>502 Bad Gateway</html>`}, "UPSTREAM_BAD_RESPONSE"},
		"empty":          {gitbooksim.Fault{Body: ` `}, "UPSTREAM_BAD_RESPONSE"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFacade(t, setup{sim: gitbooksim.Options{Fault: gitbooksim.FailAlways("getSpaceById", tc.fault)}})
			r := f.do(t, `{ space(id: "acme-handbook") { id } org: organization(id: "acme") { title } }`)
			if !slices.Equal(r.codes(), []string{tc.code}) {
				t.Fatalf("errors: %+v", r.Errors)
			}
			if !strings.Contains(string(r.Data), `"org":{"title":"Acme Inc."}`) {
				t.Errorf("the sibling did not answer: %s", r.Data)
			}
		})
	}
}

func TestCallersCredentialIsForwardedUnchanged(t *testing.T) {
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.DefaultAuthorization = "Bearer " + gitbooksim.ReaderToken }})

	var got struct {
		Space struct{ Permissions struct{ Admin bool } }
	}
	f.do(t, `{ space(id: "acme-handbook") { permissions { admin } } }`).decode(t, &got)
	if !got.Space.Permissions.Admin {
		t.Error("the caller's own token should see admin permissions")
	}
	f.do(t, `{ space(id: "acme-handbook") { permissions { admin } } }`, bearer("")).decode(t, &got)
	if got.Space.Permissions.Admin {
		t.Error("a caller without a token should get the default credential's (reader) view")
	}
	calls := f.sim.Calls()
	if len(calls) != 2 || calls[0].Authorization != "Bearer "+gitbooksim.DemoToken || calls[1].Authorization != "Bearer "+gitbooksim.ReaderToken {
		t.Errorf("Authorization sent upstream: %q, %q", calls[0].Authorization, calls[1].Authorization)
	}
}
