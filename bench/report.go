package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// result is one measurement: a workload on a server at a latency.
type result struct {
	Workload    string     `json:"workload"`
	Server      string     `json:"server"`
	LatencyMs   float64    `json:"latencyMs"`
	Concurrency int        `json:"concurrency"`
	Memory      bool       `json:"memoryRun,omitempty"`
	Load        loadResult `json:"load"`
	// UpstreamCalls is per request; LeastCalls what one request needs.
	UpstreamCalls float64 `json:"upstreamCallsPerRequest"`
	LeastCalls    float64 `json:"leastCallsPerRequest"`
	// CPUms is the server's CPU time per request (all its processes);
	// PeakRSSMiB its largest resident set. Zero for the direct client.
	CPUms      float64 `json:"cpuMsPerRequest"`
	PeakRSSMiB float64 `json:"peakRssMiB"`
	// RoundsRPS are the req/s of each round, in order, when the server
	// was measured more than once; the rest of the result is the median's.
	// RoundsCPUms and RoundsCalls are each round's CPU and upstream calls
	// per request, in the same order.
	RoundsRPS   []float64 `json:"roundsRps,omitempty"`
	RoundsCPUms []float64 `json:"roundsCpuMs,omitempty"`
	RoundsCalls []float64 `json:"roundsCalls,omitempty"`
}

func (r result) line() string {
	return fmt.Sprintf("%-2s %-13s %3.0fms c=%-3d %9.0f req/s  p50 %7.2fms  p99 %7.2fms  calls/req %6.2f (least %g)  cpu %6.3fms/req  rss %6.1f MiB",
		r.Workload, r.Server, r.LatencyMs, r.Concurrency, r.Load.RPS, r.Load.P50ms, r.Load.P99ms, r.UpstreamCalls, r.LeastCalls, r.CPUms, r.PeakRSSMiB)
}

type machine struct {
	CPU    string `json:"cpu"`
	Cores  int    `json:"cores"`
	Kernel string `json:"kernel"`
	Go     string `json:"go"`
	Node   string `json:"node"`
}

type report struct {
	Date       string   `json:"date"`
	Machine    machine  `json:"machine"`
	Duration   string   `json:"durationPerMeasurement"`
	Rounds     int      `json:"rounds,omitempty"`
	Results    []result `json:"results"`
	Benchmarks []string `json:"goBenchmarks"`
}

func newReport(c config) *report {
	return &report{Date: time.Now().UTC().Format(time.RFC3339), Machine: readMachine(), Duration: c.duration.String(), Rounds: c.rounds}
}

func readMachine() machine {
	m := machine{Cores: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		m.Node = strings.TrimSpace(string(out))
	}
	return m
}

func (rep *report) find(workload, server string, latency float64, memory bool) (result, bool) {
	for _, r := range rep.Results {
		if r.Workload == workload && r.Server == server && r.LatencyMs == latency && r.Memory == memory {
			return r, true
		}
	}
	return result{}, false
}

func (rep *report) latencies() []float64 {
	var out []float64
	for _, r := range rep.Results {
		if len(out) == 0 || out[len(out)-1] != r.LatencyMs {
			out = append(out, r.LatencyMs)
		}
	}
	return out
}

func (rep *report) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "latest.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "latest.md"), []byte(rep.markdown()), 0o644)
}

func (rep *report) markdown() string {
	var b strings.Builder
	m := rep.Machine
	fmt.Fprintf(&b, "# Benchmark results\n\n%s, on %s (%d cores), Linux %s, %s, Node %s; %s per measurement, after a warm-up.\n",
		rep.Date, m.CPU, m.Cores, m.Kernel, m.Go, m.Node, rep.Duration)
	if rep.Rounds > 1 {
		fmt.Fprintf(&b, "The facade and Tailcall were measured in %d rounds, alternating with each other and the other servers; each row of theirs is the median round, with every round's req/s in brackets.\n", rep.Rounds)
	}
	b.WriteString("Written by `bench/run.sh`; how to read it: [docs/benchmark.md](../../docs/benchmark.md).\n\n")
	titles := map[string]string{}
	for _, w := range workloads() {
		titles[w.Name] = w.Title
	}
	for _, lat := range rep.latencies() {
		fmt.Fprintf(&b, "## Upstream latency %g ms\n\n", lat)
		b.WriteString("| workload | server | clients | req/s | p50 ms | p99 ms | upstream calls/req (least) | server CPU ms/req | peak RSS MiB |\n")
		b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, r := range rep.Results {
			if r.LatencyMs != lat || r.Memory {
				continue
			}
			b.WriteString(r.row(titles[r.Workload]))
		}
		b.WriteString("\n")
	}
	if mem := rep.memoryRows(); mem != "" {
		b.WriteString("## Memory: 500 concurrent requests\n\n")
		b.WriteString("| workload | server | clients | req/s | p50 ms | p99 ms | upstream calls/req (least) | server CPU ms/req | peak RSS MiB |\n")
		b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|\n")
		b.WriteString(mem + "\n")
	}
	b.WriteString(rep.ratios())
	b.WriteString(rep.againstBefore())
	b.WriteString(rep.targets())
	if len(rep.Benchmarks) > 0 {
		b.WriteString("## In process: allocations per request (`go test -bench -benchmem ./httpapi`)\n\n```\n")
		b.WriteString(strings.Join(rep.Benchmarks, "\n"))
		b.WriteString("\n```\n")
	}
	return b.String()
}

func (r result) row(title string) string {
	cpu, rss := "—", "—"
	if r.Server != serverDirect {
		cpu, rss = fmt.Sprintf("%.3f", r.CPUms), fmt.Sprintf("%.1f", r.PeakRSSMiB)
	}
	rps := fmt.Sprintf("%.0f", r.Load.RPS)
	if len(r.RoundsRPS) > 1 {
		each := make([]string, len(r.RoundsRPS))
		for i, v := range r.RoundsRPS {
			each[i] = fmt.Sprintf("%.0f", v)
		}
		rps += " (" + strings.Join(each, ", ") + ")"
	}
	return fmt.Sprintf("| (%s) %s | %s | %d | %s | %.2f | %.2f | %.2f (%g) | %s | %s |\n",
		r.Workload, title, r.Server, r.Concurrency, rps, r.Load.P50ms, r.Load.P99ms, r.UpstreamCalls, r.LeastCalls, cpu, rss)
}

func (rep *report) memoryRows() string {
	var b strings.Builder
	for _, r := range rep.Results {
		if r.Memory {
			b.WriteString(r.row("mixed"))
		}
	}
	return b.String()
}

// ratios compares the facade with each other server, in the same run.
func (rep *report) ratios() string {
	var b strings.Builder
	b.WriteString("## The facade against the others, measured in the same run\n\n")
	b.WriteString("Throughput ratio: the facade's req/s over the other's (above 1: the facade is faster). Latency ratio: the facade's p50 over the other's (below 1: the facade is faster).\n\n")
	b.WriteString("| workload | latency | vs direct REST: req/s, p50 | vs naive facade | vs Mesh | vs Tailcall |\n|---|--:|--:|--:|--:|--:|\n")
	for _, lat := range rep.latencies() {
		for _, w := range workloads() {
			f, ok := rep.find(w.Name, serverFacade, lat, false)
			if !ok {
				continue
			}
			cells := []string{}
			for _, other := range []string{serverDirect, serverNaive, serverMesh, serverTailcall} {
				o, ok := rep.find(w.Name, other, lat, false)
				if !ok || o.Load.RPS == 0 {
					cells = append(cells, "—")
					continue
				}
				cells = append(cells, fmt.Sprintf("%.2f×, %.2f×", f.Load.RPS/o.Load.RPS, f.Load.P50ms/o.Load.P50ms))
			}
			fmt.Fprintf(&b, "| (%s) | %g ms | %s |\n", w.Name, lat, strings.Join(cells, " | "))
		}
	}
	return b.String() + "\n"
}

// targets checks the targets against this run.
func (rep *report) targets() string {
	var b strings.Builder
	b.WriteString("## Targets\n\n")
	check := func(ok bool, format string, args ...any) {
		mark := "✅"
		if !ok {
			mark = "❌"
		}
		fmt.Fprintf(&b, "- %s %s\n", mark, fmt.Sprintf(format, args...))
	}
	for _, lat := range rep.latencies() {
		for _, w := range workloads() {
			if f, ok := rep.find(w.Name, serverFacade, lat, false); ok {
				check(f.UpstreamCalls <= f.LeastCalls+1e-9, "(%s) at %g ms: %.2f upstream calls per request, the least is %g (ratio %.2f)",
					w.Name, lat, f.UpstreamCalls, f.LeastCalls, f.UpstreamCalls/f.LeastCalls)
			}
		}
	}
	if f, ok := rep.find("b", serverFacade, 20, false); ok {
		if d, ok := rep.find("b", serverDirect, 20, false); ok {
			check(f.Load.P50ms <= 1.2*d.Load.P50ms, "(b) at 20 ms: p50 %.2f ms, %.2f× the direct client's %.2f ms (target ≤ 1.2×)", f.Load.P50ms, f.Load.P50ms/d.Load.P50ms, d.Load.P50ms)
		}
	}
	if f, ok := rep.find("a", serverFacade, 0, false); ok {
		if d, ok := rep.find("a", serverDirect, 0, false); ok {
			check(f.Load.RPS >= 0.5*d.Load.RPS, "(a) at 0 ms: %.0f req/s, %.2f of the direct client's %.0f (target ≥ 0.5)", f.Load.RPS, f.Load.RPS/d.Load.RPS, d.Load.RPS)
		}
		if m, ok := rep.find("a", serverMesh, 0, false); ok {
			check(f.Load.RPS >= 3*m.Load.RPS, "(a) at 0 ms: %.2f× Mesh's req/s (target ≥ 3×)", f.Load.RPS/m.Load.RPS)
		}
	}
	for _, r := range rep.Results {
		if r.Memory && r.Server == serverFacade {
			check(r.PeakRSSMiB < 100, "peak RSS at %d concurrent requests: %.1f MiB (target < 100 MiB)", r.Concurrency, r.PeakRSSMiB)
		}
	}
	for _, lat := range rep.latencies() {
		for _, w := range workloads() {
			f, fok := rep.find(w.Name, serverFacade, lat, false)
			t, tok := rep.find(w.Name, serverTailcall, lat, false)
			if fok && tok {
				check(f.Load.RPS >= t.Load.RPS, "(%s) at %g ms: %.2f× Tailcall's req/s (target ≥ 1×)", w.Name, lat, f.Load.RPS/t.Load.RPS)
			}
		}
	}
	for _, lat := range rep.latencies() {
		for _, name := range []string{"b", "f"} {
			f, fok := rep.find(name, serverFacade, lat, false)
			t, tok := rep.find(name, serverTailcall, lat, false)
			if fok && tok && t.CPUms > 0 {
				check(f.CPUms <= 2*t.CPUms, "(%s) at %g ms: CPU per request %.2f× Tailcall's (target ≤ 2×)", name, lat, f.CPUms/t.CPUms)
			}
		}
	}
	if f, ok := rep.find("e", serverFacade, 0, false); ok {
		if d, ok := rep.find("e", serverDirect, 0, false); ok {
			check(f.Load.RPS >= 0.8*d.Load.RPS, "(e) at 0 ms: %.2f× the direct client's req/s (target ≥ 0.8×)", f.Load.RPS/d.Load.RPS)
		}
	}
	return b.String() + "\n"
}

// summary is docs/benchmark.md's digest of the run: the facade against Tailcall
// and the direct client on every workload both serve, as ratios.
func (rep *report) summary() string {
	var b strings.Builder
	m := rep.Machine
	fmt.Fprintf(&b, "From `bench/run.sh` of %s, on %s (%d cores); every figure of that run, and each target met or missed, in [bench/results/latest.md](../bench/results/latest.md).",
		rep.Date[:10], m.CPU, m.Cores)
	if rep.Rounds > 1 {
		fmt.Fprintf(&b, " The facade's and Tailcall's figures are each the median of %d rounds, measured alternately.", rep.Rounds)
	}
	b.WriteString("\n\n")
	b.WriteString("| workload | latency | facade req/s | Tailcall req/s | × Tailcall | × direct REST | facade CPU ms/req | Tailcall CPU ms/req |\n|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, lat := range rep.latencies() {
		for _, w := range workloads() {
			f, ok := rep.find(w.Name, serverFacade, lat, false)
			if !ok {
				continue
			}
			tRPS, tCPU, vsT, vsD := "—", "—", "—", "—"
			if t, ok := rep.find(w.Name, serverTailcall, lat, false); ok {
				tRPS, tCPU, vsT = fmt.Sprintf("%.0f", t.Load.RPS), fmt.Sprintf("%.2f", t.CPUms), fmt.Sprintf("%.2f×", f.Load.RPS/t.Load.RPS)
			}
			if d, ok := rep.find(w.Name, serverDirect, lat, false); ok {
				vsD = fmt.Sprintf("%.2f×", f.Load.RPS/d.Load.RPS)
			}
			fmt.Fprintf(&b, "| (%s) | %g ms | %.0f | %s | %s | %s | %.2f | %s |\n", w.Name, lat, f.Load.RPS, tRPS, vsT, vsD, f.CPUms, tCPU)
		}
	}
	var missed []string
	for _, line := range strings.Split(rep.targets(), "\n") {
		if strings.HasPrefix(line, "- ❌") {
			missed = append(missed, line)
		}
	}
	if len(missed) > 0 {
		fmt.Fprintf(&b, "\nTargets this run missed (%d):\n\n%s\n", len(missed), strings.Join(missed, "\n"))
	}
	return b.String()
}

// Markers of docs/benchmark.md's block that summary fills.
const (
	summaryBegin = "<!-- bench summary: written by bench/run.sh from bench/results/latest.json -->\n"
	summaryEnd   = "<!-- end of bench summary -->\n"
)

// withSummary is doc with its summary block replaced by rep's.
func withSummary(doc string, rep *report) (string, error) {
	i, j := strings.Index(doc, summaryBegin), strings.Index(doc, summaryEnd)
	if i < 0 || j < i {
		return "", fmt.Errorf("no bench summary block to rewrite")
	}
	return doc[:i+len(summaryBegin)] + rep.summary() + doc[j:], nil
}

// againstBefore compares the facade with the facade before (-facade-before),
// measured in the same alternating rounds: each one's median CPU per
// request over its rounds, their ratio, and the ratios of the rounds
// measured side by side, which a slower stretch of the machine moves
// least. Empty when no facade before was measured.
func (rep *report) againstBefore() string {
	var b strings.Builder
	for _, lat := range rep.latencies() {
		for _, w := range workloads() {
			f, fok := rep.find(w.Name, serverFacade, lat, false)
			o, ook := rep.find(w.Name, serverBefore, lat, false)
			if !fok || !ook {
				continue
			}
			if b.Len() == 0 {
				b.WriteString("## The facade against the facade before, measured in the same rounds\n\n")
				b.WriteString("CPU per request: the median of each one's rounds; × before, the facade's median over the facade before's (below 1: the facade costs less); " +
					"paired, the median and range of each round's ratio (the two measured one after the other); spread, a server's range of rounds over its median.\n\n")
				b.WriteString("| workload | latency | before CPU ms/req | CPU ms/req | × before | paired × before (range) | spread before, facade | before req/s | req/s | × before | before calls/req | calls/req |\n")
				b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
			}
			oCPU, fCPU := rounds(o.RoundsCPUms, o.CPUms), rounds(f.RoundsCPUms, f.CPUms)
			oRPS, fRPS := rounds(o.RoundsRPS, o.Load.RPS), rounds(f.RoundsRPS, f.Load.RPS)
			oCalls, fCalls := rounds(o.RoundsCalls, o.UpstreamCalls), rounds(f.RoundsCalls, f.UpstreamCalls)
			paired := pairedRatios(fCPU, oCPU)
			fmt.Fprintf(&b, "| (%s) | %g ms | %.3f | %.3f | %.3f× | %.3f× (%.3f–%.3f) | %.1f%%, %.1f%% | %.0f | %.0f | %.3f× | %.2f | %.2f |\n",
				w.Name, lat, middle(oCPU), middle(fCPU), middle(fCPU)/middle(oCPU),
				middle(paired), slices.Min(paired), slices.Max(paired), 100*spread(oCPU), 100*spread(fCPU),
				middle(oRPS), middle(fRPS), middle(fRPS)/middle(oRPS), middle(oCalls), middle(fCalls))
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return b.String() + "\n"
}

// rounds is a result's figure in each round, or its one figure.
func rounds(each []float64, one float64) []float64 {
	if len(each) == 0 {
		return []float64{one}
	}
	return each
}

// middle is the median of xs: the mean of the two middle ones when even.
func middle(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// spread is xs's range over its median.
func spread(xs []float64) float64 {
	m := middle(xs)
	if m == 0 {
		return 0
	}
	return (slices.Max(xs) - slices.Min(xs)) / m
}

// pairedRatios are a[i]/b[i], for the rounds both have.
func pairedRatios(a, b []float64) []float64 {
	n := min(len(a), len(b))
	out := make([]float64, 0, n)
	for i := range n {
		if b[i] != 0 {
			out = append(out, a[i]/b[i])
		}
	}
	if len(out) == 0 {
		out = append(out, 0)
	}
	return out
}
