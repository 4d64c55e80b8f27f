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

// GraphQL over HTTP: the media type follows Accept, and request errors are
// 200 with application/json but 400 without "data" with
// application/graphql-response+json.
func TestGraphQLOverHTTP(t *testing.T) {
	f := newFacade(t, setup{})
	for name, tc := range map[string]struct {
		method, accept, body, query string
		status                      int
		media                       string
		data                        string // "value", "null" or "absent"
	}{
		"json, ok":                      {"POST", "application/json", `{"query":"{ __typename }"}`, "", 200, "application/json", "value"},
		"no Accept":                     {"POST", "", `{"query":"{ __typename }"}`, "", 200, "application/json", "value"},
		"*/*":                           {"POST", "*/*", `{"query":"{ __typename }"}`, "", 200, "application/json", "value"},
		"graphql-response, ok":          {"POST", "application/graphql-response+json", `{"query":"{ __typename }"}`, "", 200, "application/graphql-response+json", "value"},
		"both, graphql-response wins":   {"POST", "application/json, application/graphql-response+json", `{"query":"{ __typename }"}`, "", 200, "application/graphql-response+json", "value"},
		"both, json preferred by q":     {"POST", "application/graphql-response+json;q=0.5, application/json", `{"query":"{ __typename }"}`, "", 200, "application/json", "value"},
		"json, parse error":             {"POST", "application/json", `{"query":"{"}`, "", 200, "application/json", "absent"},
		"json, validation error":        {"POST", "application/json", `{"query":"{ nope }"}`, "", 200, "application/json", "absent"},
		"json, variable coercion":       {"POST", "application/json", `{"query":"query($id: ID!) { space(id: $id) { id } }","variables":{"id":{}}}`, "", 200, "application/json", "absent"},
		"graphql-response, parse error": {"POST", "application/graphql-response+json", `{"query":"{"}`, "", 400, "application/graphql-response+json", "absent"},
		"graphql-response, validation":  {"POST", "application/graphql-response+json", `{"query":"{ nope }"}`, "", 400, "application/graphql-response+json", "absent"},
		"graphql-response, coercion":    {"POST", "application/graphql-response+json", `{"query":"query($id: ID!) { space(id: $id) { id } }","variables":{}}`, "", 400, "application/graphql-response+json", "absent"},
		"GET query":                     {"GET", "", "", `{ organization(id: "acme") { title } }`, 200, "application/json", "value"},
		"GET mutation":                  {"GET", "", "", `mutation { uninstallIntegrationFromSpace(integration: "a", installation: "b", space: "c") { installation } }`, 405, "application/json", "absent"},
	} {
		t.Run(name, func(t *testing.T) {
			var req *http.Request
			if tc.method == "GET" {
				req, _ = http.NewRequest("GET", f.url+"/graphql?query="+url.QueryEscape(tc.query), nil)
			} else {
				req, _ = http.NewRequest("POST", f.url+"/graphql", strings.NewReader(tc.body))
				req.Header.Set("Content-Type", "application/json")
			}
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			req.Header.Set("Authorization", "Bearer "+upstreamtest.DemoToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			var answer map[string]json.RawMessage
			if err := json.Unmarshal(body, &answer); err != nil {
				t.Fatalf("not JSON: %s", body)
			}
			data := "value"
			switch raw, ok := answer["data"]; {
			case !ok:
				data = "absent"
			case string(raw) == "null":
				data = "null"
			}
			if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.media) || data != tc.data {
				t.Errorf("HTTP %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			if tc.status == 405 && resp.Header.Get("Allow") != "POST" {
				t.Errorf("405 without Allow: POST")
			}
		})
	}
	if n := f.sim.CallCount("uninstallIntegrationFromSpace"); n != 0 {
		t.Errorf("a GET ran a mutation: %d calls", n)
	}
}
