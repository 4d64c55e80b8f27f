package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/upstream/upstreamtest"
)

func get(t *testing.T, target string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestGetQueryPlaygroundAndHealth(t *testing.T) {
	f := newFacade(t, setup{})

	header := http.Header{"Authorization": {"Bearer " + upstreamtest.DemoToken}}
	resp, body := get(t, f.url+"/graphql?query="+url.QueryEscape(`{ organization(id: "acme") { title } }`), header)
	var r response
	if err := json.Unmarshal([]byte(body), &r); err != nil || resp.StatusCode != 200 || string(r.Data) != `{"organization":{"title":"Acme Inc."}}` {
		t.Errorf("GET /graphql: %d %s", resp.StatusCode, body)
	}

	resp, body = get(t, f.url+"/", nil)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "/graphql") {
		t.Errorf("playground: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	resp, body = get(t, f.url+"/healthz", nil)
	if resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("healthz: %d %q", resp.StatusCode, body)
	}

	if resp, _ := get(t, f.url+"/no-such-page", nil); resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
	if n := f.sim.CallCount(""); n != 1 {
		t.Errorf("%d upstream calls, want 1", n)
	}
}
