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
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/loader"
	"github.com/gitbook-graphql/facade/telemetry"
	"github.com/gitbook-graphql/facade/upstream"
	"github.com/gitbook-graphql/facade/upstream/upstreamtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "facade:", err)
			os.Exit(1)
		}
	}
}

// config is what the flags and their environment variables set.
type config struct {
	addr            string
	upstreamURL     string
	demo            bool
	requestTimeout  time.Duration
	pageSize        int
	logFormat       string
	shutdownGrace   time.Duration
	attemptTimeout  time.Duration
	concurrency     int
	maxCalls        int
	maxDepth        int
	maxBodyBytes    int64
	introspection   bool
	corsOrigins     string
	apqCacheSize    int
	apqCacheBytes   int
	queryCacheBytes int
	document        httpapi.DocumentLimits
	maxErrors       int
	maxAuthBytes    int
	maxJSONDepth    int
	cursorSecret    string
	maxRespBytes    int
	allowedHosts    string
	addrSet         bool
	logLevel        string
	drainDelay      time.Duration
	debugAddr       string
	loaders         bool
	coalesce        bool
	cacheTTL        time.Duration
	cacheSize       int
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("facade", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := envDefaults{getenv: getenv}
	fs.StringVar(&c.addr, "addr", env.str("ADDR", ":8080"), "listen address; 127.0.0.1:8080 when not set and GITBOOK_TOKEN or -demo supplies a credential (ADDR)")
	fs.StringVar(&c.allowedHosts, "allowed-hosts", env.str("ALLOWED_HOSTS", ""), "comma-separated Host names at which the server's own credential (GITBOOK_TOKEN, -demo) serves callers who send none; * for any; empty: localhost, 127.0.0.1, ::1 and the host of -addr (ALLOWED_HOSTS)")
	fs.StringVar(&c.upstreamURL, "upstream", env.str("GITBOOK_API_URL", upstream.DefaultBaseURL), "GitBook API base URL (GITBOOK_API_URL)")
	fs.BoolVar(&c.demo, "demo", env.boolean("DEMO", false), "serve over an embedded simulated GitBook with demo data; ignores -upstream (DEMO)")
	fs.DurationVar(&c.requestTimeout, "request-timeout", env.duration("REQUEST_TIMEOUT", 15*time.Second), "deadline of a whole GraphQL request (REQUEST_TIMEOUT)")
	fs.IntVar(&c.pageSize, "upstream-page-size", env.integer("UPSTREAM_PAGE_SIZE", 100), "integrations asked per upstream page, 1 to 1000 (UPSTREAM_PAGE_SIZE)")
	fs.StringVar(&c.logFormat, "log-format", env.str("LOG_FORMAT", "json"), "log format: json or text (LOG_FORMAT)")
	fs.DurationVar(&c.shutdownGrace, "shutdown-grace", env.duration("SHUTDOWN_GRACE", 10*time.Second), "how long in-flight requests may finish after SIGTERM (SHUTDOWN_GRACE)")
	fs.DurationVar(&c.attemptTimeout, "upstream-attempt-timeout", env.duration("UPSTREAM_ATTEMPT_TIMEOUT", 5*time.Second), "deadline of one upstream attempt, retries aside (UPSTREAM_ATTEMPT_TIMEOUT)")
	fs.IntVar(&c.concurrency, "upstream-concurrency", env.integer("UPSTREAM_CONCURRENCY", 1024), "upstream calls in flight from the whole process; more wait their turn (UPSTREAM_CONCURRENCY)")
	fs.IntVar(&c.maxCalls, "max-upstream-calls", env.integer("MAX_UPSTREAM_CALLS", 200), "upstream calls one request may make; operations that may need more are refused (MAX_UPSTREAM_CALLS)")
	fs.IntVar(&c.maxDepth, "max-depth", env.integer("MAX_DEPTH", 15), "deepest field nesting an operation may have (MAX_DEPTH)")
	fs.Int64Var(&c.maxBodyBytes, "max-request-bytes", int64(env.integer("MAX_REQUEST_BYTES", 1<<20)), "largest request body; larger ones get 413 (MAX_REQUEST_BYTES)")
	fs.BoolVar(&c.introspection, "introspection", env.boolean("INTROSPECTION", true), "answer introspection queries (INTROSPECTION)")
	fs.StringVar(&c.corsOrigins, "cors-origins", env.str("CORS_ORIGINS", ""), "comma-separated browser origins allowed to call /graphql, * for any; empty leaves CORS off (CORS_ORIGINS)")
	fs.IntVar(&c.apqCacheSize, "apq-cache-size", env.integer("APQ_CACHE_SIZE", 1000), "automatic persisted queries kept, least recently used first out (APQ_CACHE_SIZE)")
	fs.IntVar(&c.apqCacheBytes, "apq-cache-bytes", env.integer("APQ_CACHE_BYTES", httpapi.DefaultAPQCacheBytes), "bytes of persisted query text kept; a query over 1/64 of it is not kept (APQ_CACHE_BYTES)")
	fs.IntVar(&c.queryCacheBytes, "query-cache-bytes", env.integer("QUERY_CACHE_BYTES", httpapi.DefaultQueryCacheBytes), "memory for parsed and validated documents kept, estimated; a document over 1/64 of it is not kept (QUERY_CACHE_BYTES)")
	fs.IntVar(&c.document.Tokens, "max-tokens", env.integer("MAX_TOKENS", httpapi.DefaultMaxTokens), "lexical tokens one GraphQL document may have (MAX_TOKENS)")
	fs.IntVar(&c.document.Fields, "max-fields", env.integer("MAX_FIELDS", httpapi.DefaultMaxFields), "selections one document may have, its fragments spread where they are used (MAX_FIELDS)")
	fs.IntVar(&c.document.Aliases, "max-aliases", env.integer("MAX_ALIASES", httpapi.DefaultMaxAliases), "aliased fields one document may have (MAX_ALIASES)")
	fs.IntVar(&c.document.Directives, "max-directives", env.integer("MAX_DIRECTIVES", httpapi.DefaultMaxDirectives), "directives one document may have (MAX_DIRECTIVES)")
	fs.IntVar(&c.document.NameLength, "max-name-length", env.integer("MAX_NAME_LENGTH", httpapi.DefaultMaxNameLength), "bytes of any one name in a document, and of operationName (MAX_NAME_LENGTH)")
	fs.IntVar(&c.maxErrors, "max-errors", env.integer("MAX_ERRORS", httpapi.DefaultMaxErrors), "errors one answer may carry; past it, one more says how many were left out (MAX_ERRORS)")
	fs.IntVar(&c.maxRespBytes, "max-response-bytes", env.integer("MAX_RESPONSE_BYTES", httpapi.DefaultMaxResponseBytes), "largest answer sent; a larger one is replaced by a RESPONSE_TOO_LARGE error (MAX_RESPONSE_BYTES)")
	fs.StringVar(&c.cursorSecret, "cursor-secret", env.str("CURSOR_SECRET", ""), "key that signs pagination cursors, the same on every replica; empty: a random key of this process, so cursors end with it (CURSOR_SECRET)")
	fs.IntVar(&c.maxJSONDepth, "max-json-depth", env.integer("MAX_JSON_DEPTH", httpapi.DefaultMaxJSONDepth), "deepest nesting of a request's JSON variables and extensions; deeper ones get 400 (MAX_JSON_DEPTH)")
	fs.IntVar(&c.maxAuthBytes, "max-authorization-bytes", env.integer("MAX_AUTHORIZATION_BYTES", httpapi.DefaultMaxAuthorizationBytes), "longest Authorization header; longer ones get 431 (MAX_AUTHORIZATION_BYTES)")
	fs.StringVar(&c.logLevel, "log-level", env.str("LOG_LEVEL", "info"), "log level: debug, info, warn or error (LOG_LEVEL)")
	fs.BoolVar(&c.coalesce, "upstream-coalesce", env.boolean("UPSTREAM_COALESCE", true), "make identical reads of one credential that are in flight at once one call (UPSTREAM_COALESCE)")
	fs.DurationVar(&c.cacheTTL, "upstream-cache-ttl", env.duration("UPSTREAM_CACHE_TTL", 0), "reuse a credential's successful reads this long; 0 leaves the cache off; answers may be this stale (UPSTREAM_CACHE_TTL)")
	fs.IntVar(&c.cacheSize, "upstream-cache-size", env.integer("UPSTREAM_CACHE_SIZE", 10000), "entries the read cache keeps (UPSTREAM_CACHE_SIZE)")
	fs.BoolVar(&c.loaders, "loaders", env.boolean("LOADERS", true), "batch and deduplicate upstream calls with per-request dataloaders; false makes a call per field, to measure what they save (LOADERS)")
	fs.StringVar(&c.debugAddr, "debug-addr", env.str("DEBUG_ADDR", ""), "serve Go's profiles (/debug/pprof/) on this address, apart from the API; keep it on loopback; empty leaves it off (DEBUG_ADDR)")
	fs.DurationVar(&c.drainDelay, "drain-delay", env.duration("DRAIN_DELAY", 0), "after SIGTERM, how long /readyz says 503 before the server stops taking requests (DRAIN_DELAY)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: facade [flags]\n\nServes the GitBook REST API as GraphQL at /graphql.\nGITBOOK_TOKEN, when set, is sent upstream for callers who send no Authorization header.\nTracing follows the standard OTEL_* variables (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, ...); it is off when none is set.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.addrSet = getenv("ADDR") != ""
	fs.Visit(func(f *flag.Flag) { c.addrSet = c.addrSet || f.Name == "addr" })
	if env.err != nil {
		return c, env.err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	case c.requestTimeout <= 0:
		return c, errors.New("-request-timeout must be positive")
	case c.pageSize < 1 || c.pageSize > upstream.MaxListLimit:
		return c, errors.New("-upstream-page-size must be between 1 and 1000")
	case c.logFormat != "json" && c.logFormat != "text":
		return c, errors.New("-log-format must be json or text")
	case c.attemptTimeout <= 0:
		return c, errors.New("-upstream-attempt-timeout must be positive")
	case c.concurrency < 1:
		return c, errors.New("-upstream-concurrency must be at least 1")
	case c.maxCalls < 1:
		return c, errors.New("-max-upstream-calls must be at least 1")
	case c.maxDepth < 1:
		return c, errors.New("-max-depth must be at least 1")
	case c.maxBodyBytes < 1:
		return c, errors.New("-max-request-bytes must be at least 1")
	case c.apqCacheSize < 1:
		return c, errors.New("-apq-cache-size must be at least 1")
	case c.apqCacheBytes < 1 || c.queryCacheBytes < 1:
		return c, errors.New("-apq-cache-bytes and -query-cache-bytes must be at least 1")
	case c.document.Tokens < 1 || c.document.Fields < 1 || c.document.Aliases < 1 || c.document.Directives < 1 || c.document.NameLength < 1:
		return c, errors.New("-max-tokens, -max-fields, -max-aliases, -max-directives and -max-name-length must be at least 1")
	case c.maxErrors < 1:
		return c, errors.New("-max-errors must be at least 1")
	case c.maxJSONDepth < 1:
		return c, errors.New("-max-json-depth must be at least 1")
	case c.maxAuthBytes < 1:
		return c, errors.New("-max-authorization-bytes must be at least 1")
	case c.maxRespBytes < 1:
		return c, errors.New("-max-response-bytes must be at least 1")
	case c.drainDelay < 0:
		return c, errors.New("-drain-delay must not be negative")
	case c.cacheTTL < 0:
		return c, errors.New("-upstream-cache-ttl must not be negative")
	case c.cacheSize < 1:
		return c, errors.New("-upstream-cache-size must be at least 1")
	}
	if err := new(slog.Level).UnmarshalText([]byte(c.logLevel)); err != nil {
		return c, fmt.Errorf("-log-level: %w", err)
	}
	return c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.logLevel))
	logOpts := &slog.HandlerOptions{Level: level}
	var logHandler slog.Handler = slog.NewJSONHandler(stdout, logOpts)
	if cfg.logFormat == "text" {
		logHandler = slog.NewTextHandler(stdout, logOpts)
	}
	log := slog.New(logHandler)
	slog.SetDefault(log)
	tuneGC(getenv)

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
		sim := upstreamtest.NewServer(upstreamtest.Options{MaxPageSize: upstreamtest.DemoMaxPageSize})
		defer sim.Close()
		cfg.upstreamURL = sim.URL
		if defaultAuth == "" {
			defaultAuth = "Bearer " + upstreamtest.DemoToken
		}
		log.Info("demo: serving over a simulated GitBook", "upstream", sim.URL)
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := telemetry.NewMetrics(registry)
	client, err := upstream.New(cfg.upstreamURL, upstream.Options{
		AttemptTimeout: cfg.attemptTimeout,
		MaxInFlight:    cfg.concurrency,
		Transport:      telemetry.Transport(upstream.PooledTransport(cfg.concurrency), tracerProvider),
		Observer:       telemetry.Observer(metrics),
		Sharing:        upstream.Sharing{NoCoalescing: !cfg.coalesce, CacheTTL: cfg.cacheTTL, CacheSize: cfg.cacheSize},
	})
	if err != nil {
		return err
	}
	telemetry.RegisterClient(registry, client)
	var corsOrigins []string
	for _, o := range strings.Split(cfg.corsOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			corsOrigins = append(corsOrigins, o)
		}
	}
	handler := httpapi.New(httpapi.Config{
		Client:                client,
		DefaultAuthorization:  defaultAuth,
		AllowedHosts:          allowedHosts(cfg),
		RequestTimeout:        cfg.requestTimeout,
		PageSize:              cfg.pageSize,
		MaxUpstreamCalls:      cfg.maxCalls,
		MaxDepth:              cfg.maxDepth,
		MaxBodyBytes:          cfg.maxBodyBytes,
		DisableIntrospection:  !cfg.introspection,
		APQCacheSize:          cfg.apqCacheSize,
		APQCacheBytes:         cfg.apqCacheBytes,
		QueryCacheBytes:       cfg.queryCacheBytes,
		Document:              cfg.document,
		MaxErrors:             cfg.maxErrors,
		MaxAuthorizationBytes: cfg.maxAuthBytes,
		MaxJSONDepth:          cfg.maxJSONDepth,
		CursorSecret:          []byte(cfg.cursorSecret),
		MaxResponseBytes:      cfg.maxRespBytes,
		CORSOrigins:           corsOrigins,
		Registry:              registry,
		Metrics:               metrics,
		TracerProvider:        tracerProvider,
		Logger:                log,
		Loader:                loader.Config{Naive: !cfg.loaders},
	})

	ln, err := net.Listen("tcp", listenAddr(cfg, defaultAuth != ""))
	if err != nil {
		return err
	}
	if cfg.debugAddr != "" {
		stopDebug, err := serveDebug(cfg.debugAddr, log)
		if err != nil {
			return fmt.Errorf("-debug-addr: %w", err)
		}
		defer stopDebug()
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.requestTimeout + 5*time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logHandler, slog.LevelWarn),
	}
	log.Info("listening", "addr", ln.Addr().String(), "upstream", cfg.upstreamURL, "demo", cfg.demo,
		"default_credential", defaultAuth != "")

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// Say unready first, so that balancers stop sending before we stop taking.
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

// envDefaults reads flag defaults from the environment, keeping the first
// malformed value's error.
type envDefaults struct {
	getenv func(string) string
	err    error
}

func (e *envDefaults) str(key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

func (e *envDefaults) boolean(key string, def bool) bool {
	v := e.getenv(key)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil && e.err == nil {
		e.err = fmt.Errorf("%s: %w", key, err)
	}
	return b
}

func (e *envDefaults) duration(key string, def time.Duration) time.Duration {
	v := e.getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil && e.err == nil {
		e.err = fmt.Errorf("%s: %w", key, err)
	}
	return d
}

func (e *envDefaults) integer(key string, def int) int {
	v := e.getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil && e.err == nil {
		e.err = fmt.Errorf("%s: %w", key, err)
	}
	return n
}

// The collector's defaults here, in place of Go's (GOGC=100, no memory
// limit). A request allocates ~100 KB that is garbage once answered, while
// the heap that lives on is a few MB: at GOGC=100 the collector took a
// quarter of the CPU under load (bench/PROFILE.md). 400 lets the heap grow
// to five times what lives before collecting, and the soft limit makes it
// collect sooner when many requests at once hold memory, which keeps the
// process near 100 MiB at 500 concurrent requests. GOGC and GOMEMLIMIT,
// when set, have the last word: raise GOMEMLIMIT to fit a larger
// container, or when -upstream-cache-ttl keeps many answers.
const (
	gcPercent   = 400
	memoryLimit = 80 << 20
)

func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

// listenAddr is -addr, or loopback when it was not set and the server has a
// credential of its own to lend: that must not be served to the network by
// accident.
func listenAddr(cfg config, defaultCredential bool) string {
	if defaultCredential && !cfg.addrSet {
		_, port, _ := net.SplitHostPort(cfg.addr) // -addr's default, :8080
		return net.JoinHostPort("127.0.0.1", port)
	}
	return cfg.addr
}

// allowedHosts is -allowed-hosts, or the loopback names and the host -addr
// names.
func allowedHosts(cfg config) []string {
	var hosts []string
	for _, h := range strings.Split(cfg.allowedHosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hosts = append(hosts, h)
		}
	}
	if len(hosts) > 0 {
		return hosts
	}
	hosts = append(hosts, httpapi.DefaultAllowedHosts...)
	if host, _, err := net.SplitHostPort(cfg.addr); err == nil && host != "" && host != "0.0.0.0" && host != "::" {
		hosts = append(hosts, host)
	}
	return hosts
}
