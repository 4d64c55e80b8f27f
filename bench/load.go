package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// loadSpec is what the load generator is asked to do: keep Concurrency
// requests in flight for Duration, cycling through Requests.
type loadSpec struct {
	// URL is a GraphQL endpoint, or for the direct client the upstream's
	// base URL.
	URL         string        `json:"url"`
	Direct      bool          `json:"direct"`
	Concurrency int           `json:"concurrency"`
	Duration    time.Duration `json:"duration"`
	Requests    []request     `json:"requests"`
}

// loadResult is what it measured, from the client's side.
type loadResult struct {
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"firstError,omitempty"`
	Seconds    float64 `json:"seconds"`
	RPS        float64 `json:"rps"`
	P50ms      float64 `json:"p50ms"`
	P99ms      float64 `json:"p99ms"`
	MeanMs     float64 `json:"meanMs"`
}

// generateLoad runs spec as a closed loop: each of Concurrency workers
// sends its next request as soon as the last one is answered. It stops
// starting requests after Duration and waits for those in flight.
func generateLoad(ctx context.Context, spec loadSpec) loadResult {
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        0,
		MaxIdleConnsPerHost: 4096, // every worker (and the direct client's fan-out) keeps its connection
		IdleConnTimeout:     90 * time.Second,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 60 * time.Second}
	direct := &directClient{base: spec.URL, client: client}

	var (
		next     atomic.Int64
		errCount atomic.Int64
		firstErr atomic.Value
		wg       sync.WaitGroup
	)
	latencies := make([][]time.Duration, spec.Concurrency)
	start := time.Now()
	deadline := start.Add(spec.Duration)
	for w := range spec.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				r := spec.Requests[int(next.Add(1)-1)%len(spec.Requests)]
				began := time.Now()
				var err error
				if spec.Direct {
					err = direct.run(ctx, r.Token, r.Plan)
				} else {
					err = postGraphQL(ctx, client, spec.URL, r)
				}
				latencies[w] = append(latencies[w], time.Since(began))
				if err != nil {
					errCount.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(latencies...)
	slices.Sort(all)
	res := loadResult{Requests: len(all), Errors: int(errCount.Load()), Seconds: elapsed.Seconds()}
	if msg, ok := firstErr.Load().(string); ok {
		res.FirstError = msg
	}
	if len(all) > 0 {
		var sum time.Duration
		for _, d := range all {
			sum += d
		}
		res.RPS = float64(len(all)) / elapsed.Seconds()
		res.P50ms = ms(percentile(all, 0.50))
		res.P99ms = ms(percentile(all, 0.99))
		res.MeanMs = ms(sum / time.Duration(len(all)))
	}
	return res
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// postGraphQL sends one GraphQL request and fails unless it is answered
// 200 with no errors.
func postGraphQL(ctx context.Context, client *http.Client, url string, r request) error {
	body, err := sendGraphQL(ctx, client, url, r)
	if err != nil {
		return err
	}
	if bytes.Contains(body, []byte(`"errors"`)) {
		return fmt.Errorf("errors in the answer: %.300s", body)
	}
	return nil
}

func sendGraphQL(ctx context.Context, client *http.Client, url string, r request) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(r.Body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	req.Header.Set("Authorization", "Bearer "+r.Token)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s: %.300s", resp.Status, body)
	}
	return body, nil
}
