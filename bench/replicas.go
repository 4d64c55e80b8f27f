package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/replicas"
)

// The replica benchmark (go run ./bench replicas) runs the facade as
// deployed: replicas behind HAProxy (deploy/haproxy.cfg) with one Redis,
// over the simulated GitBook in this process. It measures two things:
//
//   - a 429 storm: every token has a small quota per second, and the load
//     wants more. What counts is the calls GitBook refuses (429s): one
//     replica learns of a token's limit once per window; three replicas
//     that keep holds each to itself learn it three times; three sharing
//     them through Redis, once.
//   - what Redis costs on the hot path: p50 and p99 of one replica with and
//     without -redis-url, with the read cache off and on.
//
// Every request asks for another space or token than the one before it.

type replicaResult struct {
	Setup         string  `json:"setup"`
	RPS           float64 `json:"rps"`
	P50ms         float64 `json:"p50ms"`
	P99ms         float64 `json:"p99ms"`
	Requests      int     `json:"requests"`
	Errors        int     `json:"errors"`
	UpstreamCalls int     `json:"upstreamCalls"`
	Refused       int     `json:"upstream429s"`
}

const (
	stormTokens = 20
	stormQuota  = 5 // calls per token per second
	stormSpaces = 100
)

func runReplicas(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench replicas", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("duration", 8*time.Second, "how long each measurement lasts")
	concurrency := fs.Int("concurrency", 32, "requests in flight")
	outDir := fs.String("out", "bench/results", "where replicas.md and replicas.json are written")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, bin := range []string{"redis-server", "haproxy"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("%s is not installed (apt-get install %s)", bin, bin)
		}
	}
	workDir, err := os.MkdirTemp("", "facade-replicas-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workDir)
	bin, err := replicas.Build(".", workDir)
	if err != nil {
		return err
	}
	data, spaces := gitbooksim.ScaledData(stormSpaces, stormTokens)
	sim := gitbooksim.NewServer(gitbooksim.Options{Data: data, CountOnly: true})
	defer sim.Close()
	var reqs []request
	for i := range stormSpaces * stormTokens / 4 {
		body, _ := json.Marshal(map[string]any{"query": `query($id: ID!) { space(id: $id) { id title visibility } }`, "variables": map[string]any{"id": spaces[i%len(spaces)]}})
		reqs = append(reqs, request{Token: gitbooksim.BenchToken((i/len(spaces)*7 + i) % stormTokens), Body: body})
	}
	redisPort, err := replicas.FreePort()
	if err != nil {
		return err
	}
	redisURL := fmt.Sprintf("redis://127.0.0.1:%d/0", redisPort)
	stopRedis, err := startRedis(ctx, redisPort, filepath.Join(workDir, "redis.log"))
	if err != nil {
		return err
	}
	defer stopRedis()

	measure := func(setup string, n int, storm bool, args ...string) (replicaResult, error) {
		fmt.Fprintf(stderr, "replicas: %s\n", setup)
		logFile, err := os.Create(filepath.Join(workDir, strings.ReplaceAll(setup, " ", "_")+".log"))
		if err != nil {
			return replicaResult{}, err
		}
		defer logFile.Close()
		flags := append([]string{"-upstream", sim.URL, "-log-level", "warn", "-cursor-secret", "bench", "-drain-delay", "0s"}, args...)
		var running []*replicas.Replica
		defer func() {
			for _, r := range running {
				r.Kill()
			}
		}()
		for range n {
			r, err := replicas.StartReplica(bin, flags, logFile)
			if err != nil {
				return replicaResult{}, err
			}
			running = append(running, r)
		}
		url := running[0].URL()
		if n == 3 {
			proxy, err := replicas.StartHAProxy("deploy/haproxy.cfg", running, logFile)
			if err != nil {
				return replicaResult{}, err
			}
			defer proxy.Stop()
			url = proxy.URL()
		}
		var refused atomic.Int64
		if storm {
			limit := gitbooksim.RateLimitPerToken(stormQuota, time.Second)
			sim.Handler.SetFault(func(c gitbooksim.Call) *gitbooksim.Fault {
				f := limit(c)
				if f != nil && f.Status == http.StatusTooManyRequests {
					refused.Add(1)
				}
				return f
			})
			defer sim.Handler.SetFault(nil)
		}
		generateLoad(ctx, loadSpec{URL: url, Concurrency: *concurrency, Duration: time.Second, Requests: reqs}) // warm up
		sim.Handler.ResetStats()
		refused.Store(0)
		res := generateLoad(ctx, loadSpec{URL: url, Concurrency: *concurrency, Duration: *duration, Requests: reqs})
		calls := 0
		for _, c := range sim.Handler.Counts() {
			calls += c
		}
		return replicaResult{Setup: setup, RPS: res.RPS, P50ms: res.P50ms, P99ms: res.P99ms, Requests: res.Requests,
			Errors: res.Errors, UpstreamCalls: calls, Refused: int(refused.Load())}, nil
	}

	var storm, hot []replicaResult
	for _, m := range []struct {
		setup string
		n     int
		args  []string
	}{
		{"1 replica", 1, nil},
		{"3 replicas, holds each its own", 3, nil},
		{"3 replicas, holds in Redis", 3, []string{"-redis-url", redisURL}},
	} {
		r, err := measure(m.setup, m.n, true, m.args...)
		if err != nil {
			return fmt.Errorf("%s: %w", m.setup, err)
		}
		storm = append(storm, r)
	}
	for _, m := range []struct {
		setup string
		args  []string
	}{
		{"no cache, no Redis", nil},
		{"no cache, -redis-url", []string{"-redis-url", redisURL}},
		{"cache 30s in process", []string{"-upstream-cache-ttl", "30s"}},
		{"cache 30s in Redis", []string{"-upstream-cache-ttl", "30s", "-redis-url", redisURL}},
	} {
		r, err := measure(m.setup, 1, false, m.args...)
		if err != nil {
			return fmt.Errorf("%s: %w", m.setup, err)
		}
		hot = append(hot, r)
	}
	return writeReplicaResults(*outDir, *duration, *concurrency, storm, hot, stdout)
}

// startRedis runs redis-server on port, without persistence, until stop.
func startRedis(ctx context.Context, port int, logPath string) (stop func(), err error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); log.Close() }
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			return stop, nil
		}
	}
	stop()
	return nil, errors.New("redis-server did not listen in 10s")
}

func writeReplicaResults(dir string, duration time.Duration, concurrency int, storm, hot []replicaResult, stdout io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Replicas: a 429 storm, and what Redis costs\n\n")
	fmt.Fprintf(&b, "`go run ./bench replicas` (bench/run.sh runs it), %s, %d requests in flight for %v each, on %s. ",
		time.Now().UTC().Format("2006-01-02"), concurrency, duration, describe(readMachine()))
	fmt.Fprintf(&b, "Replicas of the facade built from this tree, HAProxy with `deploy/haproxy.cfg`, one `redis-server`, the simulated GitBook at 0 ms, all on 127.0.0.1. ")
	fmt.Fprintf(&b, "Requests rotate over %d spaces and %d tokens.\n\n", stormSpaces, stormTokens)
	fmt.Fprintf(&b, "## A 429 storm\n\nEach token may make %d calls a second (`gitbooksim.RateLimitPerToken`), and every answer says how many are left (`X-RateLimit-Remaining`); past them GitBook answers 429 until the second ends. A replica that reads `Remaining: 0`, or a 429, holds the token until the reset; with `-redis-url` every replica does. The fewer 429s, the better a citizen.\n\n", stormQuota)
	fmt.Fprintf(&b, "| setup | req/s | p50 ms | p99 ms | requests failed | upstream calls | of which 429 | 429s vs 1 replica |\n|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range storm {
		fmt.Fprintf(&b, "| %s | %.0f | %.1f | %.1f | %d of %d | %d | %d | %.2f× |\n", r.Setup, r.RPS, r.P50ms, r.P99ms, r.Errors, r.Requests, r.UpstreamCalls, r.Refused, ratio(r.Refused, storm[0].Refused))
	}
	fmt.Fprintf(&b, "\n## The hot path, one replica, no 429s\n\n| setup | req/s | p50 ms | p99 ms | upstream calls | p50 vs no Redis | p99 vs no Redis |\n|---|--:|--:|--:|--:|--:|--:|\n")
	for i, r := range hot {
		base := hot[i-i%2] // each pair: without Redis, then with
		fmt.Fprintf(&b, "| %s | %.0f | %.2f | %.2f | %d | %.2f× | %.2f× |\n", r.Setup, r.RPS, r.P50ms, r.P99ms, r.UpstreamCalls, r.P50ms/base.P50ms, r.P99ms/base.P99ms)
	}
	if err := os.WriteFile(filepath.Join(dir, "replicas.md"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	raw, _ := json.MarshalIndent(map[string]any{"storm": storm, "hotPath": hot}, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "replicas.json"), raw, 0o644); err != nil {
		return err
	}
	_, err := io.WriteString(stdout, b.String())
	return err
}

func ratio(n, base int) float64 {
	if base == 0 {
		return 0
	}
	return float64(n) / float64(base)
}
