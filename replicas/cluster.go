// Package replicas runs the facade as a deployment runs it, on loopback:
// replica processes of the facade's binary, and HAProxy in front of them
// with deploy/haproxy.cfg, the configuration the README shows. The replica
// tests and the replica benchmark are built on it.
package replicas

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Build compiles the facade in moduleRoot into dir, and returns its path.
func Build(moduleRoot, dir string) (string, error) {
	bin := filepath.Join(dir, "facade")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = moduleRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// Replica is one facade process on a loopback port.
type Replica struct {
	Addr string   // host:port it listens on
	Args []string // its flags, -addr aside
	Log  io.Writer
	bin  string
	cmd  *exec.Cmd
	done chan error
}

// StartReplica starts the facade at bin on a free loopback port and waits
// until /readyz says it is ready.
func StartReplica(bin string, args []string, log io.Writer) (*Replica, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	r := &Replica{Addr: fmt.Sprintf("127.0.0.1:%d", port), Args: args, Log: log, bin: bin}
	return r, r.Start()
}

// Start starts the process again on the same address, and waits until it
// is ready.
func (r *Replica) Start() error {
	r.cmd = exec.Command(r.bin, append([]string{"-addr", r.Addr}, r.Args...)...)
	r.cmd.Stdout, r.cmd.Stderr = r.Log, r.Log
	r.cmd.Env = append(os.Environ(), "GITBOOK_TOKEN=") // callers bring their own
	if err := r.cmd.Start(); err != nil {
		return err
	}
	r.done = make(chan error, 1)
	go func(cmd *exec.Cmd, done chan error) { done <- cmd.Wait() }(r.cmd, r.done)
	return WaitReady("http://"+r.Addr+"/readyz", 15*time.Second, r.done)
}

// Stop sends SIGTERM and waits for the process to exit.
func (r *Replica) Stop() error {
	if r.cmd == nil {
		return nil
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-r.done:
		r.cmd = nil
		return err
	case <-time.After(30 * time.Second):
		_ = r.cmd.Process.Kill()
		r.cmd = nil
		return errors.New("replica did not exit 30s after SIGTERM")
	}
}

// Kill ends the process at once, as a crash would.
func (r *Replica) Kill() {
	if r.cmd != nil {
		_ = r.cmd.Process.Kill()
		<-r.done
		r.cmd = nil
	}
}

// URL is the replica's GraphQL endpoint.
func (r *Replica) URL() string { return "http://" + r.Addr + "/graphql" }

// HAProxy is an haproxy process over the replicas.
type HAProxy struct {
	Listen, Stats string // host:port of the frontend, and of its stats page
	cmd           *exec.Cmd
	done          chan error
}

// StartHAProxy runs haproxy with config (deploy/haproxy.cfg) in front of
// three replicas, and waits until it sees them all up.
func StartHAProxy(config string, replicas []*Replica, log io.Writer) (*HAProxy, error) {
	if len(replicas) != 3 {
		return nil, fmt.Errorf("the configuration names 3 replicas, not %d", len(replicas))
	}
	ports := make([]int, 2)
	for i := range ports {
		p, err := FreePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	h := &HAProxy{Listen: fmt.Sprintf("127.0.0.1:%d", ports[0]), Stats: fmt.Sprintf("127.0.0.1:%d", ports[1])}
	h.cmd = exec.Command("haproxy", "-db", "-f", config)
	h.cmd.Env = append(os.Environ(), "FACADE_LISTEN="+h.Listen, "HAPROXY_STATS="+h.Stats)
	for i, r := range replicas {
		h.cmd.Env = append(h.cmd.Env, fmt.Sprintf("FACADE_REPLICA_%d=%s", i+1, r.Addr))
	}
	h.cmd.Stdout, h.cmd.Stderr = log, log
	if err := h.cmd.Start(); err != nil {
		return nil, err
	}
	h.done = make(chan error, 1)
	go func() { h.done <- h.cmd.Wait() }()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if up, err := h.Up(); err == nil && up == len(replicas) {
			return h, nil
		}
		select {
		case err := <-h.done:
			return nil, fmt.Errorf("haproxy exited: %v", err)
		default:
		}
	}
	h.Stop()
	return nil, errors.New("haproxy did not see the replicas up in 15s")
}

// URL is the GraphQL endpoint through HAProxy.
func (h *HAProxy) URL() string { return "http://" + h.Listen + "/graphql" }

// stats are the rows of HAProxy's stats CSV for the facade backend: its
// fields are pxname, svname, ..., wretr (15), wredis (16), status (17).
func (h *HAProxy) stats() ([][]string, error) {
	resp, err := http.Get("http://" + h.Stats + "/stats;csv")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for _, line := range strings.Split(string(body), "\n") {
		if f := strings.Split(line, ","); len(f) > 17 && f[0] == "facade" {
			rows = append(rows, f)
		}
	}
	return rows, nil
}

// Up counts the replicas HAProxy's health checks see up.
func (h *HAProxy) Up() (int, error) {
	rows, err := h.stats()
	up := 0
	for _, f := range rows {
		if strings.HasPrefix(f[1], "replica") && f[17] == "UP" {
			up++
		}
	}
	return up, err
}

// Retries counts the requests HAProxy had to send again (wretr) or to
// another replica (wredis): what a replica that stopped badly costs.
func (h *HAProxy) Retries() (int, error) {
	rows, err := h.stats()
	n := 0
	for _, f := range rows {
		if f[1] == "BACKEND" {
			retries, _ := strconv.Atoi(f[15])
			redispatches, _ := strconv.Atoi(f[16])
			n += retries + redispatches
		}
	}
	return n, err
}

// WaitUp waits until HAProxy sees n replicas up.
func (h *HAProxy) WaitUp(n int, within time.Duration) error {
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if up, err := h.Up(); err == nil && up == n {
			return nil
		}
	}
	up, err := h.Up()
	return fmt.Errorf("haproxy sees %d replicas up (%v), not %d, after %v", up, err, n, within)
}

// Stop ends haproxy.
func (h *HAProxy) Stop() {
	if h.cmd != nil {
		_ = h.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-h.done:
		case <-time.After(5 * time.Second):
			_ = h.cmd.Process.Kill()
			<-h.done
		}
		h.cmd = nil
	}
}

// WaitReady polls url until it answers 200, the process ends (done), or
// within passes.
func WaitReady(url string, within time.Duration, done <-chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-done:
			return fmt.Errorf("exited before it was ready: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %v", url, within)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// FreePort is a loopback port free now.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
