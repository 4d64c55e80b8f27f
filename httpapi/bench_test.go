package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/upstream/upstreamtest"
)

// BenchmarkThirtySpaces measures one request of the 30-space query
// (organization, integrations, owners, blocks) end to end over loopback,
// with the simulated upstream answering at once or after 20ms.
func BenchmarkThirtySpaces(b *testing.B) {
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) {
			data, ids := manySpaces(30)
			f := newFacade(b, setup{sim: upstreamtest.Options{Data: data, Latency: latency}})
			body, _ := json.Marshal(map[string]any{"query": thirtySpacesQuery, "variables": map[string]any{"ids": ids}})
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodPost, f.url+"/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+upstreamtest.DemoToken)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			b.StopTimer()
			b.ReportMetric(float64(f.sim.CallCount(""))/float64(b.N), "upstream-calls/op")
		})
	}
}

// BenchmarkThirtySpacesParallel measures throughput: many requests at once,
// the upstream answering at once.
func BenchmarkThirtySpacesParallel(b *testing.B) {
	data, ids := manySpaces(30)
	f := newFacade(b, setup{sim: upstreamtest.Options{Data: data, CountOnly: true}})
	body, _ := json.Marshal(map[string]any{"query": thirtySpacesQuery, "variables": map[string]any{"ids": ids}})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, f.url+"/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+upstreamtest.DemoToken)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(f.sim.CallCount(""))/float64(b.N), "upstream-calls/op")
}
