package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gitbook-graphql/facade/replicas"
)

// env is where the runner finds what it starts.
type env struct {
	facadeBin string // the facade, built
	beforeBin string // another build of the facade, measured as serverBefore; empty for none
	simBin    string // cmd/gitbook-sim, built
	peersDir  string // bench/peers, with node_modules installed
	workDir   string // logs and generated configurations
	simURL    string // the simulated upstream's /v1, once started
	// facadeArgs are flags of the facade's besides those it is always
	// started with (a shorter -request-timeout, say).
	facadeArgs []string
	// supergraph is Mesh's composition for simURL.
	supergraph string
}

// startServer starts one GraphQL server over the simulated upstream and
// returns it with its /graphql URL, answering.
func startServer(ctx context.Context, e *env, name string) (*process, string, error) {
	port, err := replicas.FreePort()
	if err != nil {
		return nil, "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	var p *process
	switch name {
	case serverFacade, serverNaive, serverBefore:
		// Warnings only: the access log's line per request is not what is
		// measured, and the peers log none by default. Workload (b) needs
		// 93 calls, within the default limit of 200.
		bin := e.facadeBin
		if name == serverBefore {
			bin = e.beforeBin
		}
		args := append([]string{bin, "-addr", addr, "-upstream", e.simURL, "-log-level", "warn"}, e.facadeArgs...)
		if name == serverNaive {
			args = append(args, "-loaders=false", "-upstream-coalesce=false", "-max-upstream-calls", "10000")
		}
		p, err = start(name, e.workDir, nil, args...)
	case serverMesh:
		// Two workers, one per core, as the facade and Tailcall use both.
		p, err = start(name, e.workDir, []string{"NODE_ENV=production"},
			filepath.Join(e.peersDir, "node_modules", ".bin", "hive-gateway"), "supergraph", e.supergraph,
			"--host", "127.0.0.1", "--port", strconv.Itoa(port), "--fork", "2")
	case serverTailcall:
		var config string
		config, err = tailcallConfig(e, port)
		if err == nil {
			p, err = start(name, e.workDir, nil, tailcallBin(e), "start", config)
		}
	default:
		return nil, "", fmt.Errorf("no server %q", name)
	}
	if err != nil {
		return nil, "", err
	}
	url := "http://" + addr + "/graphql"
	if err := awaitGraphQL(ctx, url, p); err != nil {
		p.stop()
		return nil, "", err
	}
	return p, url, nil
}

func tailcallBin(e *env) string {
	return filepath.Join(e.peersDir, "node_modules", "@tailcallhq", "core-linux-x64-gnu", "bin", "tailcall")
}

// tailcallConfig writes peers/tailcall.graphql for this upstream and port.
func tailcallConfig(e *env, port int) (string, error) {
	tmpl, err := os.ReadFile(filepath.Join(e.peersDir, "tailcall.graphql"))
	if err != nil {
		return "", err
	}
	config := strings.NewReplacer("@SIM@", e.simURL, "@PORT@", strconv.Itoa(port)).Replace(string(tmpl))
	path := filepath.Join(e.workDir, "tailcall.graphql")
	return path, os.WriteFile(path, []byte(config), 0o644)
}

// composeMesh composes Mesh's supergraph for the current upstream.
func composeMesh(ctx context.Context, e *env) error {
	e.supergraph = filepath.Join(e.workDir, "supergraph.graphql")
	cmd := exec.CommandContext(ctx, filepath.Join(e.peersDir, "node_modules", ".bin", "mesh-compose"))
	cmd.Dir = e.peersDir
	cmd.Env = append(os.Environ(), "SIM_URL="+e.simURL, "SUPERGRAPH="+e.supergraph)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("mesh-compose: %w\n%s", err, out)
	}
	return nil
}

// peersInstalled says whether bench/peers/node_modules holds Mesh and
// Tailcall; without them the runner measures the facade alone.
func peersInstalled(e *env) bool {
	for _, p := range []string{
		filepath.Join(e.peersDir, "node_modules", ".bin", "hive-gateway"),
		filepath.Join(e.peersDir, "node_modules", ".bin", "mesh-compose"),
		tailcallBin(e),
	} {
		if _, err := os.Stat(p); err != nil {
			return false
		}
	}
	return true
}
