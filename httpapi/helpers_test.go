package httpapi_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/upstream"
	"github.com/gitbook-graphql/facade/upstream/upstreamtest"
)

// fastRetry keeps fault tests quick: the policy is the same, the waits short.
var fastRetry = upstream.RetryPolicy{MaxRetries: upstream.DefaultRetry.MaxRetries, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, MaxServerWait: 2 * time.Second}

// facade is the facade served on loopback over a simulated GitBook.
type facade struct {
	sim    *upstreamtest.Server
	url    string
	client *upstream.Client
}

type setup struct {
	sim      upstreamtest.Options
	upstream func(*upstream.Options)
	config   func(*httpapi.Config)
}

func newFacade(t testing.TB, s setup) *facade {
	t.Helper()
	sim := upstreamtest.NewServer(s.sim)
	t.Cleanup(sim.Close)
	opts := upstream.Options{Retry: &fastRetry}
	if s.upstream != nil {
		s.upstream(&opts)
	}
	client, err := upstream.New(sim.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	cfg := httpapi.Config{Client: client, Logger: slog.New(slog.DiscardHandler)}
	if s.config != nil {
		s.config(&cfg)
	}
	srv := httptest.NewServer(httpapi.New(cfg))
	t.Cleanup(srv.Close)
	return &facade{sim: sim, url: srv.URL, client: client}
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions json.RawMessage `json:"extensions"`
	status     int
}

// codes lists the errors' extensions.code, in order.
func (r response) codes() []string {
	var out []string
	for _, e := range r.Errors {
		code, _ := e.Extensions["code"].(string)
		out = append(out, code)
	}
	return out
}

// post sends one GraphQL request with token as a bearer token (none when empty).
func (f *facade) post(t *testing.T, token, query string, vars map[string]any) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, f.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out response
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decoding the answer: %v", err)
	}
	out.status = resp.StatusCode
	return out
}

// decode unmarshals the answer's data into v, failing on any error.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decoding data %s: %v", r.Data, err)
	}
}

// manySpaces is upstreamtest.ScaledData for the demo caller alone.
func manySpaces(n int) (*upstreamtest.Dataset, []string) { return upstreamtest.ScaledData(n, 0) }

// postWith sends one GraphQL request with client.
func postWith(t *testing.T, client *http.Client, url, token, query string) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	var out response
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decoding the answer: %v", err)
	}
	out.status = resp.StatusCode
	return out
}

// raw is the answer as a map of its top-level entries.
func (r response) raw(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	out := map[string]json.RawMessage{}
	if len(r.Data) > 0 {
		out["data"] = r.Data
	}
	if r.Extensions != nil {
		out["extensions"] = r.Extensions
	}
	return out
}

// postRaw posts the request parameters as given, as the demo administrator.
func postRaw(t *testing.T, f *facade, params map[string]any) response {
	t.Helper()
	body, _ := json.Marshal(params)
	return postBody(t, f, body)
}

// postBody posts a request body, as the demo administrator; the answer must
// be JSON.
func postBody(t testing.TB, f *facade, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+upstreamtest.DemoToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out response
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("status %d: the answer is not JSON: %v", resp.StatusCode, err)
	}
	out.status = resp.StatusCode
	return out
}

// withExtensions sends a query-less request carrying ext (an APQ hash).
func (response) withExtensions(t *testing.T, f *facade, ext map[string]any) response {
	t.Helper()
	return postRaw(t, f, map[string]any{"extensions": ext})
}

func mustRequest(t *testing.T, method, target string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, "http://facade.test"+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
