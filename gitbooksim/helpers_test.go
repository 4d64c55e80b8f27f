package gitbooksim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

// These tests speak raw HTTP to the simulator: they check the simulator
// itself, so that the client's tests can trust what it answers.

func newServer(t *testing.T, opts gitbooksim.Options) *gitbooksim.Server {
	t.Helper()
	srv := gitbooksim.NewServer(opts)
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer %d %q is not a JSON object: %v", a.status, a.body, err)
	}
	return m
}

func call(t *testing.T, srv *gitbooksim.Server, method, token, path, body string) answer {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading: %v", method, path, err)
	}
	return answer{resp.StatusCode, resp.Header, data}
}

func get(t *testing.T, srv *gitbooksim.Server, token, path string) answer {
	t.Helper()
	return call(t, srv, http.MethodGet, token, path, "")
}

// assertEnvelope checks an error answer against the spec's Error schema.
func assertEnvelope(t *testing.T, a answer, status int, message string) {
	t.Helper()
	if a.status != status {
		t.Errorf("status %d, want %d (body %s)", a.status, status, a.body)
	}
	want := map[string]any{"error": map[string]any{"code": float64(status), "message": message}}
	if diff := cmp.Diff(want, a.object(t)); diff != "" {
		t.Errorf("error envelope (-want +got):\n%s", diff)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want JSON", ct)
	}
}
