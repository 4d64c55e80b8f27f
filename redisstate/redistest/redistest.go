// Package redistest runs a real redis-server on a loopback port for tests,
// from the binary on PATH (Debian's redis-server package; .ci/run installs
// it). Without the binary the test is skipped, except under CI, where it
// fails: CI must not pass by not testing.
package redistest

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/rueidis"
)

// Server is one redis-server process that the test owns.
type Server struct {
	t    testing.TB
	Port int
	Args []string // besides the port: no persistence, loopback only
	// CAFile, for a server of StartTLS, is the PEM of the CA its
	// certificate is from.
	CAFile  string
	tls     *tls.Config
	tlsArgs func(port int) []string
	cmd     *exec.Cmd
}

// Start starts a redis-server, stopped when the test ends. args are added
// to its command line (such as "--requirepass", "secret").
func Start(t testing.TB, args ...string) *Server {
	t.Helper()
	return (&Server{}).start(t, args)
}

func (s *Server) start(t testing.TB, args []string) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server is not installed; .ci/run installs Debian's redis-server package")
		}
		t.Skip("redis-server is not installed (apt-get install redis-server)")
	}
	s.t, s.Port, s.Args = t, freePort(t), args
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// URL is the URL of database db: redis://, or rediss:// for StartTLS's.
func (s *Server) URL(db int) string {
	scheme := "redis"
	if s.tls != nil {
		scheme = "rediss"
	}
	return fmt.Sprintf("%s://%s/%d", scheme, s.Addr(), db)
}

// Stop kills the server (SIGKILL: as a crash would), and waits for it.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart starts the server again on the same port, empty, and waits
// until it answers.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	args := []string{"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", s.t.TempDir()}
	if s.tlsArgs != nil {
		args = append(args, s.tlsArgs(s.Port)...) // later options win: TLS only
	}
	args = append(args, s.Args...)
	s.cmd = exec.Command("redis-server", args...)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if s.ping() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatal("redis-server did not answer in 10s")
}

// Pause stops the server's process without closing its connections, as a
// Redis too slow to answer; Resume lets it go on.
func (s *Server) Pause()  { _ = s.cmd.Process.Signal(syscall.SIGSTOP) }
func (s *Server) Resume() { _ = s.cmd.Process.Signal(syscall.SIGCONT) }

// password is what --requirepass in Args set, if it did.
func (s *Server) password() string {
	for i, a := range s.Args {
		if a == "--requirepass" && i+1 < len(s.Args) {
			return s.Args[i+1]
		}
	}
	return ""
}

func (s *Server) ping() bool {
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{s.Addr()}, Password: s.password(), TLSConfig: s.tls, ForceSingleClient: true, DisableCache: true})
	if err != nil {
		return false
	}
	defer c.Close()
	return c.Do(context.Background(), c.B().Ping().Build()).Error() == nil
}

// Client is a plain client of database db, for tests that look at what
// Redis holds; closed when the test ends.
func (s *Server) Client(db int) rueidis.Client {
	s.t.Helper()
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{s.Addr()}, Password: s.password(), TLSConfig: s.tls, SelectDB: db, ForceSingleClient: true, DisableCache: true})
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(c.Close)
	return c
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
