// Command bench measures the facade side by side with GraphQL Mesh, Tailcall
// and a client calling the REST API directly (the physical limit), over the
// simulated GitBook API at 0 and 20 ms of latency, and writes the results
// to bench/results/latest.{md,json}. bench/run.sh installs the peers and
// runs it; see docs/benchmark.md.
//
// Every server runs as its own process and is started afresh for each
// measurement, so that its peak resident set is that measurement's; the
// load comes from another process (this command, re-run as "bench load").
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// config is the runner's flags.
type config struct {
	duration, warmup  time.Duration
	latencies         []time.Duration
	servers           map[string]bool
	workloads         map[string]bool
	memoryConcurrency int
	rounds            int // measurements of the facade and Tailcall per workload and latency
	outDir            string
	peersDir          string
	doc               string // the page whose summary block the run rewrites (docs/benchmark.md); empty for none
	// facadeBin and simBin are binaries built already, measured instead of
	// the tree's; beforeBin is another build of the facade (an older
	// commit's), measured as serverBefore beside the facade.
	facadeBin, simBin, beforeBin string
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "load" {
		return runLoad(ctx, stdin, stdout)
	}
	if len(args) > 0 && args[0] == "hostile" {
		return runHostile(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "slowbodies" {
		return runSlowBodies(ctx, args[1:], stderr)
	}
	if len(args) > 0 && args[0] == "replicas" {
		return runReplicas(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "pgo" {
		return runPGO(ctx, args[1:], stderr)
	}
	if len(args) > 0 && args[0] == "report" {
		return rerender(args[1:], stderr)
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.DurationVar(&c.duration, "duration", 5*time.Second, "how long each measurement lasts")
	fs.DurationVar(&c.warmup, "warmup", time.Second, "load before each measurement, not counted")
	latencies := fs.String("latencies", "0ms,20ms", "upstream latencies to measure at, comma-separated")
	servers := fs.String("servers", strings.Join([]string{serverFacade, serverNaive, serverMesh, serverTailcall, serverDirect}, ","), "what to measure, comma-separated")
	loads := fs.String("workloads", "a,b,c,d,e,f", "workloads to run, comma-separated")
	fs.IntVar(&c.rounds, "rounds", 3, "measurements of the facade and Tailcall per workload and latency, alternating; each reports its median by req/s (the other servers are measured once)")
	fs.IntVar(&c.memoryConcurrency, "memory-concurrency", 500, "concurrent requests of the memory measurement (workload d at the highest latency); 0 skips it")
	fs.StringVar(&c.outDir, "out", "bench/results", "where latest.md and latest.json are written")
	fs.StringVar(&c.doc, "doc", "", "Markdown page whose bench summary block is rewritten from this run (bench/run.sh passes docs/benchmark.md); empty leaves it")
	fs.StringVar(&c.peersDir, "peers", "bench/peers", "Mesh's and Tailcall's configurations and node_modules")
	fs.StringVar(&c.facadeBin, "facade", "", "facade binary to measure; empty builds the tree's")
	fs.StringVar(&c.simBin, "sim", "", "gitbook-sim binary; empty builds the tree's")
	fs.StringVar(&c.beforeBin, "facade-before", "", "another facade binary (an older commit's, built the same way) measured as "+serverBefore+" in every round, alternating with the facade; latest.md then says what the facade costs against it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.rounds < 1 {
		return errors.New("-rounds must be at least 1")
	}
	for _, l := range strings.Split(*latencies, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(l))
		if err != nil {
			return fmt.Errorf("-latencies: %w", err)
		}
		c.latencies = append(c.latencies, d)
	}
	c.servers, c.workloads = set(*servers), set(*loads)
	if c.beforeBin != "" {
		if !c.servers[serverFacade] {
			return errors.New("-facade-before is measured against the facade: -servers must name " + serverFacade)
		}
		c.servers[serverBefore] = true
	}
	var err error
	if c.peersDir, err = filepath.Abs(c.peersDir); err != nil {
		return err
	}
	return runBenchmark(ctx, c, stderr)
}

func set(csv string) map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Split(csv, ",") {
		if s = strings.TrimSpace(s); s != "" {
			m[s] = true
		}
	}
	return m
}

// runLoad is the load generator's process: a loadSpec in, a loadResult out.
func runLoad(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	var spec loadSpec
	if err := json.NewDecoder(stdin).Decode(&spec); err != nil {
		return fmt.Errorf("load spec: %w", err)
	}
	if spec.Concurrency < 1 || len(spec.Requests) == 0 {
		return errors.New("load spec: no concurrency or no requests")
	}
	return json.NewEncoder(stdout).Encode(generateLoad(ctx, spec))
}

// rerender writes latest.md and docs/benchmark.md's summary again from
// latest.json, as the run wrote them (go run ./bench report), for when the
// report's form changes and not its figures.
func rerender(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("out", "bench/results", "where latest.json is, and latest.md is written")
	doc := fs.String("doc", "docs/benchmark.md", "Markdown page whose bench summary block is rewritten; empty leaves it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raw, err := os.ReadFile(filepath.Join(*dir, "latest.json"))
	if err != nil {
		return err
	}
	var rep report
	if err := json.Unmarshal(raw, &rep); err != nil {
		return err
	}
	if err := rep.write(*dir); err != nil {
		return err
	}
	return rewriteSummary(*doc, &rep)
}

// rewriteSummary puts rep's summary in the page at path; none when path
// is empty.
func rewriteSummary(path string, rep *report) error {
	if path == "" {
		return nil
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	updated, err := withSummary(string(doc), rep)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(updated), 0o644)
}

func runBenchmark(ctx context.Context, c config, log io.Writer) error {
	workDir, err := os.MkdirTemp("", "facade-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workDir)
	e := &env{peersDir: c.peersDir, workDir: workDir, facadeBin: c.facadeBin, simBin: c.simBin, beforeBin: c.beforeBin}
	if e.facadeBin == "" || e.simBin == "" {
		facade, sim, err := buildBinaries(ctx, workDir)
		if err != nil {
			return err
		}
		e.facadeBin, e.simBin = cmp.Or(c.facadeBin, facade), cmp.Or(c.simBin, sim)
	}
	if (c.servers[serverMesh] || c.servers[serverTailcall]) && !peersInstalled(e) {
		fmt.Fprintf(log, "peers not installed in %s (run bench/run.sh): measuring without Mesh and Tailcall\n", c.peersDir)
		delete(c.servers, serverMesh)
		delete(c.servers, serverTailcall)
	}
	report := newReport(c)
	for i, latency := range c.latencies {
		sim, addr, err := startSim(e.simBin, workDir, latency)
		if err != nil {
			return err
		}
		e.simURL = "http://" + addr + "/v1"
		err = measureAt(ctx, c, e, report, latency, i == len(c.latencies)-1, log)
		sim.stop()
		if err != nil {
			return err
		}
	}
	report.Benchmarks, err = goBenchmarks(ctx)
	if err != nil {
		return err
	}
	if err := report.write(c.outDir); err != nil {
		return err
	}
	return rewriteSummary(c.doc, report)
}

// measureAt runs every selected workload on every selected server over
// one simulated upstream; the last latency also gets the memory run.
func measureAt(ctx context.Context, c config, e *env, report *report, latency time.Duration, last bool, log io.Writer) error {
	if c.servers[serverMesh] {
		if err := composeMesh(ctx, e); err != nil {
			return err
		}
	}
	for _, w := range workloads() {
		if !c.workloads[w.Name] {
			continue
		}
		// The facade and Tailcall, whose ratio the targets are, are measured
		// in rounds that alternate with the other servers, so that a stretch
		// of a slower machine falls on both; each reports its median round.
		rounds := map[string][]result{}
		for round := range c.rounds {
			for _, server := range roundOrder(w.servers(), round) {
				if !c.servers[server] || (round > 0 && !repeated(server)) {
					continue
				}
				r, err := measure(ctx, c, e, w, server, w.Concurrency, latency)
				if err != nil {
					return fmt.Errorf("workload %s on %s at %s: %w", w.Name, server, latency, err)
				}
				fmt.Fprintln(log, r.line())
				rounds[server] = append(rounds[server], r)
			}
		}
		for _, server := range w.servers() {
			if rs := rounds[server]; len(rs) > 0 {
				report.Results = append(report.Results, median(rs))
			}
		}
	}
	if !last || c.memoryConcurrency == 0 || !c.workloads["d"] {
		return nil
	}
	d := mixed()
	for _, server := range []string{serverFacade, serverMesh, serverTailcall} {
		if !c.servers[server] {
			continue
		}
		r, err := measure(ctx, c, e, d, server, c.memoryConcurrency, latency)
		if err != nil {
			return fmt.Errorf("memory run on %s: %w", server, err)
		}
		r.Memory = true
		fmt.Fprintln(log, r.line())
		report.Results = append(report.Results, r)
	}
	return nil
}

// repeated says whether server is measured in every round.
func repeated(server string) bool {
	return server == serverFacade || server == serverTailcall || server == serverBefore
}

// roundOrder is the order servers are measured in, in a round: the facade
// before comes first in even rounds and just after the facade in odd ones,
// so that neither is always the one measured first (B A, A B, B A, ...),
// and a drift of the machine's speed across a round falls on both alike.
func roundOrder(servers []string, round int) []string {
	order := slices.Clone(servers)
	b, f := slices.Index(order, serverBefore), slices.Index(order, serverFacade)
	if round%2 == 1 && b >= 0 && f >= 0 {
		order = slices.Delete(order, b, b+1)
		f = slices.Index(order, serverFacade)
		order = slices.Insert(order, f+1, serverBefore)
	}
	return order
}

// median is the round of median req/s (the lower middle of an even
// number), with every round's req/s, CPU per request and upstream calls
// per request beside it.
func median(rounds []result) result {
	sorted := slices.SortedFunc(slices.Values(rounds), func(a, b result) int { return cmp.Compare(a.Load.RPS, b.Load.RPS) })
	m := sorted[(len(sorted)-1)/2]
	if len(rounds) > 1 {
		m.RoundsRPS = make([]float64, len(rounds))
		m.RoundsCPUms = make([]float64, len(rounds))
		m.RoundsCalls = make([]float64, len(rounds))
		for i, r := range rounds {
			m.RoundsRPS[i], m.RoundsCPUms[i], m.RoundsCalls[i] = r.Load.RPS, r.CPUms, r.UpstreamCalls
		}
	}
	return m
}

// measure starts server afresh, checks its answers, warms it up, and
// measures it under load.
func measure(ctx context.Context, c config, e *env, w workload, server string, concurrency int, latency time.Duration) (result, error) {
	requests := w.requests[server]
	r := result{Workload: w.Name, Server: server, LatencyMs: float64(latency.Milliseconds()), Concurrency: concurrency, LeastCalls: w.LeastCalls}
	spec := loadSpec{URL: e.simURL, Direct: server == serverDirect, Concurrency: concurrency, Requests: requests}
	pid := 0
	if server != serverDirect {
		p, url, err := startServer(ctx, e, server)
		if err != nil {
			return r, err
		}
		defer p.stop()
		spec.URL, pid = url, p.cmd.Process.Pid
		if err := checkAnswers(ctx, url, w, requests); err != nil {
			return r, fmt.Errorf("%s answers wrongly: %w", server, err)
		}
	}
	spec.Duration = c.warmup
	if _, err := loadFromAnotherProcess(ctx, spec); err != nil {
		return r, err
	}
	if err := resetSim(ctx, e.simURL); err != nil {
		return r, err
	}
	var cpu0 time.Duration
	var stopRSS func() int64
	if pid != 0 {
		cpu0, stopRSS = treeCPU(pid), sampleRSS(pid)
	}
	spec.Duration = c.duration
	load, err := loadFromAnotherProcess(ctx, spec)
	if err != nil {
		return r, err
	}
	calls, err := simCalls(ctx, e.simURL)
	if err != nil {
		return r, err
	}
	r.Load = load
	if load.Requests > 0 {
		r.UpstreamCalls = float64(calls) / float64(load.Requests)
	}
	if pid != 0 {
		r.CPUms = ms(treeCPU(pid)-cpu0) / float64(max(1, load.Requests))
		r.PeakRSSMiB = float64(stopRSS()) / (1 << 20)
	}
	return r, nil
}

// checkAnswers sends some of a workload's requests once and checks the
// answers are whole, so that a server measured fast is not fast at being
// wrong.
func checkAnswers(ctx context.Context, url string, w workload, requests []request) error {
	client := &http.Client{Timeout: 30 * time.Second}
	for i, r := range requests {
		if i >= 12 {
			break
		}
		body, err := sendGraphQL(ctx, client, url, r)
		if err != nil {
			return err
		}
		var answer struct {
			Data   map[string]any `json:"data"`
			Errors []any          `json:"errors"`
		}
		if err := json.Unmarshal(body, &answer); err != nil || len(answer.Errors) > 0 || len(answer.Data) == 0 {
			return fmt.Errorf("request %d: %.500s", i, body)
		}
		if w.marker != "" {
			if n := bytes.Count(body, []byte(w.marker)); n != w.wantCount {
				return fmt.Errorf("request %d: %s %d times, want %d: %.500s", i, w.marker, n, w.wantCount, body)
			}
		}
	}
	return nil
}

// loadFromAnotherProcess runs the load generator as a process of its own,
// so that its CPU is not the measured server's and not this runner's.
func loadFromAnotherProcess(ctx context.Context, spec loadSpec) (loadResult, error) {
	self, err := os.Executable()
	if err != nil {
		return loadResult{}, err
	}
	in, err := json.Marshal(spec)
	if err != nil {
		return loadResult{}, err
	}
	cmd := exec.CommandContext(ctx, self, "load")
	cmd.Stdin = bytes.NewReader(in)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return loadResult{}, fmt.Errorf("load generator: %w: %s", err, errOut.String())
	}
	var res loadResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return res, fmt.Errorf("load generator's result: %w", err)
	}
	if res.Errors > 0 {
		return res, fmt.Errorf("%d of %d requests failed; first: %s", res.Errors, res.Requests, res.FirstError)
	}
	return res, nil
}

func simBase(simURL string) string { return strings.TrimSuffix(simURL, "/v1") }

func resetSim(ctx context.Context, simURL string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, simBase(simURL)+"/_sim/reset", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func simCalls(ctx context.Context, simURL string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, simBase(simURL)+"/_sim/counts", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var counts struct {
		Total int `json:"total"`
	}
	return counts.Total, json.NewDecoder(resp.Body).Decode(&counts)
}

// goBenchmarks runs the in-process benchmarks for allocations per request.
func goBenchmarks(ctx context.Context) ([]string, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^Benchmark(OneSpace|ThirtySpaces|Entities)$", "-benchmem", "-benchtime", "200x", "./httpapi")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test -bench: %w\n%s", err, out)
	}
	var lines []string
	for line := range strings.SplitSeq(string(out), "\n") {
		if strings.HasPrefix(line, "Benchmark") {
			lines = append(lines, strings.Join(strings.Fields(line), " "))
		}
	}
	slices.Sort(lines)
	return lines, nil
}
