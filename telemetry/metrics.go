package telemetry

import (
	"regexp"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitbook-graphql/facade/upstream"
)

// Metrics are the facade's Prometheus series. Labels hold operation names
// (GraphQL's, bounded, and GitBook's operationIds), outcomes and statuses:
// never a token, an id or a URL.
type Metrics struct {
	requests        *prometheus.CounterVec
	requestSeconds  *prometheus.HistogramVec
	upstreamCalls   *prometheus.CounterVec
	upstreamRetries *prometheus.CounterVec
	upstreamSeconds *prometheus.HistogramVec
	batchSize       *prometheus.HistogramVec
	inFlight        prometheus.Gauge
	unknownValues   *prometheus.CounterVec
	deduplicated    prometheus.Counter
	refused         *prometheus.CounterVec
	requestsHeld    prometheus.Gauge
	bodyBytesHeld   prometheus.Gauge
	trustedRefused  *prometheus.CounterVec
	operations      *boundedNames
}

// NewMetrics registers the series with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := func(c prometheus.Collector) prometheus.Collector { reg.MustRegister(c); return c }
	m := &Metrics{
		requests: f(prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "graphql_requests_total",
			Help: "GraphQL requests, by operation name and outcome (success, partial, error).",
		}, []string{"operation", "outcome"})).(*prometheus.CounterVec),
		requestSeconds: f(prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "graphql_request_duration_seconds",
			Help:    "Time to answer a GraphQL request, by operation name.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}, []string{"operation"})).(*prometheus.HistogramVec),
		upstreamCalls: f(prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitbook_upstream_requests_total",
			Help: "Attempts at GitBook API calls, retries included, by operationId and HTTP status (or error, timeout).",
		}, []string{"operation", "status"})).(*prometheus.CounterVec),
		upstreamRetries: f(prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitbook_upstream_retries_total",
			Help: "Attempts at GitBook API calls that were retries, by operationId.",
		}, []string{"operation"})).(*prometheus.CounterVec),
		upstreamSeconds: f(prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gitbook_upstream_request_duration_seconds",
			Help:    "Time of one attempt at a GitBook API call, answer read, by operationId.",
			Buckets: prometheus.ExponentialBuckets(0.002, 2, 13),
		}, []string{"operation"})).(*prometheus.HistogramVec),
		batchSize: f(prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dataloader_batch_size",
			Help:    "Keys per dataloader batch, by loader.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200},
		}, []string{"loader"})).(*prometheus.HistogramVec),
		inFlight: f(prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gitbook_upstream_in_flight",
			Help: "Attempts at GitBook API calls in flight.",
		})).(prometheus.Gauge),
		unknownValues: f(prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitbook_upstream_unknown_values_total",
			Help: "Enum values GitBook sent that the schema does not list, served as null with an error, by GraphQL enum and field (Type.field).",
		}, []string{"type", "field"})).(*prometheus.CounterVec),
		deduplicated: f(prometheus.NewCounter(prometheus.CounterOpts{
			Name: "graphql_requests_deduplicated_total",
			Help: "GraphQL requests answered by the execution of an identical query (same credential, document, variables and operation name) in flight at the same time: executions saved.",
		})).(prometheus.Counter),
		refused: f(prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "graphql_requests_refused_total",
			Help: "GraphQL requests refused with OVERLOADED, by reason: requests (as many in flight as -max-inflight-requests) or body_bytes (bodies in flight past -max-inflight-body-bytes).",
		}, []string{"reason"})).(*prometheus.CounterVec),
		requestsHeld: f(prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "graphql_requests_in_flight",
			Help: "GraphQL requests admitted and not yet answered.",
		})).(prometheus.Gauge),
		bodyBytesHeld: f(prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "graphql_request_body_bytes_reserved",
			Help: "Bytes of request bodies in flight charged to -max-inflight-body-bytes (each body's first few KiB are not).",
		})).(prometheus.Gauge),
		trustedRefused: f(prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "facade_trusted_documents_refused_total",
			Help: "GraphQL requests not in the trusted documents list, by code (PERSISTED_QUERY_NOT_IN_LIST, QUERY_NOT_IN_SAFELIST) and enforced: true when refused, false when -trusted-documents-mode=log ran them.",
		}, []string{"code", "enforced"})).(*prometheus.CounterVec),
		operations: &boundedNames{max: 100, seen: map[string]bool{}},
	}
	// Both reasons from the start, at 0: a rate over a series that does
	// not exist yet is no rate at all.
	m.refused.WithLabelValues(RefusedRequests)
	m.refused.WithLabelValues(RefusedBodyBytes)
	return m
}

// Refusal reasons of graphql_requests_refused_total.
const (
	RefusedRequests  = "requests"
	RefusedBodyBytes = "body_bytes"
)

// Refused counts a request refused for overload, for reason.
func (m *Metrics) Refused(reason string) { m.refused.WithLabelValues(reason).Inc() }

// RequestsInFlight adds delta to the requests admitted.
func (m *Metrics) RequestsInFlight(delta float64) { m.requestsHeld.Add(delta) }

// BodyBytesReserved adds delta to the bytes of request bodies reserved.
func (m *Metrics) BodyBytesReserved(delta int64) { m.bodyBytesHeld.Add(float64(delta)) }

// TrustedRefused counts a request the trusted documents list does not
// hold, refused (enforced) or run in log mode; code is one of two, so the
// series are bounded. Nil Metrics count nothing.
func (m *Metrics) TrustedRefused(code string, enforced bool) {
	if m != nil {
		m.trustedRefused.WithLabelValues(code, strconv.FormatBool(enforced)).Inc()
	}
}

// RegisterTrustedDocuments adds the gauge of the operations the list in
// force holds, read from it when scraped.
func (m *Metrics) RegisterTrustedDocuments(reg prometheus.Registerer, operations func() int) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "facade_trusted_documents",
		Help: "Operations in the trusted documents list in force (-trusted-documents).",
	}, func() float64 { return float64(operations()) }))
}

// TrustedRefusedFrom starts a series of TrustedRefused at 0: a rate over
// a series that does not exist yet is no rate at all.
func (m *Metrics) TrustedRefusedFrom(code string, enforced bool) {
	m.trustedRefused.WithLabelValues(code, strconv.FormatBool(enforced))
}

// RegisterClient adds the client's guards, summed over credentials, as
// series: never by credential, which would make a label of each.
func RegisterClient(reg prometheus.Registerer, c *upstream.Client) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gitbook_upstream_breaker_open",
			Help: "Credentials whose circuit breaker is open, refusing their calls to GitBook.",
		}, func() float64 { return float64(c.Stats().BreakersOpen) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "gitbook_upstream_retries_denied_total",
			Help: "Retries the credentials' retry budgets refused.",
		}, func() float64 { return float64(c.Stats().RetriesDenied) }),
	)
}

// BatchObserver reports a dataloader batch's size.
func (m *Metrics) BatchObserver(loader string, size int) {
	m.batchSize.WithLabelValues(loader).Observe(float64(size))
}

// observeAttempt counts one upstream attempt.
func (m *Metrics) observeAttempt(a upstream.Attempt) {
	m.upstreamCalls.WithLabelValues(a.Op, statusLabel(a)).Inc()
	if a.Retry {
		m.upstreamRetries.WithLabelValues(a.Op).Inc()
	}
	m.upstreamSeconds.WithLabelValues(a.Op).Observe(a.Duration.Seconds())
}

// observeRequest counts one GraphQL request.
func (m *Metrics) observeRequest(operation, outcome string, seconds float64) {
	op := m.operations.label(operation)
	m.requests.WithLabelValues(op, outcome).Inc()
	m.requestSeconds.WithLabelValues(op).Observe(seconds)
}

// boundedNames keeps operation-name labels to well-formed names, and to the
// first max of them: past that, "other", so that callers cannot grow the
// series without bound.
type boundedNames struct {
	mu   sync.Mutex
	max  int
	seen map[string]bool
}

var wellFormedName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)

func (b *boundedNames) label(name string) string {
	switch {
	case name == "":
		return "anonymous"
	case !wellFormedName.MatchString(name):
		return "other"
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen[name] {
		return name
	}
	if len(b.seen) >= b.max {
		return "other"
	}
	b.seen[name] = true
	return name
}
