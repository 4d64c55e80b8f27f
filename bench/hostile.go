package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gitbook-graphql/facade/httpapi/hostile"
)

// The hostile benchmark (go run ./bench hostile) measures what each shape
// of package hostile, at the largest size the body limit allows, costs the
// facade as a process of its own: CPU time per request from /proc, and its
// peak resident set above what it holds idle. Every request is a new
// document to the server (a comment makes each one unique), as an
// attacker's would be, so no cache helps.

// Targets for one hostile request at the default limits.
const (
	hostileMaxCPU = 50 * time.Millisecond
	hostileMaxRSS = 20 << 20
)

type hostileResult struct {
	Shape      string        `json:"shape"`
	Bytes      int           `json:"bytes"`
	Status     int           `json:"status"`
	Code       string        `json:"code"`
	CPU        time.Duration `json:"cpu_ns"`
	RSSAbove   int64         `json:"rss_above_idle_bytes"`
	IdleRSS    int64         `json:"idle_rss_bytes"`
	Requests   int           `json:"requests"`
	WithinCPU  bool          `json:"within_cpu_target"`
	WithinRSS  bool          `json:"within_rss_target"`
	RequestsOK bool          `json:"answered_or_refused_with_a_code"`
}

func runHostile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench hostile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	requests := fs.Int("requests", 10, "requests of each shape")
	outDir := fs.String("out", "bench/results", "where hostile.md and hostile.json are written")
	if err := fs.Parse(args); err != nil {
		return err
	}
	workDir, err := os.MkdirTemp("", "facade-hostile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workDir)
	facadeBin, simBin, err := buildBinaries(ctx, workDir)
	if err != nil {
		return err
	}
	sim, simAddr, err := startSim(simBin, workDir, 0)
	if err != nil {
		return err
	}
	defer sim.stop()
	e := &env{facadeBin: facadeBin, simBin: simBin, workDir: workDir, simURL: "http://" + simAddr + "/v1"}
	var results []hostileResult
	for _, shape := range hostile.Shapes {
		// A fresh process for each shape: Go keeps the memory it grew into,
		// so a shared one would charge each shape for the ones before it.
		facade, url, err := startServer(ctx, e, serverFacade)
		if err != nil {
			return err
		}
		pid := facade.cmd.Process.Pid
		query, vars := shape.Build(hostile.BodyBudget - 32) // room for the comment
		r := hostileResult{Shape: shape.Name, Requests: *requests}
		r.IdleRSS, _ = treeRSS([]int{pid})
		cpuBefore := treeCPU(pid)
		stopRSS := sampleRSS(pid)
		r.RequestsOK = true
		for i := range *requests {
			body, _ := json.Marshal(map[string]any{"query": fmt.Sprintf("#%d\n%s", i, query), "variables": vars})
			r.Bytes = len(body)
			var answer struct {
				Errors []struct {
					Extensions map[string]any `json:"extensions"`
				} `json:"errors"`
				Data json.RawMessage `json:"data"`
			}
			if err := post(ctx, url, body, func(status int, b []byte) {
				r.Status = status
				if json.Unmarshal(b, &answer) != nil || status >= 500 {
					r.RequestsOK = false
				}
			}); err != nil {
				facade.stop()
				return fmt.Errorf("%s: %w", shape.Name, err)
			}
			if len(answer.Errors) > 0 {
				r.Code, _ = answer.Errors[0].Extensions["code"].(string)
				if r.Code == "" || r.Code == "INTERNAL_SERVER_ERROR" {
					r.RequestsOK = false
				}
			} else if len(answer.Data) == 0 {
				r.RequestsOK = false
			}
		}
		peak := stopRSS()
		r.CPU = (treeCPU(pid) - cpuBefore) / time.Duration(*requests)
		facade.stop()
		r.RSSAbove = max(peak-r.IdleRSS, 0)
		r.WithinCPU, r.WithinRSS = r.CPU <= hostileMaxCPU, r.RSSAbove <= hostileMaxRSS
		results = append(results, r)
		fmt.Fprintf(stderr, "%-45s %7.1f ms CPU  %6.1f MiB above idle  %s\n", shape.Name, ms(r.CPU), mib(r.RSSAbove), r.Code)
	}
	if err := writeHostile(*outDir, results); err != nil {
		return err
	}
	return measureSlowBodies(ctx, e, *outDir, stderr)
}

func post(ctx context.Context, url string, body []byte, read func(status int, body []byte)) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer gb_demo_admin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && read != nil {
		read(resp.StatusCode, b)
	}
	return err
}

func describe(m machine) string {
	return fmt.Sprintf("%s (%d cores), Linux %s, %s", m.CPU, m.Cores, m.Kernel, m.Go)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func writeHostile(dir string, results []hostileResult) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Hostile requests\n\n%s, %s; %d requests of each shape, each a new document; the facade as a process of its own at its default limits. Written by `go run ./bench hostile`.\n\n",
		time.Now().UTC().Format(time.RFC3339), describe(readMachine()), results[0].Requests)
	b.WriteString("| shape | body bytes | status | code | CPU ms/request | peak RSS above idle MiB |\n|---|--:|--:|---|--:|--:|\n")
	worstCPU, worstRSS := time.Duration(0), int64(0)
	for _, r := range results {
		code := r.Code
		if code == "" {
			code = "(answered)"
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %.1f | %.1f |\n", r.Shape, r.Bytes, r.Status, code, ms(r.CPU), mib(r.RSSAbove))
		worstCPU, worstRSS = max(worstCPU, r.CPU), max(worstRSS, r.RSSAbove)
	}
	fmt.Fprintf(&b, "\nWorst: %.1f ms of CPU (target ≤ %.0f), %.1f MiB above idle (target ≤ %.0f).\n",
		ms(worstCPU), ms(hostileMaxCPU), mib(worstRSS), mib(hostileMaxRSS))
	if err := os.WriteFile(filepath.Join(dir, "hostile.md"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	data, _ := json.MarshalIndent(results, "", "  ")
	return os.WriteFile(filepath.Join(dir, "hostile.json"), append(data, '\n'), 0o644)
}
