package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/telemetry"
	"github.com/gitbook-graphql/facade/upstream"
)

func TestMetricsAfterAQuery(t *testing.T) {
	registry := prometheus.NewRegistry()
	metrics := telemetry.NewMetrics(registry)
	f := newFacade(t, setup{
		sim: gitbooksim.Options{Fault: gitbooksim.FailFirst("getOrganizationById", 1, gitbooksim.Fault{Status: http.StatusServiceUnavailable})},
		upstream: func(o *upstream.Options) {
			o.Observer = telemetry.Observer(metrics)
		},
		config: func(c *httpapi.Config) { c.Registry, c.Metrics = registry, metrics },
	})
	telemetry.RegisterClient(registry, f.client)
	f.do(t, `query SpaceWithOrg { space(id: "acme-handbook") { title organization { title } integrations { nodes { name } } } }`)
	f.do(t, `query Missing { space(id: "no-such-space") { title } }`)
	f.do(t, `query Invalid { nope }`)

	scrape := f.do(t, "", get("/metrics")).body
	for _, want := range []string{
		`graphql_requests_total{operation="SpaceWithOrg",outcome="success"} 1`,
		`graphql_requests_total{operation="Missing",outcome="partial"} 1`,
		`graphql_requests_total{operation="anonymous",outcome="error"} 1`, // it failed validation, before it had a name
		`graphql_request_duration_seconds_count{operation="SpaceWithOrg"} 1`,
		`gitbook_upstream_requests_total{operation="getSpaceById",status="200"} 1`,
		`gitbook_upstream_requests_total{operation="getSpaceById",status="404"} 1`,
		`gitbook_upstream_requests_total{operation="getOrganizationById",status="503"} 1`,
		`gitbook_upstream_requests_total{operation="getOrganizationById",status="200"} 1`,
		`gitbook_upstream_retries_total{operation="getOrganizationById"} 1`,
		`gitbook_upstream_request_duration_seconds_count{operation="listSpaceIntegrations"}`,
		`dataloader_batch_size_count{loader="spaces"}`,
		`gitbook_upstream_in_flight 0`,
		`gitbook_upstream_breaker_open 0`,
		`gitbook_upstream_retries_denied_total 0`,
	} {
		if !bytes.Contains(scrape, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, secret := range []string{gitbooksim.DemoToken, "acme-handbook", "no-such-space", "Bearer"} {
		if bytes.Contains(scrape, []byte(secret)) {
			t.Errorf("/metrics holds %q", secret)
		}
	}
}

func TestTracesFollowTheCallerToTheUpstream(t *testing.T) {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	f := newFacade(t, setup{
		upstream: func(o *upstream.Options) {
			o.Transport = telemetry.Transport(upstream.PooledTransport(16), tp)
		},
		config: func(c *httpapi.Config) { c.TracerProvider = tp },
	})
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	f.do(t, `query Handbook { space(id: "acme-handbook") { title organization { title } } }`, setHeader("Traceparent", "00-"+traceID+"-00f067aa0ba902b7-01"))
	if err := tp.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}

	names := map[string]int{}
	for _, s := range recorder.Ended() {
		names[s.Name()]++
		if got := s.SpanContext().TraceID().String(); got != traceID {
			t.Errorf("span %q is in trace %s, not the caller's", s.Name(), got)
		}
	}
	for _, want := range []string{"POST /graphql", "graphql.query Handbook", "Query.space", "Space.organization", "GitBook getSpaceById", "GitBook getOrganizationById"} {
		if names[want] == 0 {
			t.Errorf("no span %q among %v", want, names)
		}
	}
	for _, c := range f.sim.Calls() {
		if !strings.HasPrefix(c.Traceparent, "00-"+traceID+"-") {
			t.Errorf("%s reached the upstream with traceparent %q", c.Path, c.Traceparent)
		}
	}
}

// With tracing off the facade makes no span, and passes the caller's trace
// context on as it came: each upstream call is a child of the caller's span.
func TestTheCallersTraceparentReachesTheUpstreamWithTracingOff(t *testing.T) {
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	tp := tracenoop.NewTracerProvider()
	f := newFacade(t, setup{
		upstream: func(o *upstream.Options) { o.Transport = telemetry.Transport(upstream.PooledTransport(16), tp) },
		config:   func(c *httpapi.Config) { c.TracerProvider = tp },
	})
	const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	f.do(t, `query Handbook { space(id: "acme-handbook") { title organization { title } } }`, setHeader("Traceparent", traceparent))
	f.do(t, `{ space(id: "acme-api-reference") { title } }`)
	calls := f.sim.Calls()
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	for _, c := range calls[:2] {
		if c.Traceparent != traceparent {
			t.Errorf("%s reached the upstream with traceparent %q, want the caller's %q", c.Path, c.Traceparent, traceparent)
		}
	}
	if c := calls[2]; c.Traceparent != "" {
		t.Errorf("a caller who sent no traceparent: %s was sent %q", c.Path, c.Traceparent)
	}
}

func TestOneLogLinePerRequest(t *testing.T) {
	var logs bytes.Buffer
	f := newFacade(t, setup{config: func(c *httpapi.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	}})
	r := f.do(t, `query Two { space(id: "acme-handbook") { title } missing: space(id: "nope") { title } }`, setHeader("X-Request-Id", "caller-chosen-id.42"))
	if got := r.header.Get("X-Request-Id"); got != "caller-chosen-id.42" {
		t.Errorf("X-Request-Id sent back: %q", got)
	}
	r = f.do(t, `{ __typename }`, setHeader("X-Request-Id", "not ok; has spaces"))
	generated := r.header.Get("X-Request-Id")
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(generated) {
		t.Errorf("generated X-Request-Id %q", generated)
	}

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines for 2 requests:\n%s", len(lines), logs.String())
	}
	var first struct {
		Msg, RequestID, Operation string
		Status, UpstreamCalls     int
		DurationMS                float64
		ErrorCodes                []string
	}
	dec := json.NewDecoder(strings.NewReader(strings.NewReplacer("request_id", "RequestID", "upstream_calls", "UpstreamCalls", "duration_ms", "DurationMS", "error_codes", "ErrorCodes").Replace(lines[0])))
	if err := dec.Decode(&first); err != nil {
		t.Fatal(err)
	}
	if first.Msg != "request" || first.RequestID != "caller-chosen-id.42" || first.Operation != "Two" || first.Status != 200 ||
		first.UpstreamCalls != 2 || first.DurationMS <= 0 || len(first.ErrorCodes) != 1 || first.ErrorCodes[0] != "NOT_FOUND" {
		t.Errorf("log line: %s", lines[0])
	}
	if !strings.Contains(lines[1], generated) {
		t.Errorf("second line lacks the generated id: %s", lines[1])
	}
	if strings.Contains(logs.String(), gitbooksim.DemoToken) {
		t.Error("the log holds the token")
	}
}

func TestDebugHeaderShowsWhatTheRequestCost(t *testing.T) {
	f := newFacade(t, setup{sim: gitbooksim.Options{
		Fault: gitbooksim.FailFirst("getSpaceById", 1, gitbooksim.Fault{Status: http.StatusBadGateway}),
	}})
	const q = `{ space(id: "acme-handbook") { title organization { title } } }`
	if plain := f.do(t, `{ __typename }`); plain.raw(t)["extensions"] != nil {
		t.Error("extensions without the debug header")
	}
	r := f.do(t, q, setHeader(httpapi.DebugHeader, "1"))
	var ext struct {
		Upstream struct{ Calls, Retries, MS int }
	}
	_ = json.Unmarshal(r.raw(t)["extensions"], &ext)
	if ext.Upstream.Calls != 3 || ext.Upstream.Retries != 1 || ext.Upstream.MS < 0 {
		t.Errorf("extensions.upstream = %+v, want 3 calls with 1 retry", ext.Upstream)
	}
}

func TestAutomaticPersistedQueries(t *testing.T) {
	f := newFacade(t, setup{})
	const query = `{ organization(id: "acme") { title } }`
	sum := sha256.Sum256([]byte(query))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}

	hashOnly := func() response { return f.do(t, "", extensions(ext)) }
	if r := hashOnly(); len(r.Errors) != 1 || r.Errors[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("hash before registration: %+v", r.Errors)
	}
	registered := f.do(t, query, extensions(ext))
	if len(registered.Errors) > 0 {
		t.Fatalf("registration: %+v", registered.Errors)
	}
	r := hashOnly()
	if len(r.Errors) > 0 || string(r.Data) != `{"organization":{"title":"Acme Inc."}}` {
		t.Errorf("hash after registration: %s %+v", r.Data, r.Errors)
	}
}

func TestCORS(t *testing.T) {
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.CORSOrigins = []string{"https://docs.example.com"} }})
	// A CORS preflight, as a browser sends it: no credential, no body.
	preflight := func(f *facade, origin string, opts ...option) response {
		opts = append([]option{method(http.MethodOptions), bearer(""), rawAnswer(), setHeader("Origin", origin), setHeader("Access-Control-Request-Method", "POST")}, opts...)
		return f.do(t, "", opts...)
	}
	requestHeaders := setHeader("Access-Control-Request-Headers", "authorization,content-type")
	ok := preflight(f, "https://docs.example.com", requestHeaders)
	if ok.header.Get("Access-Control-Allow-Origin") != "https://docs.example.com" ||
		!strings.Contains(strings.ToLower(ok.header.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Errorf("allowed origin: %d %v", ok.status, ok.header)
	}
	refused := preflight(f, "https://evil.example.net", requestHeaders)
	if refused.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("refused origin got %v", refused.header)
	}

	off := newFacade(t, setup{})
	if resp := preflight(off, "https://docs.example.com"); resp.header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS is on by default")
	}
}

func TestReadiness(t *testing.T) {
	f := newFacade(t, setup{})
	if s := f.do(t, "", get("/readyz")).status; s != 200 {
		t.Errorf("/readyz with the upstream up: %d", s)
	}

	down, err := upstream.New("http://127.0.0.1:1/v1", upstream.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := httpapi.New(httpapi.Config{Client: down})
	if s := serve(t, h, "", get("/readyz")).status; s != 503 {
		t.Errorf("/readyz with the upstream down: %d", s)
	}
	if s := serve(t, h, "", get("/healthz")).status; s != 200 {
		t.Errorf("/healthz with the upstream down: %d", s)
	}

	up := httpapi.New(httpapi.Config{Client: f.client})
	up.Drain()
	if s := serve(t, up, "", get("/readyz")).status; s != 503 {
		t.Errorf("/readyz while draining: %d", s)
	}
}

func TestPlaygroundIsSelfContained(t *testing.T) {
	f := newFacade(t, setup{})
	home := f.do(t, "", get("/"))
	page := string(home.body)
	csp := home.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "script-src 'self' 'sha256-") || strings.Contains(csp, "http") {
		t.Errorf("CSP: %q", csp)
	}
	if strings.Contains(page, "cdn.") || strings.Contains(page, "https://") {
		t.Error("the page loads something from elsewhere")
	}
	assets := regexp.MustCompile(`(?:src|href)="(/playground/[^"]+)"\s+integrity="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(assets) != 4 {
		t.Fatalf("%d assets in the page", len(assets))
	}
	for _, a := range assets {
		asset := f.do(t, "", get(a[1]))
		sum := sha256.Sum256(asset.body)
		if asset.status != 200 || "sha256-"+base64.StdEncoding.EncodeToString(sum[:]) != html.UnescapeString(a[2]) {
			t.Errorf("%s: %d, integrity mismatch", a[1], asset.status)
		}
	}
	for _, license := range []string{"LICENSE.graphiql", "LICENSE.react", "LICENSE.react-dom"} {
		if s := f.do(t, "", get("/playground/"+license)).status; s != 200 {
			t.Errorf("%s: %d", license, s)
		}
	}
}

// Names of operations that did not pass validation are no labels.
func TestOnlyValidOperationsNameMetrics(t *testing.T) {
	registry := prometheus.NewRegistry()
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.Registry = registry }})
	for i := range 5 {
		f.do(t, "query Broken { nope", operationName(fmt.Sprintf("Chosen%d", i)))
		f.do(t, "{ nope }", operationName(fmt.Sprintf("Invalid%d", i)))
	}
	f.do(t, "query Fine { __typename }", operationName("Fine"))
	scrape := f.do(t, "", get("/metrics")).body
	if bytes.Contains(scrape, []byte("Chosen")) || bytes.Contains(scrape, []byte("Invalid")) {
		t.Errorf("/metrics holds names of operations that never ran:\n%s", scrape)
	}
	if !bytes.Contains(scrape, []byte(`graphql_requests_total{operation="Fine",outcome="success"} 1`)) {
		t.Error("/metrics lacks the valid operation")
	}
}
