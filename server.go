// Command facade serves the GitBook REST API as one GraphQL graph.
//
//	facade -demo                      # over a simulated GitBook, no token needed
//	GITBOOK_TOKEN=... facade          # over api.gitbook.com
//
// Every flag has an environment variable; -h lists them with their defaults.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.opentelemetry.io/otel/trace"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/redisstate"
	"github.com/gitbook-graphql/facade/settings"
	"github.com/gitbook-graphql/facade/telemetry"
	"github.com/gitbook-graphql/facade/trusted"
	"github.com/gitbook-graphql/facade/upstream"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		var usage *settings.UsageError
		switch {
		case errors.Is(err, flag.ErrHelp):
		case errors.As(err, &usage):
			fmt.Fprintln(os.Stderr, "facade:", err)
			os.Exit(2) // as the flag package exits on a bad flag
		default:
			fmt.Fprintln(os.Stderr, "facade:", err)
			os.Exit(1)
		}
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	log, logHandler := newLogger(cfg, stdout)
	slog.SetDefault(log)
	tuneGC(getenv)
	if cfg.handler.Trusted.Path != "" {
		// A list that does not load is a bad command line: the server
		// would otherwise run everything, or nothing.
		store, err := trusted.Open(cfg.handler.Trusted.Path)
		if err != nil {
			return &settings.UsageError{Command: "facade", Err: fmt.Errorf("-trusted-documents: %w", err)}
		}
		cfg.handler.TrustedDocuments = store
		log.Info("trusted documents", "operations", store.List().Len(), "format", store.List().Format(),
			"mode", cfg.handler.Trusted.Mode, "introspection", cfg.handler.Trusted.Introspection)
		defer reloadOnHangup(cfg.handler.Trusted.Path, store, log)()
	}

	tracerProvider, stopTracing, err := telemetry.TracerProvider(ctx, getenv)
	if err != nil {
		return fmt.Errorf("tracing: %w", err)
	}
	defer func() { _ = stopTracing(context.Background()) }()

	defaultAuth := ""
	if token := getenv("GITBOOK_TOKEN"); token != "" {
		defaultAuth = "Bearer " + token
	}
	if cfg.demo {
		sim := gitbooksim.NewServer(gitbooksim.Options{MaxPageSize: gitbooksim.DemoMaxPageSize})
		defer sim.Close()
		cfg.upstreamURL = sim.URL
		if defaultAuth == "" {
			defaultAuth = "Bearer " + gitbooksim.DemoToken
		}
		log.Info("demo: serving over a simulated GitBook", "upstream", sim.URL)
	}
	handler, closeRedis, err := newHandler(cfg, defaultAuth, tracerProvider, log)
	if err != nil {
		return err
	}
	defer closeRedis()
	if cfg.debugAddr != "" {
		stopDebug, err := serveDebug(cfg.debugAddr, log)
		if err != nil {
			return fmt.Errorf("-debug-addr: %w", err)
		}
		defer stopDebug()
	}
	ln, err := net.Listen("tcp", listenAddr(cfg, defaultAuth != ""))
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String(), "upstream", cfg.upstreamURL, "demo", cfg.demo,
		"default_credential", defaultAuth != "")
	return serve(ctx, cfg, ln, handler, log, logHandler)
}

func newLogger(cfg config, stdout io.Writer) (*slog.Logger, slog.Handler) {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.logLevel)) // checked by parseConfig
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewJSONHandler(stdout, opts)
	if cfg.logFormat == "text" {
		h = slog.NewTextHandler(stdout, opts)
	}
	return slog.New(h), h
}

// reloadOnHangup reloads the list of trusted documents from path on each
// SIGHUP, until the returned stop is called. Requests in flight keep the
// list they began with; a file that does not load leaves the old list in
// force.
func reloadOnHangup(path string, store *trusted.Store, log *slog.Logger) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range hup {
			list, err := store.Reload(path)
			if err != nil {
				log.Error("trusted documents: kept the list in force, since the file does not load", "operations", store.List().Len(), "error", err.Error())
				continue
			}
			log.Info(fmt.Sprintf("trusted documents: reloaded %d operations", list.Len()), "operations", list.Len(), "format", list.Format())
		}
	}()
	return func() {
		signal.Stop(hup)
		close(hup)
		<-done
	}
}

// newHandler builds the upstream client and the HTTP handler over it, with
// the process's metrics, and the shared state in Redis when -redis-url is
// set; closeRedis closes its connections.
func newHandler(cfg config, defaultAuth string, tracerProvider trace.TracerProvider, log *slog.Logger) (_ *httpapi.Handler, closeRedis func(), _ error) {
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := telemetry.NewMetrics(registry)
	opts, h := cfg.client, cfg.handler
	closeRedis = func() {}
	if cfg.redis.URL != "" {
		r := cfg.redis
		r.Logger, r.Registerer = log, registry
		conn, err := redisstate.Open(r)
		if err != nil {
			return nil, nil, err
		}
		closeRedis = conn.Close
		opts.Holds = redisstate.NewHolds(conn)
		if opts.Sharing.CacheTTL > 0 {
			opts.Sharing.Store = redisstate.NewReadCache(conn, opts.Sharing.CacheTTL, opts.Sharing.CacheSize)
		}
		h.APQCache = redisstate.NewAPQ(conn, httpapi.NewAPQCache(h.APQCacheBytes, h.APQCacheSize), httpapi.MaxAPQBytes(h.APQCacheBytes))
		log.Info("sharing rate-limit holds, persisted queries and the read cache through Redis", "redis", redisstate.Redacted(r.URL), "connected", conn.Up())
	}
	opts.Transport = telemetry.Transport(upstream.PooledTransport(opts.MaxInFlight), tracerProvider)
	opts.Observer = telemetry.Observer(metrics)
	client, err := upstream.New(cfg.upstreamURL, opts)
	if err != nil {
		closeRedis()
		return nil, nil, err
	}
	telemetry.RegisterClient(registry, client)
	h.Client, h.DefaultAuthorization, h.AllowedHosts = client, defaultAuth, allowedHosts(cfg)
	h.Registry, h.Metrics, h.TracerProvider, h.Logger = registry, metrics, tracerProvider, log
	return httpapi.New(h), closeRedis, nil
}

// serve answers on ln until ctx ends; then it says unready first, so that
// balancers stop sending before it stops taking, and lets what it holds
// finish.
func serve(ctx context.Context, cfg config, ln net.Listener, handler *httpapi.Handler, log *slog.Logger, logHandler slog.Handler) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.handler.RequestTimeout + 5*time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logHandler, slog.LevelWarn),
		Protocols:         servedProtocols(),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	handler.Drain()
	log.Info("draining", "delay", cfg.drainDelay.String(), "grace", cfg.shutdownGrace.String())
	select {
	case <-time.After(cfg.drainDelay):
	case err := <-served:
		return err
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// servedProtocols are HTTP/1.1 and HTTP/2 over cleartext with prior
// knowledge (h2c, as curl --http2-prior-knowledge and gRPC-style clients
// speak it, and proxies in front of a service often do). A client that
// offers the upgrade instead (Upgrade: h2c, as curl --http2 sends) is
// answered over HTTP/1.1, as HTTP lets a server do. Over TLS, which a
// proxy in front terminates, HTTP/2 is the proxy's to speak.
func servedProtocols() *http.Protocols {
	p := new(http.Protocols)
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	return p
}
