package httpapi_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/internal/logbuf"

	"github.com/gitbook-graphql/facade/httpapi"
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
			r := f.do(t, tc.query, method(tc.method), rawBody([]byte(tc.body)), accept(tc.accept), rawAnswer())
			var answer map[string]json.RawMessage
			if err := json.Unmarshal(r.body, &answer); err != nil {
				t.Fatalf("not JSON: %s", r.body)
			}
			data := "value"
			switch raw, ok := answer["data"]; {
			case !ok:
				data = "absent"
			case string(raw) == "null":
				data = "null"
			}
			if r.status != tc.status || !strings.HasPrefix(r.header.Get("Content-Type"), tc.media) || data != tc.data {
				t.Errorf("HTTP %d %s: %s", r.status, r.header.Get("Content-Type"), r.body)
			}
			if tc.status == 405 && r.header.Get("Allow") != "POST" {
				t.Errorf("405 without Allow: POST")
			}
		})
	}
	if n := f.sim.CallCount("uninstallIntegrationFromSpace"); n != 0 {
		t.Errorf("a GET ran a mutation: %d calls", n)
	}
}

// What no transport serves still gets the error contract: a JSON body, a
// code, the right status, and the code in the access log.
func TestRefusalsKeepTheErrorContract(t *testing.T) {
	var logs logbuf.Buffer
	f := newFacade(t, setup{config: func(c *httpapi.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	}})
	query := `{"query":"{ __typename }"}`
	for _, tc := range []struct {
		name, method, contentType, body string
		status                          int
		code                            string
	}{
		{"text/plain", http.MethodPost, "text/plain", query, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"a form", http.MethodPost, "application/x-www-form-urlencoded", "query=%7B__typename%7D", http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"no Content-Type", http.MethodPost, "", query, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"PUT", http.MethodPut, "application/json", query, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
		{"DELETE", http.MethodDelete, "", "", http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
		{"an APQ hash that does not match", http.MethodPost, "application/json",
			`{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"0000"}}}`, http.StatusOK, "BAD_REQUEST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, "", method(tc.method), contentType(tc.contentType), rawBody([]byte(tc.body)), bearer(""))
			if r.status != tc.status || !slices.Equal(r.codes(), []string{tc.code}) || !strings.HasPrefix(r.header.Get("Content-Type"), "application/") {
				t.Errorf("status %d, %s, errors %+v; want %d and %s", r.status, r.header.Get("Content-Type"), r.Errors, tc.status, tc.code)
			}
		})
	}
	for _, code := range []string{"UNSUPPORTED_MEDIA_TYPE", "METHOD_NOT_ALLOWED"} {
		if !strings.Contains(logs.String(), code) {
			t.Errorf("the access log does not name %s:\n%s", code, logs.String())
		}
	}
}

// An answer past -max-response-bytes is replaced by one error.
func TestAnswersAreBounded(t *testing.T) {
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.MaxResponseBytes = 4096 }})
	var q strings.Builder
	q.WriteString(`{ space(id: "acme-developer-portal") {`)
	for i := range 10 {
		fmt.Fprintf(&q, ` a%d: integrations { nodes { name title description summary } }`, i)
	}
	q.WriteString(" } }")
	r := f.do(t, q.String())
	if !slices.Equal(r.codes(), []string{"RESPONSE_TOO_LARGE"}) || string(r.Data) != "null" {
		t.Errorf("data %.100s, errors %+v", r.Data, r.Errors)
	}
	// A small answer is sent whole.
	var got struct{ Space struct{ Title string } }
	f.do(t, `{ space(id: "acme-handbook") { title } }`).decode(t, &got)
	if got.Space.Title == "" {
		t.Error("a small answer was refused")
	}
}

// A request's JSON is decoded with its numbers as written, and nested no
// deeper than -max-json-depth, before GraphQL sees it.
func TestRequestJSON(t *testing.T) {
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.MaxJSONDepth = 3 }})
	query := `query($n: Int, $v: [ID!]! = ["acme-handbook"]) { spaces(ids: $v) { integrations(first: $n) { totalCount } } }`
	for _, tc := range []struct {
		name, variables, code string
		status                int
	}{
		{"an Int", `{"n": 2}`, "", http.StatusOK},
		{"a fraction is not an Int", `{"n": 2.5}`, "GRAPHQL_VALIDATION_FAILED", http.StatusOK},
		{"nested as deep as allowed", `{"v": ["acme-handbook"]}`, "", http.StatusOK},
		{"nested deeper", `{"v": [["acme-handbook"]]}`, "BAD_REQUEST", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, "", rawBody([]byte(`{"query": `+strconv.Quote(query)+`, "variables": `+tc.variables+`}`)))
			if tc.code == "" {
				if r.status != tc.status || len(r.Errors) > 0 {
					t.Fatalf("status %d, errors %+v", r.status, r.Errors)
				}
				return
			}
			if r.status != tc.status || !slices.Equal(r.codes(), []string{tc.code}) {
				t.Fatalf("status %d, errors %+v; want %d and %s", r.status, r.Errors, tc.status, tc.code)
			}
			if tc.code == "BAD_REQUEST" && !strings.Contains(r.Errors[0].Message, "-max-json-depth") {
				t.Errorf("the refusal does not name its limit: %s", r.Errors[0].Message)
			}
		})
	}
}

// Every answer is read with a credential, so no cache may keep it: a
// shared cache in front of GET and persisted queries would otherwise hand
// one caller's data to another. CORS's own Vary stays.
func TestAnswersAreNotForCaches(t *testing.T) {
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.CORSOrigins = []string{"https://docs.example.com"} }})
	query := `{ space(id: "acme-handbook") { title } }`
	for name, opts := range map[string][]option{
		"GET with a token":  {method(http.MethodGet), setHeader("Origin", "https://docs.example.com")},
		"POST with a token": {},
		"a refusal":         {method(http.MethodPut)},
	} {
		t.Run(name, func(t *testing.T) {
			r := f.do(t, query, opts...)
			if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") || !strings.Contains(cc, "private") {
				t.Errorf("Cache-Control %q", cc)
			}
			vary := strings.Join(r.header.Values("Vary"), ", ")
			for _, want := range []string{"Authorization", "Accept"} {
				if !strings.Contains(vary, want) {
					t.Errorf("Vary %q lacks %s", vary, want)
				}
			}
			if name == "GET with a token" && !strings.Contains(vary, "Origin") {
				t.Errorf("Vary %q lost CORS's Origin", vary)
			}
		})
	}
}
