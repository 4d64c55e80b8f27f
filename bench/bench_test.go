package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/upstream"
)

// The benchmark's yardsticks must themselves be right: the direct client
// makes exactly the least calls each workload needs, and the facade's
// answers to the workloads are whole and cost the same. These run the
// real runner's code over real loopback HTTP, as the benchmark does.

func newSim(t *testing.T) *gitbooksim.Server {
	t.Helper()
	data, _ := gitbooksim.ScaledData(simSpaces, simUsers)
	sim := gitbooksim.NewServer(gitbooksim.Options{Data: data})
	t.Cleanup(sim.Close)
	return sim
}

func TestDirectClientMakesTheLeastCallsOfEachWorkload(t *testing.T) {
	sim := newSim(t)
	direct := &directClient{base: sim.URL, client: &http.Client{Timeout: 10 * time.Second}}
	for _, w := range workloads() {
		for i, r := range w.requests[serverDirect][:min(6, len(w.requests[serverDirect]))] {
			sim.ResetStats()
			if err := direct.run(context.Background(), r.Token, r.Plan); err != nil {
				t.Fatalf("(%s) request %d: %v", w.Name, i, err)
			}
			if got := float64(sim.CallCount("")); got != w.LeastCalls {
				t.Errorf("(%s) request %d: %g calls, want the least, %g", w.Name, i, got, w.LeastCalls)
			}
		}
	}
}

func TestFacadeAnswersEachWorkloadWholeWithTheLeastCalls(t *testing.T) {
	sim := newSim(t)
	// Coalescing off: requests here go one at a time, and each must cost
	// what it needs on its own.
	client, err := upstream.New(sim.URL, upstream.Options{Sharing: upstream.Sharing{NoCoalescing: true}})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	facade := httptest.NewServer(httpapi.New(httpapi.Config{Client: client, Logger: quiet}))
	t.Cleanup(facade.Close)
	for _, w := range workloads() {
		requests := w.requests[serverFacade]
		sim.ResetStats()
		if err := checkAnswers(context.Background(), facade.URL+"/graphql", w, requests); err != nil {
			t.Fatalf("(%s): %v", w.Name, err)
		}
		// At most the least: in (b) and (f) an organization that also owns
		// an integration comes embedded in a list, and when the list is back
		// first the facade takes it from there, one call fewer a request.
		sent := min(12, len(requests))
		if got, want := float64(sim.CallCount("")), w.LeastCalls*float64(sent); got > want || got < want-float64(sent) {
			t.Errorf("(%s): %g calls for %d requests, want %g (or one fewer a request)", w.Name, got, sent, want)
		}
	}
}

func TestCheckAnswersRefusesPartialAnswers(t *testing.T) {
	answers := map[string]string{
		"errors":  `{"data":{"space":null},"errors":[{"message":"no"}]}`,
		"partial": `{"data":{"space":{"owner":{}}}}`,
		"status":  `{"data":{}}`,
	}
	for name, body := range answers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if name == "status" {
					w.WriteHeader(http.StatusBadGateway)
				}
				_, _ = w.Write([]byte(body))
			}))
			defer srv.Close()
			w := oneSpace()
			if err := checkAnswers(context.Background(), srv.URL, w, w.requests[serverFacade]); err == nil {
				t.Fatal("accepted a wrong answer")
			}
		})
	}
}

func TestLoadCountsRequestsAndFailures(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls++ // one worker: no race
		if calls%2 == 0 {
			_, _ = w.Write([]byte(`{"errors":[{"message":"no"}]}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{}}`))
	}))
	defer srv.Close()
	res := generateLoad(context.Background(), loadSpec{
		URL: srv.URL, Concurrency: 1, Duration: 200 * time.Millisecond,
		Requests: []request{{Token: "t", Body: []byte(`{"query":"{ __typename }"}`)}},
	})
	if res.Requests != calls || res.Requests < 2 {
		t.Fatalf("counted %d requests, the server saw %d", res.Requests, calls)
	}
	if res.Errors != res.Requests/2 || !strings.Contains(res.FirstError, "errors in the answer") {
		t.Fatalf("%d errors of %d, first %q", res.Errors, res.Requests, res.FirstError)
	}
	if res.P50ms <= 0 || res.P99ms < res.P50ms || res.RPS <= 0 {
		t.Fatalf("latencies: %+v", res)
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	for p, want := range map[float64]time.Duration{0.5: 50, 0.99: 99, 1: 100, 0: 1} {
		if got := percentile(d, p); got != want {
			t.Errorf("p%g = %d, want %d", p*100, got, want)
		}
	}
}

func TestReportChecksTheTargets(t *testing.T) {
	rep := &report{Results: []result{
		{Workload: "a", Server: serverFacade, LatencyMs: 0, UpstreamCalls: 2, LeastCalls: 2, Load: loadResult{RPS: 3000, P50ms: 1}},
		{Workload: "a", Server: serverDirect, LatencyMs: 0, UpstreamCalls: 2, LeastCalls: 2, Load: loadResult{RPS: 5000, P50ms: 1}},
		{Workload: "a", Server: serverTailcall, LatencyMs: 0, UpstreamCalls: 0.1, LeastCalls: 2, Load: loadResult{RPS: 9000, P50ms: 1}},
		{Workload: "b", Server: serverFacade, LatencyMs: 20, UpstreamCalls: 94, LeastCalls: 93, Load: loadResult{RPS: 10, P50ms: 50}},
		{Workload: "b", Server: serverDirect, LatencyMs: 20, UpstreamCalls: 93, LeastCalls: 93, Load: loadResult{RPS: 10, P50ms: 45}},
		{Workload: "d", Server: serverFacade, LatencyMs: 20, Memory: true, Concurrency: 500, PeakRSSMiB: 80},
	}}
	md := rep.markdown()
	for _, want := range []string{
		"✅ (a) at 0 ms: 2.00 upstream calls per request",
		"❌ (b) at 20 ms: 94.00 upstream calls per request",
		"✅ (b) at 20 ms: p50 50.00 ms, 1.11× the direct client's",
		"✅ (a) at 0 ms: 3000 req/s, 0.60 of the direct client's",
		"❌ (a) at 0 ms: 0.33× Tailcall's req/s",
		"✅ peak RSS at 500 concurrent requests: 80.0 MiB",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
}
