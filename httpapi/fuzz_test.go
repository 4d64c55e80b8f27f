package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/upstream"
	"github.com/gitbook-graphql/facade/upstream/upstreamtest"
)

// Whatever a caller sends, the answer is a GraphQL response in JSON with a
// 2xx or 4xx status; never a panic, never a 5xx.
func FuzzGraphQLRequest(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzGraphQLRequest.
	sim := upstreamtest.NewServer(upstreamtest.Options{})
	f.Cleanup(sim.Close)
	client, err := upstream.New(sim.URL, upstream.Options{Retry: &fastRetry})
	if err != nil {
		f.Fatal(err)
	}
	handler := httpapi.New(httpapi.Config{Client: client, DefaultAuthorization: "Bearer " + upstreamtest.DemoToken})
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code < 200 {
			t.Fatalf("HTTP %d for %q: %s", rec.Code, body, rec.Body)
		}
		var answer struct {
			Data   json.RawMessage   `json:"data"`
			Errors []json.RawMessage `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("answer to %q is not JSON: %v: %s", body, err, rec.Body)
		}
		if len(answer.Data) == 0 && len(answer.Errors) == 0 {
			t.Fatalf("answer to %q has neither data nor errors: %s", body, rec.Body)
		}
	})
}
