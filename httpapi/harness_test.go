package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/telemetry"
	"github.com/gitbook-graphql/facade/upstream"
)

// The one harness of httpapi's tests: a facade served on loopback over the
// simulated GitBook (newFacade), one request builder (f.do, or serve for a
// handler in-process, each taking options) and one answer type (response).

// fastRetry keeps fault tests quick: the policy is the same, the waits short.
var fastRetry = upstream.RetryPolicy{MaxRetries: upstream.DefaultMaxRetries, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond,
	CheckRetry: upstream.DefaultCheckRetry(time.Millisecond, 5*time.Millisecond, 2*time.Second)}

// facade is the facade served on loopback over a simulated GitBook.
type facade struct {
	sim    *gitbooksim.Server
	url    string
	client *upstream.Client
}

type setup struct {
	sim      gitbooksim.Options
	upstream func(*upstream.Options)
	config   func(*httpapi.Config)
}

func newFacade(t testing.TB, s setup) *facade {
	t.Helper()
	sim := gitbooksim.NewServer(s.sim)
	t.Cleanup(sim.Close)
	opts := upstream.Options{Retry: &fastRetry, Observer: telemetry.Observer(nil)}
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

// manySpaces is gitbooksim.ScaledData for the demo caller alone.
func manySpaces(n int) (*gitbooksim.Dataset, []string) { return gitbooksim.ScaledData(n, 0) }

// call is one request to the facade as the options leave it. Unless they
// say otherwise it is a POST of its GraphQL parameters as JSON to
// /graphql, as the demo administrator, and its answer must be JSON.
type call struct {
	method, path, host string
	header             http.Header
	params             map[string]any // query, variables, operationName, extensions
	body               []byte         // with raw: sent as it is, in place of params
	raw                bool
	client             *http.Client
	keepBytes          bool // the answer is read, not decoded
}

// An option shapes a call, as gqlgen's client.Option shapes its requests.
type option func(*call)

// variables are the operation's variables.
func variables(v map[string]any) option { return func(c *call) { c.params["variables"] = v } }

// operationName names the operation to run.
func operationName(name string) option {
	return func(c *call) { c.params["operationName"] = name }
}

// extensions are the request's extensions (an APQ hash).
func extensions(ext map[string]any) option { return func(c *call) { c.params["extensions"] = ext } }

// rawBody is the request body, sent as it is in place of the parameters
// (with its Content-Type, even when it is empty).
func rawBody(b []byte) option {
	if b == nil {
		b = []byte{}
	}
	return func(c *call) { c.body, c.raw = b, true }
}

// method is the HTTP method. A GET sends the parameters in the URL.
func method(m string) option { return func(c *call) { c.method = m } }

// get asks for another page than /graphql, without a credential; its
// answer is kept as bytes.
func get(path string) option {
	return func(c *call) {
		c.method, c.path, c.keepBytes = http.MethodGet, path, true
		c.header.Del("Authorization")
	}
}

// bearer sends token as the bearer token; none when it is empty.
func bearer(token string) option {
	if token == "" {
		return setHeader("Authorization", "")
	}
	return setHeader("Authorization", "Bearer "+token)
}

// setHeader sets a request header; an empty value removes it.
func setHeader(name, value string) option {
	return func(c *call) {
		if value == "" {
			c.header.Del(name)
			return
		}
		c.header.Set(name, value)
	}
}

// accept is the Accept header; none when it is empty.
func accept(media string) option { return setHeader("Accept", media) }

// contentType is the Content-Type of a request with a body; none when it
// is empty.
func contentType(media string) option { return setHeader("Content-Type", media) }

// atHost is the Host the request names.
func atHost(host string) option { return func(c *call) { c.host = host } }

// via sends the request with client rather than http.DefaultClient.
func via(client *http.Client) option { return func(c *call) { c.client = client } }

// rawAnswer keeps the answer's bytes (response.body) and does not decode
// them: for answers that need not be JSON, and benchmarks.
func rawAnswer() option { return func(c *call) { c.keepBytes = true } }

func newCall(query string, opts []option) *call {
	c := &call{
		method: http.MethodPost,
		path:   "/graphql",
		header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + gitbooksim.DemoToken}},
		params: map[string]any{},
	}
	if query != "" {
		c.params["query"] = query
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// request builds the HTTP request for base, the facade's URL.
func (c *call) request(t testing.TB, base string) *http.Request {
	t.Helper()
	target, body := base+c.path, c.payload()
	if c.method == http.MethodGet {
		if len(c.params) > 0 {
			target += "?" + c.urlParams().Encode()
		}
		body = nil
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	} else {
		c.header.Del("Content-Type")
	}
	req, err := http.NewRequest(c.method, target, reader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = c.header
	if c.host != "" {
		req.Host = c.host
	}
	return req
}

// payload is the body of any request but a GET: the raw body, or else the
// parameters as JSON; none without either.
func (c *call) payload() []byte {
	if c.raw {
		return c.body
	}
	if len(c.params) == 0 {
		return nil
	}
	body, _ := json.Marshal(c.params)
	return body
}

// requestBody is the body f.do would send for query and opts: for a body
// made once and sent many times, or inspected before it is sent.
func requestBody(query string, opts ...option) []byte { return newCall(query, opts).payload() }

// urlParams are the parameters as GraphQL over HTTP puts them in a GET's URL.
func (c *call) urlParams() url.Values {
	values := url.Values{}
	for name, v := range c.params {
		if s, ok := v.(string); ok {
			values.Set(name, s)
			continue
		}
		encoded, _ := json.Marshal(v)
		values.Set(name, string(encoded))
	}
	return values
}

// do sends one request to the facade over loopback and reads its answer.
// query is the GraphQL document ("" for none); opts shape the rest.
func (f *facade) do(t testing.TB, query string, opts ...option) response {
	t.Helper()
	c := newCall(query, opts)
	client := c.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(c.request(t, f.url))
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return c.answer(t, resp.StatusCode, resp.Header, body)
}

// serve is do against a handler in-process (no server, no network): for
// fuzzing, and handlers no test serves.
func serve(t testing.TB, h http.Handler, query string, opts ...option) response {
	t.Helper()
	c := newCall(query, opts)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, c.request(t, "http://facade.test"))
	return c.answer(t, rec.Code, rec.Header(), rec.Body.Bytes())
}

// answer decodes what the facade sent: the answer of /graphql must be
// JSON, unless the call keeps its bytes.
func (c *call) answer(t testing.TB, status int, header http.Header, body []byte) response {
	t.Helper()
	r := response{status: status, header: header, body: body}
	if c.keepBytes {
		return r
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("HTTP %d, %s: the answer is not JSON: %v: %.200s", status, header.Get("Content-Type"), err, body)
	}
	return r
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// response is the facade's answer: the GraphQL response, decoded, and how
// it came (status, header, the bytes).
type response struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions json.RawMessage `json:"extensions"`
	status     int
	header     http.Header
	body       []byte
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

// decode unmarshals the answer's data into v, failing on any error.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decoding data %s: %v", r.Data, err)
	}
}

// raw is the answer as a map of its top-level entries.
func (r response) raw(t testing.TB) map[string]json.RawMessage {
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
