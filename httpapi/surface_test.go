package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestGetQueryPlaygroundAndHealth(t *testing.T) {
	f := newFacade(t, setup{})

	// The answer of a GET to /graphql must be JSON, as a POST's.
	r := f.do(t, `{ organization(id: "acme") { title } }`, method(http.MethodGet))
	if r.status != 200 || string(r.Data) != `{"organization":{"title":"Acme Inc."}}` {
		t.Errorf("GET /graphql: %d %s", r.status, r.body)
	}

	r = f.do(t, "", get("/"))
	if r.status != 200 || !strings.Contains(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "/graphql") {
		t.Errorf("playground: %d %s", r.status, r.header.Get("Content-Type"))
	}

	r = f.do(t, "", get("/healthz"))
	if r.status != 200 || string(r.body) != "ok\n" {
		t.Errorf("healthz: %d %q", r.status, r.body)
	}

	if r := f.do(t, "", get("/no-such-page")); r.status != 404 {
		t.Errorf("unknown path: %d", r.status)
	}
	if n := f.sim.CallCount(""); n != 1 {
		t.Errorf("%d upstream calls, want 1", n)
	}
}
