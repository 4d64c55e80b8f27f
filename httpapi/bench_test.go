package httpapi_test

import (
	"bytes"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

// The in-process halves of bench/'s workloads (a), (b) and (c): one
// request at a time end to end over loopback, with the simulated upstream
// answering at once or after 20ms, for allocations and time per request.

// BenchmarkOneSpace is workload (a): a space with its integrations,
// their owner and blocks.
func BenchmarkOneSpace(b *testing.B) {
	benchmarkQuery(b, `query($id: ID!) { space(id: $id) { id title integrations { nodes { name owner { id title } blocks { id title } } } } }`,
		func(ids []string) map[string]any { return map[string]any{"id": ids[0]} })
}

// BenchmarkThirtySpaces is workload (b) without integration blocks: 30
// spaces with organization, integrations, owners and blocks.
func BenchmarkThirtySpaces(b *testing.B) {
	benchmarkQuery(b, thirtySpacesQuery, func(ids []string) map[string]any { return map[string]any{"ids": ids} })
}

// BenchmarkEntities is workload (c): 50 federation representations, 30
// distinct spaces and 3 distinct integrations among them.
func BenchmarkEntities(b *testing.B) {
	benchmarkQuery(b, `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Space { id title } ... on Integration { name title } } }`,
		func(ids []string) map[string]any {
			var reps []map[string]any
			for i := range 40 {
				reps = append(reps, map[string]any{"__typename": "Space", "id": ids[i%len(ids)]})
			}
			for i := range 10 {
				reps = append(reps, map[string]any{"__typename": "Integration", "name": []string{"slack", "figma", "github-files"}[i%3]})
			}
			return map[string]any{"reps": reps}
		})
}

func benchmarkQuery(b *testing.B, query string, vars func(ids []string) map[string]any) {
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) {
			data, ids := manySpaces(30)
			f := newFacade(b, setup{sim: gitbooksim.Options{Data: data, Latency: latency}})
			// Marshalled once: the loop measures the request, not its making.
			opts := []option{rawBody(requestBody(query, variables(vars(ids)))), rawAnswer()}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				r := f.do(b, "", opts...)
				if r.status != http.StatusOK || bytes.Contains(r.body, []byte(`"errors"`)) {
					b.Fatalf("HTTP %d: %.300s", r.status, r.body)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(f.sim.CallCount(""))/float64(b.N), "upstream-calls/op")
		})
	}
}

// BenchmarkThirtySpacesParallel measures throughput: many requests at once,
// the upstream answering at once, each request 30 other spaces with another
// token (workload (f)): nothing is shared between requests in flight.
func BenchmarkThirtySpacesParallel(b *testing.B) {
	benchmarkParallel(b, 8, thirtySpacesQuery, func(ids []string) map[string]any { return map[string]any{"ids": ids[:30]} })
}

// BenchmarkOneSpaceParallel is workload (e) under load from 32 clients at
// once, the upstream answering at once, each request another space with
// another token: the facade's own cost per request when it, not the
// upstream, is the bottleneck, and no request shares another's work.
func BenchmarkOneSpaceParallel(b *testing.B) {
	benchmarkParallel(b, 16, `query($id: ID!) { space(id: $id) { id title integrations { nodes { name owner { id title } blocks { id title } } } } }`,
		func(ids []string) map[string]any { return map[string]any{"id": ids[0]} })
}

// BenchmarkOneSpaceIdenticalParallel is workload (a) as bench/ sends it:
// every client the same query with the same token, so that identical
// requests in flight share one execution.
func BenchmarkOneSpaceIdenticalParallel(b *testing.B) {
	data, ids := gitbooksim.ScaledData(parallelSpaces, parallelTokens)
	f := newFacade(b, setup{sim: gitbooksim.Options{Data: data, CountOnly: true}})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	opts := []option{rawBody(requestBody(`query($id: ID!) { space(id: $id) { id title integrations { nodes { name owner { id title } blocks { id title } } } } }`,
		variables(map[string]any{"id": ids[0]}))), bearer(gitbooksim.BenchToken(0)), rawAnswer(), via(client)}
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r := f.do(b, "", opts...); r.status != http.StatusOK || bytes.Contains(r.body, []byte(`"errors"`)) {
				b.Errorf("HTTP %d: %.300s", r.status, r.body)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(f.sim.CallCount(""))/float64(b.N), "upstream-calls/op")
}

// parallelTokens and parallelSpaces size the data the parallel benchmarks
// rotate through: more distinct requests than are ever in flight at once.
const (
	parallelTokens = 64
	parallelSpaces = 300
)

// benchmarkParallel sends query from parallelism clients per core at once,
// each request with its own variables (vars of the spaces from its offset)
// and token, rotating.
func benchmarkParallel(b *testing.B, parallelism int, query string, vars func(ids []string) map[string]any) {
	data, ids := gitbooksim.ScaledData(parallelSpaces, parallelTokens)
	f := newFacade(b, setup{sim: gitbooksim.Options{Data: data, CountOnly: true}})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	// Marshalled once: the loop measures the requests, not their making.
	requests := make([][]option, 4*parallelTokens)
	for k := range requests {
		window := slices.Concat(ids[k*7%len(ids):], ids)
		requests[k] = []option{rawBody(requestBody(query, variables(vars(window)))), bearer(gitbooksim.BenchToken(k % parallelTokens)), rawAnswer(), via(client)}
	}
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(parallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := f.do(b, "", requests[int(next.Add(1))%len(requests)]...)
			if r.status != http.StatusOK || bytes.Contains(r.body, []byte(`"errors"`)) {
				b.Errorf("HTTP %d: %.300s", r.status, r.body)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(f.sim.CallCount(""))/float64(b.N), "upstream-calls/op")
}
