package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is a server the benchmark started, in a process group of its
// own so that it stops with all its children (Mesh forks workers).
type process struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
}

// start runs a command with its output in logDir/name.log.
func start(name, logDir string, env []string, args ...string) (*process, error) {
	logFile, err := os.Create(filepath.Join(logDir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &process{name: name, cmd: cmd, log: logFile}, nil
}

// stop ends the process group: politely, then not.
func (p *process) stop() {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
	}
	p.log.Close()
}

// startSim starts the simulated upstream and returns it with its address,
// which it prints once it listens.
func startSim(bin, logDir string, latency time.Duration) (*process, string, error) {
	return startSimWith(bin, logDir, "-latency", latency.String(),
		"-spaces", strconv.Itoa(simSpaces), "-bench-users", strconv.Itoa(simUsers), "-count-only")
}

// startSimWith starts the simulated upstream with flags of its own (none:
// the demo data).
func startSimWith(bin, logDir string, flags ...string) (*process, string, error) {
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, flags...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	logFile, err := os.Create(filepath.Join(logDir, "sim.log"))
	if err != nil {
		return nil, "", err
	}
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	p := &process{name: "sim", cmd: cmd, log: logFile}
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		p.stop()
		return nil, "", fmt.Errorf("sim did not say where it listens: %q %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return p, addr, nil
}

// awaitGraphQL waits until url answers a GraphQL request.
func awaitGraphQL(ctx context.Context, url string, p *process) error {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte("__typename")) {
				return nil
			}
		}
		if p.cmd.ProcessState != nil {
			return fmt.Errorf("%s exited; see its log", p.name)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer at %s: %w", p.name, url, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// usage is what a process tree used: CPU time, and the largest resident
// set seen.
type usage struct {
	CPU     time.Duration
	PeakRSS int64 // bytes
}

// clockTick is USER_HZ, which Linux fixes at 100 for /proc/<pid>/stat.
const clockTick = 100

// treeCPU is the CPU time used so far by pid and its descendants.
func treeCPU(pid int) time.Duration {
	var total time.Duration
	for _, p := range tree(pid) {
		if f := statFields(p); len(f) > 14 {
			user, _ := strconv.ParseInt(f[13], 10, 64)
			sys, _ := strconv.ParseInt(f[14], 10, 64)
			total += time.Duration(user+sys) * time.Second / clockTick
		}
	}
	return total
}

// treeRSS is the resident set of pids now, and the largest the first
// alone ever had (VmHWM).
func treeRSS(pids []int) (now, rootPeak int64) {
	for _, p := range pids {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p))
		if err != nil {
			continue
		}
		now += statusKB(status, "VmRSS:") * 1024
		if p == pids[0] {
			rootPeak = statusKB(status, "VmHWM:") * 1024
		}
	}
	return now, rootPeak
}

// sampleRSS records the tree's largest resident set every 10ms until
// stopped; a single process's own high-water mark counts too, so a peak
// between samples is not missed. The tree is read once: a server's
// processes are all started by the time it answers, and walking all of
// /proc every 10ms would take CPU from the server being measured.
func sampleRSS(pid int) (stop func() int64) {
	pids := tree(pid)
	var (
		mu   sync.Mutex
		peak int64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	record := func() {
		now, hwm := treeRSS(pids)
		mu.Lock()
		peak = max(peak, now, hwm)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				record()
			}
		}
	}()
	return func() int64 {
		close(done)
		wg.Wait()
		record()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// tree is pid and its descendants.
func tree(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := statFields(p); len(f) > 3 {
			ppid, _ := strconv.Atoi(f[3])
			children[ppid] = append(children[ppid], p)
		}
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// statFields splits /proc/<pid>/stat; the command name, in parentheses,
// may hold spaces, so fields are counted from its closing parenthesis.
func statFields(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return append([]string{strconv.Itoa(pid), "comm"}, strings.Fields(string(b[i+1:]))...)
}

func statusKB(status []byte, key string) int64 {
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// buildBinaries builds the facade and the simulated upstream from the tree
// into workDir, with flags passed to go build; it returns their paths.
func buildBinaries(ctx context.Context, workDir string, flags ...string) (facade, sim string, err error) {
	facade, sim = filepath.Join(workDir, "facade"), filepath.Join(workDir, "gitbook-sim")
	for bin, pkg := range map[string]string{facade: ".", sim: "./cmd/gitbook-sim"} {
		args := append(append([]string{"build"}, flags...), "-o", bin, pkg)
		if out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
		}
	}
	return facade, sim, nil
}
