package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi/hostile"
	"github.com/gitbook-graphql/facade/replicas"
)

// The hostile benchmark (go run ./bench hostile) measures what each shape
// of package hostile, at the largest size the limits allow, costs the
// facade as a process of its own over the demo data: CPU time per
// request from /proc, its peak resident set above what it holds idle, the
// longest a request took, and the goroutines and file descriptors it holds
// two seconds after the last request, against what it held idle. Every
// request is a new document to the server (a comment makes each one
// unique) unless the shape sends the same one, as an attacker's would be,
// so no cache helps. Rows of its own add what a shape cannot say alone: an
// upstream call that hangs under a deadline of a second, and a caller that
// goes away in the middle of @defer's parts.

// Targets for one hostile request at the default limits (issue 21).
const (
	hostileMaxCPU  = 250 * time.Millisecond
	hostileMaxRSS  = 64 << 20
	hostileMaxWall = 1100 * time.Millisecond // with -request-timeout 1s
	// settle is how long after its last request a row's goroutines and
	// descriptors are counted: what outlives a request by more than a
	// second is a leak.
	settle = 2 * time.Second
)

type hostileResult struct {
	Shape      string        `json:"shape"`
	Bytes      int           `json:"bytes"`
	Status     int           `json:"status"`
	Code       string        `json:"code"`
	CPU        time.Duration `json:"cpu_ns"`
	RSSAbove   int64         `json:"rss_above_idle_bytes"`
	IdleRSS    int64         `json:"idle_rss_bytes"`
	Wall       time.Duration `json:"longest_request_ns"`
	Timeout    string        `json:"request_timeout,omitempty"` // the facade's -request-timeout, when not the default
	Goroutines int           `json:"goroutines_left"`
	LeftStacks []string      `json:"stacks_left,omitempty"` // what the goroutines left were doing
	FDs        int           `json:"fds_left"`
	Requests   int           `json:"requests"`
	Ended      bool          `json:"every_request_ended"`
	WithinCPU  bool          `json:"within_cpu_target"`
	WithinRSS  bool          `json:"within_rss_target"`
	WithinWall bool          `json:"within_wall_target"`
	RequestsOK bool          `json:"answered_or_refused_with_a_code"`
}

// hostileRow is one measurement: a request, the facade's flags, the
// simulator's, and how the caller reads the answer.
type hostileRow struct {
	name       string
	req        hostile.Request
	facadeArgs []string
	simArgs    []string
	disconnect bool // the caller reads the first part and goes
}

func hostileRows() []hostileRow {
	var rows []hostileRow
	for _, shape := range hostile.Shapes {
		rows = append(rows, hostileRow{name: shape.Name, req: shape.Build(hostile.BodyBudget - 32)}) // room for the comment
	}
	deferred := `{ space(id: "acme-handbook") { title ... @defer { organization { title } } } }`
	hang := []string{"-hang", "getOrganizationById"}
	second := []string{"-request-timeout", "1s"}
	return append(rows,
		hostileRow{name: "a deferred call that hangs, in parts", req: hostile.Request{Query: deferred, Header: map[string]string{"Accept": hostile.MultipartAccept}},
			facadeArgs: second, simArgs: hang},
		hostileRow{name: "a deferred call that hangs, whole", req: hostile.Request{Query: deferred}, facadeArgs: second, simArgs: hang},
		hostileRow{name: "a caller gone in the middle of @defer's parts", req: hostile.Request{Query: deferred, Header: map[string]string{"Accept": hostile.MultipartAccept}},
			simArgs: hang, disconnect: true},
	)
}

func runHostile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench hostile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	requests := fs.Int("requests", 10, "requests of each shape")
	outDir := fs.String("out", "bench/results", "where hostile.md and hostile.json are written")
	facadeBin := fs.String("facade", "", "facade binary to measure (another commit's, say); empty builds the tree's")
	simBin := fs.String("sim", "", "gitbook-sim binary; empty builds the tree's")
	only := fs.String("only", "", "measure only the rows whose name holds this text")
	if err := fs.Parse(args); err != nil {
		return err
	}
	workDir, err := os.MkdirTemp("", "facade-hostile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workDir)
	if *facadeBin == "" || *simBin == "" {
		if *facadeBin, *simBin, err = buildBinaries(ctx, workDir); err != nil {
			return err
		}
	}
	var results []hostileResult
	for _, row := range hostileRows() {
		if !strings.Contains(row.name, *only) {
			continue
		}
		r, err := measureHostile(ctx, row, *facadeBin, *simBin, workDir, *requests)
		if err != nil {
			return fmt.Errorf("%s: %w", row.name, err)
		}
		results = append(results, r)
		fmt.Fprintf(stderr, "%-60s %7.1f ms CPU  %6.1f MiB  %6.0f ms  %+d goroutines %+d fds  %s\n",
			row.name, ms(r.CPU), mib(r.RSSAbove), ms(r.Wall), r.Goroutines, r.FDs, r.Code)
	}
	if err := writeHostile(*outDir, results); err != nil {
		return err
	}
	if *only != "" {
		return nil
	}
	sim, simAddr, err := startSim(*simBin, workDir, 0)
	if err != nil {
		return err
	}
	defer sim.stop()
	e := &env{facadeBin: *facadeBin, simBin: *simBin, workDir: workDir, simURL: "http://" + simAddr + "/v1"}
	return measureSlowBodies(ctx, e, *outDir, stderr)
}

// measureHostile measures one row on a facade of its own (Go keeps the
// memory it grew into, so a shared one would charge each row for the ones
// before it) over a simulator of its own.
func measureHostile(ctx context.Context, row hostileRow, facadeBin, simBin, workDir string, requests int) (hostileResult, error) {
	sim, simAddr, err := startSimWith(simBin, workDir, row.simArgs...)
	if err != nil {
		return hostileResult{}, err
	}
	defer sim.stop()
	debugPort, err := replicas.FreePort()
	if err != nil {
		return hostileResult{}, err
	}
	debugAddr := "127.0.0.1:" + strconv.Itoa(debugPort)
	e := &env{facadeBin: facadeBin, simBin: simBin, workDir: workDir, simURL: "http://" + simAddr + "/v1",
		facadeArgs: append([]string{"-debug-addr", debugAddr}, row.facadeArgs...)}
	facade, url, err := startServer(ctx, e, serverFacade)
	if err != nil {
		return hostileResult{}, err
	}
	defer facade.stop()
	pid := facade.cmd.Process.Pid
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	// Idle, once the upstream connections a request may use are open: the
	// pool is the process's, not the request's.
	warm := hostile.Request{Query: `{ spaces(ids: ["acme-developer-portal", "acme-handbook", "oss-governance", "northwind-runbooks"]) { id integrationBlocks { name } } }`}
	if _, err := hostile.Send(ctx, client, url, "Bearer "+gitbooksim.DemoToken, "", warm); err != nil {
		return hostileResult{}, fmt.Errorf("warming up: %w", err)
	}
	// Counted with no connection of this client's open: what a request
	// holds after it ends, not the keep-alive connection it came on.
	client.CloseIdleConnections()
	time.Sleep(settle)
	r := hostileResult{Shape: row.name, Requests: requests, Ended: true, RequestsOK: true}
	if len(row.facadeArgs) > 0 {
		r.Timeout = strings.Join(row.facadeArgs, " ")
	}
	r.IdleRSS, _ = treeRSS([]int{pid})
	// Descriptors first: the scrape of the goroutines opens a connection
	// of its own, which the facade closes a moment after it answers.
	idleFDs, idleUpstream := openFiles(pid), simConnections(simAddr)
	idleGoroutines := goroutineStacks(debugAddr)
	cpuBefore := treeCPU(pid)
	stopRSS := sampleRSS(pid)
	for i := range requests {
		start := time.Now()
		a, body, err := sendHostile(ctx, client, url, strconv.Itoa(i), row)
		r.Wall = max(r.Wall, time.Since(start))
		r.Bytes = body
		switch {
		case err != nil && ctx.Err() == nil && isTimeout(err):
			r.Ended, r.RequestsOK = false, false
		case err != nil:
			return r, err
		case !row.disconnect:
			r.Status = a.Status
			if a.Status >= 500 {
				r.RequestsOK = false
			}
			if len(a.Codes) > 0 {
				r.Code = a.Codes[0]
				if r.Code == "" || r.Code == "INTERNAL_SERVER_ERROR" {
					r.RequestsOK = false
				}
			}
		}
	}
	peak := stopRSS()
	r.CPU = (treeCPU(pid) - cpuBefore) / time.Duration(requests)
	client.CloseIdleConnections()
	time.Sleep(settle)
	// Upstream connections opened or closed since idle are the pool's,
	// which keeps them for every request (and closes them idle after 90
	// s): each is a descriptor, and two goroutines left out of the count.
	fds, upstream := openFiles(pid), simConnections(simAddr)
	r.FDs = fds - idleFDs - (upstream - idleUpstream)
	r.Goroutines, r.LeftStacks = goroutinesLeft(idleGoroutines, goroutineStacks(debugAddr))
	r.RSSAbove = max(peak-r.IdleRSS, 0)
	r.WithinCPU, r.WithinRSS = r.CPU <= hostileMaxCPU, r.RSSAbove <= hostileMaxRSS
	r.WithinWall = r.Timeout == "" || r.Wall <= hostileMaxWall
	return r, nil
}

// sendHostile sends one request of the row and reads its answer, or, for
// a caller that goes away, its first bytes; it says how large the request
// was.
func sendHostile(ctx context.Context, client *http.Client, url, prefix string, row hostileRow) (hostile.Answer, int, error) {
	size := len(row.req.Query) + len(row.req.OperationName)
	if !row.disconnect {
		a, err := hostile.Send(ctx, client, url, "Bearer "+gitbooksim.DemoToken, prefix, row.req)
		return a, size, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	body, _ := json.Marshal(map[string]any{"query": "#" + prefix + "\n" + row.req.Query})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		return hostile.Answer{}, size, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+gitbooksim.DemoToken)
	for k, v := range row.req.Header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return hostile.Answer{}, size, err
	}
	defer resp.Body.Close()
	_, err = bufio.NewReader(resp.Body).ReadString('}') // the first part, then away
	return hostile.Answer{Status: resp.StatusCode}, size, err
}

// isTimeout says whether a request was given up by the client's timeout:
// the facade did not end it.
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
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
	fmt.Fprintf(&b, "# Hostile requests\n\n%s, %s; %d requests of each shape, each a new document unless the shape sends the same one; the facade as a process of its own at its default limits (but where a row says otherwise), over the demo data. Written by `go run ./bench hostile`.\n\n",
		time.Now().UTC().Format(time.RFC3339), describe(readMachine()), results[0].Requests)
	b.WriteString("CPU is per request; peak RSS is above the process idle; the longest request is wall time; goroutines and file descriptors are those held 2 s after the last request, against idle.\n\n")
	b.WriteString("| shape | request bytes | status | code | CPU ms/request | peak RSS above idle MiB | longest request ms | goroutines left | fds left |\n|---|--:|--:|---|--:|--:|--:|--:|--:|\n")
	var worst hostileResult
	missed := []string{}
	for _, r := range results {
		code := r.Code
		if code == "" {
			code = "(answered)"
		}
		name := r.Shape
		if r.Timeout != "" {
			name += " (" + r.Timeout + ")"
		}
		if !r.Ended {
			code += ", did not end"
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %.1f | %.1f | %.0f | %d | %d |\n", name, r.Bytes, r.Status, code, ms(r.CPU), mib(r.RSSAbove), ms(r.Wall), r.Goroutines, r.FDs)
		worst.CPU, worst.RSSAbove = max(worst.CPU, r.CPU), max(worst.RSSAbove, r.RSSAbove)
		worst.Goroutines, worst.FDs = max(worst.Goroutines, r.Goroutines), max(worst.FDs, r.FDs)
		if r.Timeout != "" {
			worst.Wall = max(worst.Wall, r.Wall)
		}
		if !r.WithinCPU || !r.WithinRSS || !r.WithinWall || !r.Ended || !r.RequestsOK || r.Goroutines > 0 || r.FDs > 0 {
			missed = append(missed, r.Shape)
		}
	}
	fmt.Fprintf(&b, "\nWorst: %.1f ms of CPU (target ≤ %.0f), %.1f MiB above idle (target ≤ %.0f), %.0f ms for a request under `-request-timeout 1s` (target ≤ %.0f), %d goroutines and %d file descriptors left (target 0).\n",
		ms(worst.CPU), ms(hostileMaxCPU), mib(worst.RSSAbove), mib(hostileMaxRSS), ms(worst.Wall), ms(hostileMaxWall), worst.Goroutines, worst.FDs)
	if len(missed) > 0 {
		fmt.Fprintf(&b, "\nRows past a target, unanswered, or that left something behind: %s.\n", strings.Join(missed, "; "))
	}
	if err := os.WriteFile(filepath.Join(dir, "hostile.md"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	data, _ := json.MarshalIndent(results, "", "  ")
	return os.WriteFile(filepath.Join(dir, "hostile.json"), append(data, '\n'), 0o644)
}

// simConnections is how many connections are open to the simulator at
// addr, the asking one aside.
func simConnections(addr string) int {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + addr + "/_sim/counts")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var counts struct{ Connections int }
	_ = json.NewDecoder(resp.Body).Decode(&counts)
	return counts.Connections
}

// goroutineStacks counts the facade's goroutines by what they run (their
// stack's functions), from its profile at debugAddr (-debug-addr).
func goroutineStacks(debugAddr string) map[string]int {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + debugAddr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	stacks := map[string]int{}
	var n int
	var frames []string
	flush := func() {
		if n > 0 {
			stacks[strings.Join(frames, " < ")] += n
		}
		n, frames = 0, nil
	}
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for lines.Scan() {
		line := lines.Text()
		switch {
		case strings.Contains(line, " @ 0x"):
			flush()
			n, _ = strconv.Atoi(strings.Fields(line)[0])
		case strings.HasPrefix(line, "#\t"):
			if f := strings.Fields(line); len(f) >= 3 {
				frames = append(frames, f[2][:strings.LastIndexByte(f[2], '+')])
			}
		}
	}
	flush()
	return stacks
}

// goroutinesLeft is how many goroutines there are in after that idle had
// not, but for the upstream connection pool's (a connection's read and
// write loops), and the first frames of what they run.
func goroutinesLeft(idle, after map[string]int) (int, []string) {
	left, stacks := 0, []string(nil)
	for stack, n := range after {
		// A stack the profile shows no function of is the runtime's own.
		if stack == "" || strings.Contains(stack, "persistConn).readLoop") || strings.Contains(stack, "persistConn).writeLoop") ||
			strings.Contains(stack, "pprof") || strings.Contains(stack, "serveDebug") ||
			// The connection the profile is asked on: net/http starts its
			// background read while the handler runs, or not yet.
			strings.Contains(stack, "connReader).backgroundRead") {
			continue
		}
		if more := n - idle[stack]; more > 0 {
			left += more
			first := strings.Split(stack, " < ")
			stacks = append(stacks, fmt.Sprintf("%d × %s", more, strings.Join(first[:min(len(first), 12)], " < ")))
		}
	}
	return left, stacks
}
