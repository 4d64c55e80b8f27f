package graph_test

// The resolvers' tests drive the real executable schema, as the facade
// serves it, with gqlgen's test client: over the per-request loaders, over
// the real upstream client, over a simulated GitBook whose calls they count.

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/internal/logbuf"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/graph"
	"github.com/gitbook-graphql/facade/graph/generated"
	"github.com/gitbook-graphql/facade/loader"
	"github.com/gitbook-graphql/facade/upstream"
)

// harness is one GraphQL server over one simulated GitBook.
type harness struct {
	sim *gitbooksim.Server
	gql *client.Client
	log *logbuf.Buffer // what the resolvers logged
}

// setup is what a test changes from the facade's defaults.
type setup struct {
	sim      gitbooksim.Options
	resolver graph.Resolver
	// server, when set, configures the GraphQL server further.
	server func(*handler.Server)
	// noLoaders serves without the loader middleware.
	noLoaders bool
	// callLimit bounds the calls of one request; 0: no bound.
	callLimit int
}

func newHarness(t *testing.T, s setup) *harness {
	t.Helper()
	sim := gitbooksim.NewServer(s.sim)
	t.Cleanup(sim.Close)
	up, err := upstream.New(sim.URL, upstream.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(up.CloseIdleConnections)
	resolver := s.resolver
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: &resolver}))
	srv.AddTransport(transport.POST{})
	log := &logbuf.Buffer{}
	errs := graph.Errors{Logger: slog.New(slog.NewTextHandler(log, nil))}
	srv.SetErrorPresenter(errs.Present)
	srv.SetRecoverFunc(errs.Recover)
	srv.Use(&graph.Representations{})
	srv.Use(graph.RootLists{})
	if s.server != nil {
		s.server(srv)
	}
	var h http.Handler = srv
	if !s.noLoaders {
		// The demo administrator, unless the request names its caller (as).
		h = loader.Middleware(func(r *http.Request) *upstream.Client {
			auth := r.Header.Get("Authorization")
			if auth == "" {
				auth = "Bearer " + gitbooksim.DemoToken
			}
			c := up.WithAuthorization(auth)
			if s.callLimit > 0 {
				c = c.WithCallLimit(s.callLimit)
			}
			return c
		}, loader.Config{})(srv)
	}
	return &harness{sim: sim, gql: client.New(h), log: log}
}

// gqlError is one entry of an answer's errors.
type gqlError struct {
	Message    string
	Path       []any
	Extensions map[string]any
}

func (e gqlError) code() string {
	code, _ := e.Extensions["code"].(string)
	return code
}

// at is the error's path as text, such as "spaces.1".
func (e gqlError) at() string {
	b, _ := json.Marshal(e.Path)
	return string(b)
}

// post sends a request, decodes the answer's data into out (which may be
// nil), and returns the answer's errors.
func (h *harness) post(t *testing.T, query string, out any, opts ...client.Option) []gqlError {
	t.Helper()
	if out == nil {
		out = &map[string]any{}
	}
	err := h.gql.Post(query, out, opts...)
	var raw client.RawJsonError
	switch {
	case errors.As(err, &raw):
		var errs []gqlError
		if err := json.Unmarshal(raw.RawMessage, &errs); err != nil {
			t.Fatalf("decoding the errors %s: %v", raw.RawMessage, err)
		}
		return errs
	case err != nil:
		t.Fatalf("posting %s: %v", query, err)
	}
	return nil
}

// must posts a request whose answer must have no errors.
func (h *harness) must(t *testing.T, query string, out any, opts ...client.Option) {
	t.Helper()
	if errs := h.post(t, query, out, opts...); len(errs) > 0 {
		t.Fatalf("unexpected errors: %+v", errs)
	}
}

// calls asserts how many calls of each operation the simulator received
// since its last ResetStats; an operation not named must have had none.
func (h *harness) calls(t *testing.T, want map[string]int) {
	t.Helper()
	got := h.sim.Counts()
	for op, n := range got {
		if want[op] != n {
			t.Errorf("%s: %d calls, want %d", op, n, want[op])
		}
	}
	for op, n := range want {
		if _, ok := got[op]; !ok && n != 0 {
			t.Errorf("%s: no calls, want %d", op, n)
		}
	}
}

// one asserts that errs is a single error with code at path.
func one(t *testing.T, errs []gqlError, code, path string) gqlError {
	t.Helper()
	if len(errs) != 1 || errs[0].code() != code || errs[0].at() != path {
		t.Fatalf("errors %+v, want one %s at %s", errs, code, path)
	}
	return errs[0]
}

// byPath is the errors' codes by their paths; two at one path fail the test.
func byPath(t *testing.T, errs []gqlError) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, e := range errs {
		if _, twice := out[e.at()]; twice {
			t.Errorf("two errors at %s: %+v", e.at(), errs)
		}
		out[e.at()] = e.code()
	}
	return out
}

// as sends the request with token as its caller's credential.
func as(token string) client.Option {
	return client.AddHeader("Authorization", "Bearer "+token)
}

// within gives the request a deadline d from now.
func within(t *testing.T, d time.Duration) client.Option {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return func(r *client.Request) { r.HTTP = r.HTTP.WithContext(ctx) }
}

// enabledOn is the demo's integrations enabled on a space, by name, in the
// order the upstream lists them.
func enabledOn(t *testing.T, spaceID string) []string {
	t.Helper()
	var names []string
	for _, in := range gitbooksim.DemoData().Installations {
		if slices.Contains(in.Spaces, spaceID) && !slices.Contains(names, in.Integration) {
			names = append(names, in.Integration)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		t.Fatalf("the demo has no integration on %s", spaceID)
	}
	return names
}

// named is the names of a list of integrations.
func named(nodes []integrationName) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Name
	}
	return out
}

type integrationName struct{ Name string }
