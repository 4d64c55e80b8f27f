package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

// The slow-bodies measurement, part of go run ./bench hostile (or alone:
// go run ./bench slowbodies): 1,000 connections each send the headers of a
// 1 MiB body and half of it, then wait, as a slow or hostile client does.
// It records the facade's resident set idle and at its peak, how the 1,000
// were answered, whether a well-behaved request sent while they are held
// is answered, and the goroutines and descriptors left once they close.

const (
	slowConnections = 1000
	slowBodyBytes   = 1 << 20
	slowSentBytes   = slowBodyBytes / 2
	// slowHold is how long the halves are held before the well-behaved
	// request: well within the facade's 30 s read timeout.
	slowHold = 3 * time.Second
	// slowMaxRSS is the target: the peak within 256 MiB of idle.
	slowMaxRSS = 256 << 20
)

type slowBodiesResult struct {
	Connections     int     `json:"connections"`
	BodyBytes       int     `json:"body_bytes"`
	SentBytes       int     `json:"sent_bytes"`
	IdleRSS         int64   `json:"idle_rss_bytes"`
	PeakRSS         int64   `json:"peak_rss_bytes"`
	WithinRSS       bool    `json:"within_rss_target"`
	Overloaded      int     `json:"answered_overloaded"`
	AnsweredOther   int     `json:"answered_otherwise"`
	Unanswered      int     `json:"unanswered_until_closed"`
	NotConnected    int     `json:"not_connected"`
	SmallStatus     int     `json:"small_request_status"`
	SmallAnswered   bool    `json:"small_request_answered"`
	SmallMS         float64 `json:"small_request_ms"`
	GoroutinesIdle  int     `json:"goroutines_idle"`
	GoroutinesAfter int     `json:"goroutines_after_close"`
	FDsIdle         int     `json:"fds_idle"`
	FDsAfter        int     `json:"fds_after_close"`
}

// runSlowBodies is go run ./bench slowbodies: the measurement alone,
// against the tree built or against binaries given (another commit's).
func runSlowBodies(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench slowbodies", flag.ContinueOnError)
	fs.SetOutput(stderr)
	facadeBin := fs.String("facade", "", "facade binary to measure; empty builds the tree's")
	simBin := fs.String("sim", "", "gitbook-sim binary; empty builds the tree's")
	outDir := fs.String("out", "bench/results", "where slowbodies.md and slowbodies.json are written")
	if err := fs.Parse(args); err != nil {
		return err
	}
	workDir, err := os.MkdirTemp("", "facade-slowbodies-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workDir)
	if *facadeBin == "" || *simBin == "" {
		if *facadeBin, *simBin, err = buildBinaries(ctx, workDir); err != nil {
			return err
		}
	}
	sim, simAddr, err := startSim(*simBin, workDir, 0)
	if err != nil {
		return err
	}
	defer sim.stop()
	e := &env{facadeBin: *facadeBin, simBin: *simBin, workDir: workDir, simURL: "http://" + simAddr + "/v1"}
	return measureSlowBodies(ctx, e, *outDir, stderr)
}

// measureSlowBodies runs the measurement against a fresh facade over e's
// simulated upstream and writes slowbodies.{md,json} into outDir.
func measureSlowBodies(ctx context.Context, e *env, outDir string, stderr io.Writer) error {
	raiseFileLimit(2*slowConnections + 100)
	facade, url, err := startServer(ctx, e, serverFacade)
	if err != nil {
		return err
	}
	defer facade.stop()
	pid := facade.cmd.Process.Pid
	// One request first, so that idle includes its upstream connections.
	if _, ok, _ := wellBehaved(ctx, url); !ok {
		return fmt.Errorf("slow bodies: the facade does not answer workload (a)")
	}
	r := slowBodiesResult{Connections: slowConnections, BodyBytes: slowBodyBytes, SentBytes: slowSentBytes}
	r.IdleRSS, _ = treeRSS([]int{pid})
	r.GoroutinesIdle, r.FDsIdle = goroutines(url), openFiles(pid)
	stopRSS := sampleRSS(pid)

	conns := make([]*slowConn, slowConnections)
	var sent sync.WaitGroup
	for i := range conns {
		conns[i] = openSlowBody(url, &sent)
	}
	sent.Wait()
	select {
	case <-ctx.Done():
	case <-time.After(slowHold):
	}
	r.SmallStatus, r.SmallAnswered, r.SmallMS = wellBehaved(ctx, url)
	peak := stopRSS()

	for _, c := range conns {
		if c.conn != nil {
			c.conn.Close()
		}
	}
	for _, c := range conns {
		switch a := c.await(); {
		case c.conn == nil:
			r.NotConnected++
		case a.status == http.StatusServiceUnavailable && a.code == "OVERLOADED":
			r.Overloaded++
		case a.status != 0:
			r.AnsweredOther++
		default:
			r.Unanswered++
		}
	}
	r.PeakRSS = peak
	r.WithinRSS = peak-r.IdleRSS <= slowMaxRSS
	// What the connections held goes once they close (a refused one is
	// closed by the facade half a second after its answer).
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.GoroutinesAfter, r.FDsAfter = goroutines(url), openFiles(pid)
		if r.FDsAfter <= r.FDsIdle && r.GoroutinesAfter <= r.GoroutinesIdle || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Fprintf(stderr, "%d connections holding half of a 1 MiB body: RSS %.1f MiB idle, %.1f MiB peak (+%.1f); %d OVERLOADED, %d answered otherwise, %d held; well-behaved request HTTP %d in %.0f ms; goroutines %d → %d, fds %d → %d\n",
		slowConnections, mib(r.IdleRSS), mib(r.PeakRSS), mib(r.PeakRSS-r.IdleRSS), r.Overloaded, r.AnsweredOther, r.Unanswered,
		r.SmallStatus, r.SmallMS, r.GoroutinesIdle, r.GoroutinesAfter, r.FDsIdle, r.FDsAfter)
	return writeSlowBodies(outDir, r)
}

// slowConn is one connection holding half a body, and what it was answered.
type slowConn struct {
	conn   net.Conn // nil: it could not connect
	answer chan slowAnswer
}

type slowAnswer struct {
	status int // 0: no answer before the connection closed
	code   string
}

func (c *slowConn) await() slowAnswer {
	if c.conn == nil {
		return slowAnswer{}
	}
	return <-c.answer
}

// openSlowBody connects, sends the headers and half the body, and reads
// the answer, if one comes, while it waits; sent is done once the half is
// written or cannot be.
func openSlowBody(url string, sent *sync.WaitGroup) *slowConn {
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/graphql")
	c := &slowConn{answer: make(chan slowAnswer, 1)}
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return c
	}
	c.conn = conn
	sent.Add(1)
	go func() {
		defer sent.Done()
		head := fmt.Sprintf("POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n",
			addr, gitbooksim.BenchToken(1), slowBodyBytes)
		_, _ = conn.Write(append([]byte(head), bytes.Repeat([]byte(" "), slowSentBytes)...))
	}()
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			c.answer <- slowAnswer{}
			return
		}
		var body struct {
			Errors []struct {
				Extensions struct{ Code string } `json:"extensions"`
			} `json:"errors"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		a := slowAnswer{status: resp.StatusCode}
		if len(body.Errors) > 0 {
			a.code = body.Errors[0].Extensions.Code
		}
		c.answer <- a
	}()
	return c
}

// wellBehaved sends workload (a)'s request, about 200 bytes, and says
// whether it was answered in full.
func wellBehaved(ctx context.Context, url string) (status int, answered bool, ms float64) {
	r := oneSpaceOf(gitbooksim.BenchToken(0), spaceID(0))[serverFacade]
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(r.Body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.Token)
	start := time.Now()
	resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	if err != nil {
		return 0, false, 0
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	ms = float64(time.Since(start).Microseconds()) / 1000
	return resp.StatusCode, resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte(`"owner"`)) && !bytes.Contains(body, []byte(`"errors"`)), ms
}

// goroutines is the facade's go_goroutines, from /metrics; -1 if unread.
func goroutines(graphqlURL string) int {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(strings.TrimSuffix(graphqlURL, "/graphql") + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for line := range strings.SplitSeq(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, "go_goroutines "); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return int(n)
		}
	}
	return -1
}

// openFiles counts pid's file descriptors.
func openFiles(pid int) int {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return -1
	}
	return len(entries)
}

// raiseFileLimit lifts this process's descriptor limit to at least n, as
// far as the hard limit allows: each connection is one.
func raiseFileLimit(n uint64) {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) != nil || l.Cur >= n {
		return
	}
	l.Cur = min(max(n, l.Cur), l.Max)
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
}

func writeSlowBodies(dir string, r slowBodiesResult) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Slow bodies\n\n%s, %s; the facade as a process of its own at its default limits. Written by `go run ./bench hostile` (or `go run ./bench slowbodies`).\n\n",
		time.Now().UTC().Format(time.RFC3339), describe(readMachine()))
	fmt.Fprintf(&b, "%d connections each send the headers of a %d-byte body and %d bytes of it, then wait %s; a well-behaved request (workload (a), about 200 bytes) is sent meanwhile.\n\n",
		r.Connections, r.BodyBytes, r.SentBytes, slowHold)
	b.WriteString("| | |\n|---|--:|\n")
	fmt.Fprintf(&b, "| RSS idle, MiB | %.1f |\n| RSS peak, MiB | %.1f |\n| peak above idle, MiB (target ≤ %.0f) | %.1f |\n",
		mib(r.IdleRSS), mib(r.PeakRSS), mib(slowMaxRSS), mib(r.PeakRSS-r.IdleRSS))
	fmt.Fprintf(&b, "| answered 503 `OVERLOADED` | %d |\n| answered otherwise | %d |\n| held, unanswered until closed | %d |\n| could not connect | %d |\n",
		r.Overloaded, r.AnsweredOther, r.Unanswered, r.NotConnected)
	fmt.Fprintf(&b, "| well-behaved request: HTTP status, answered in full | %d, %t |\n| well-behaved request, ms | %.0f |\n",
		r.SmallStatus, r.SmallAnswered, r.SmallMS)
	fmt.Fprintf(&b, "| goroutines idle → after the connections close | %d → %d |\n| file descriptors idle → after | %d → %d |\n",
		r.GoroutinesIdle, r.GoroutinesAfter, r.FDsIdle, r.FDsAfter)
	if err := os.WriteFile(filepath.Join(dir, "slowbodies.md"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	data, _ := json.MarshalIndent(r, "", "  ")
	return os.WriteFile(filepath.Join(dir, "slowbodies.json"), append(data, '\n'), 0o644)
}
