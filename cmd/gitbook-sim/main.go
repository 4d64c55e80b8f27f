// Command gitbook-sim serves the simulated GitBook API (gitbooksim)
// on its own, for tests that run the facade as a separate process, such as
// the conformance suites in conformance/. Besides the API under /v1 it
// answers, for those tests only:
//
//	GET  /_sim/calls   the calls received since the last reset, as JSON
//	GET  /_sim/counts  their counts, in all and by operation
//	POST /_sim/reset   forget them
//
// It listens on loopback and prints "listening <addr>" once it does.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
	latency := flag.Duration("latency", 0, "latency added to every call")
	pageSize := flag.Int("max-page-size", 0, "largest page of any list; 0 for the spec's 1000")
	spaces := flag.Int("spaces", 0, "serve gitbooksim.ScaledData with this many spaces (space-00, ...) instead of the demo data")
	users := flag.Int("bench-users", 0, "with -spaces: extra callers, tokens gb_bench_0, gb_bench_1, ...")
	countOnly := flag.Bool("count-only", false, "keep call counts only, not each call (for load tests); /_sim/calls is then empty")
	drift := flag.Bool("drift", false, "answer as a GitBook newer than every spec the facade knows: enum values and properties no version lists (gitbooksim.Drift)")
	hang := flag.String("hang", "", "answer nothing to the calls of this operationId (getOrganizationById, say) until the caller gives up")
	parseFlags()
	opts := gitbooksim.Options{Latency: *latency, MaxPageSize: *pageSize, CountOnly: *countOnly}
	switch {
	case *drift:
		opts.Fault = gitbooksim.FailAlways("", gitbooksim.Drift())
	case *hang != "":
		opts.Fault = gitbooksim.FailAlways(*hang, gitbooksim.Fault{Hang: true})
	}
	if *spaces > 0 {
		opts.Data, _ = gitbooksim.ScaledData(*spaces, *users)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, opts, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gitbook-sim:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr string, opts gitbooksim.Options, stdout io.Writer) error {
	sim := gitbooksim.NewHandler(opts)
	defer sim.Close()
	mux := http.NewServeMux()
	mux.Handle("/v1/", sim)
	mux.HandleFunc("GET /_sim/calls", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"calls": sim.Calls(), "peakInFlight": sim.PeakInFlight()})
	})
	// The connections open to the simulator, its own answering this one
	// aside: what a caller holds of it, pooled or in use.
	var conns atomic.Int64
	mux.HandleFunc("GET /_sim/counts", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"total": sim.CallCount(""), "byOperation": sim.Counts(), "peakInFlight": sim.PeakInFlight(),
			"connections": conns.Load() - 1})
	})
	mux.HandleFunc("POST /_sim/reset", func(w http.ResponseWriter, _ *http.Request) {
		sim.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ConnState: func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			conns.Add(1)
		case http.StateClosed, http.StateHijacked:
			conns.Add(-1)
		}
	}}
	fmt.Fprintf(stdout, "listening %s\n", ln.Addr())
	go func() {
		<-ctx.Done()
		sim.Close()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// parseFlags parses the command line: a bad flag is one line on stderr, not
// the whole usage, which -h prints.
func parseFlags() {
	flag.CommandLine.Init("gitbook-sim", flag.ContinueOnError)
	flag.CommandLine.SetOutput(io.Discard)
	err := flag.CommandLine.Parse(os.Args[1:])
	switch {
	case errors.Is(err, flag.ErrHelp):
		flag.CommandLine.SetOutput(os.Stderr)
		fmt.Fprintln(os.Stderr, "Usage: gitbook-sim [flags]")
		flag.PrintDefaults()
		os.Exit(0)
	case err != nil:
		fmt.Fprintf(os.Stderr, "gitbook-sim: %v (run gitbook-sim -h for the flags)\n", err)
		os.Exit(2)
	}
}
