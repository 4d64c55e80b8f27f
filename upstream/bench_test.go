package upstream_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// staticAnswer answers every call with the same body, in memory, so that
// the benchmarks measure the client (guards, retries' bookkeeping, reading
// and decoding), not a network.
type staticAnswer []byte

func (a staticAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(a)), Request: req}, nil
}

func benchClient(b *testing.B, body any) *upstream.Client {
	b.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		b.Fatal(err)
	}
	c, err := upstream.New("http://127.0.0.1:1/v1", upstream.Options{
		HTTPClient: &http.Client{Transport: staticAnswer(data)},
		Sharing:    upstream.Sharing{NoCoalescing: true},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	return c.WithAuthorization(demoAuth)
}

// BenchmarkListSpaceIntegrations reads a page of 20 integrations, each with
// its owner organization embedded: the largest answer the facade decodes.
func BenchmarkListSpaceIntegrations(b *testing.B) {
	d := gitbooksim.DemoData()
	list := upstream.IntegrationList{Items: d.Integrations[:20]}
	for i := range list.Items {
		list.Items[i].Owner = d.Organizations[1]
	}
	c := benchClient(b, list)
	for b.Loop() {
		if _, err := c.ListSpaceIntegrations(b.Context(), "acme-developer-portal", upstream.ListSpaceIntegrationsOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetSpace(b *testing.B) {
	c := benchClient(b, gitbooksim.DemoData().Spaces[1])
	for b.Loop() {
		if _, err := c.GetSpace(b.Context(), "acme-api-reference"); err != nil {
			b.Fatal(err)
		}
	}
}
