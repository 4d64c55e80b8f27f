package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gitbook-graphql/facade/replicas"
)

// pgoWorkloads are the workloads the profile is taken under: every shape
// of request the facade is measured with but (c), whose federation path is
// a small part of what a deployment serves.
var pgoWorkloads = []string{"a", "b", "d", "e", "f"}

// runPGO writes the profile Go's compiler optimizes the facade with
// (default.pgo, read by go build from the main package's directory): the
// facade's CPU profiles under pgoWorkloads, over the simulated upstream at
// 0 ms, merged by go tool pprof. The facade profiled is built without a
// profile, so that one profile does not shape the next.
func runPGO(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench pgo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "default.pgo", "where the merged profile is written")
	seconds := fs.Int("seconds", 5, "length of each workload's CPU profile")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *seconds < 1 {
		return fmt.Errorf("-seconds must be at least 1")
	}
	workDir, err := os.MkdirTemp("", "facade-pgo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workDir)
	facadeBin, simBin, err := buildBinaries(ctx, workDir, "-pgo=off")
	if err != nil {
		return err
	}
	sim, simAddr, err := startSim(simBin, workDir, 0)
	if err != nil {
		return err
	}
	defer sim.stop()
	ports := [2]int{}
	for i := range ports {
		if ports[i], err = replicas.FreePort(); err != nil {
			return err
		}
	}
	addr, debugAddr := "127.0.0.1:"+strconv.Itoa(ports[0]), "127.0.0.1:"+strconv.Itoa(ports[1])
	facade, err := start(serverFacade, workDir, nil, facadeBin, "-addr", addr, "-upstream", "http://"+simAddr+"/v1",
		"-log-level", "warn", "-debug-addr", debugAddr)
	if err != nil {
		return err
	}
	defer facade.stop()
	url := "http://" + addr + "/graphql"
	if err := awaitGraphQL(ctx, url, facade); err != nil {
		return err
	}

	byName := map[string]workload{}
	for _, w := range workloads() {
		byName[w.Name] = w
	}
	var profiles []string
	for _, name := range pgoWorkloads {
		w := byName[name]
		spec := loadSpec{URL: url, Concurrency: w.Concurrency, Requests: w.requests[serverFacade], Duration: time.Second}
		if _, err := loadFromAnotherProcess(ctx, spec); err != nil { // warm-up
			return err
		}
		path := filepath.Join(workDir, name+".prof")
		got := make(chan error, 1)
		go func() { got <- fetchProfile(ctx, debugAddr, *seconds, path) }()
		spec.Duration = time.Duration(*seconds+1) * time.Second // the load outlasts the profile
		if _, err := loadFromAnotherProcess(ctx, spec); err != nil {
			return err
		}
		if err := <-got; err != nil {
			return fmt.Errorf("profile of workload %s: %w", name, err)
		}
		fmt.Fprintf(stderr, "profiled workload (%s)\n", name)
		profiles = append(profiles, path)
	}
	merged, err := exec.CommandContext(ctx, "go", append([]string{"tool", "pprof", "-proto"}, profiles...)...).Output()
	if err != nil {
		return fmt.Errorf("merging the profiles: %w", err)
	}
	return os.WriteFile(*out, merged, 0o644)
}

// fetchProfile saves the facade's CPU profile of the next seconds to path.
func fetchProfile(ctx context.Context, debugAddr string, seconds int, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", debugAddr, seconds), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s", resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
