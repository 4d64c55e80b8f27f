package telemetry_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitbook-graphql/facade/telemetry"
	"github.com/gitbook-graphql/facade/upstream"
)

var attempts = []upstream.Attempt{
	{Op: "getSpaceById", Status: 503, Duration: 40 * time.Millisecond},
	{Op: "getSpaceById", Retry: true, Status: 200, Duration: 30 * time.Millisecond},
	{Op: "getOrganizationById", Err: context.DeadlineExceeded, Duration: 5 * time.Millisecond},
}

// One observer takes each attempt to the request's record and the metrics.
func TestObserverFeedsTheRecordAndTheMetrics(t *testing.T) {
	registry := prometheus.NewRegistry()
	obs := telemetry.Observer(telemetry.NewMetrics(registry))
	rec := &telemetry.Record{}
	ctx := telemetry.WithRecord(t.Context(), rec)
	for _, a := range attempts {
		obs.Attempt(ctx, a)
	}
	obs.Attempt(t.Context(), attempts[0]) // another request's: not this record's

	if got, want := rec.Upstream(), (telemetry.Upstream{Calls: 3, Retries: 1, MS: 75}); got != want {
		t.Errorf("record = %+v, want %+v", got, want)
	}
	counts := counters(t, registry)
	for series, want := range map[string]float64{
		`gitbook_upstream_requests_total{operation="getSpaceById",status="503"}`:            2,
		`gitbook_upstream_requests_total{operation="getSpaceById",status="200"}`:            1,
		`gitbook_upstream_requests_total{operation="getOrganizationById",status="timeout"}`: 1,
		`gitbook_upstream_retries_total{operation="getSpaceById"}`:                          1,
	} {
		if counts[series] != want {
			t.Errorf("%s = %v, want %v", series, counts[series], want)
		}
	}
}

// Without metrics, the record still hears of every attempt.
func TestObserverWithoutMetrics(t *testing.T) {
	obs := telemetry.Observer(nil)
	rec := &telemetry.Record{}
	ctx := telemetry.WithRecord(t.Context(), rec)
	obs.InFlight(1)
	obs.Attempt(ctx, upstream.Attempt{Op: "getSpaceById", Err: errors.New("connection reset")})
	obs.InFlight(-1)
	if got := rec.Upstream(); got.Calls != 1 || got.Retries != 0 {
		t.Errorf("record = %+v, want one call", got)
	}
}

// counters reads the registry's counters as series{label="value",...}, labels
// in name order.
func counters(t *testing.T, registry *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if m.GetCounter() == nil {
				continue
			}
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			out[f.GetName()+"{"+strings.Join(labels, ",")+"}"] = m.GetCounter().GetValue()
		}
	}
	return out
}
