package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/rueidis"

	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/redisstate"
	"github.com/gitbook-graphql/facade/upstream"
)

// config is what the flags and their environment variables set. The
// handler's and the client's settings are bound straight to their
// packages' Config and Options, starting from those packages' defaults.
type config struct {
	handler httpapi.Config
	client  upstream.Options
	// redis.URL set: the state replicas share lives in Redis.
	redis  redisstate.Options
	apqTTL time.Duration

	addr          string
	addrSet       bool // -addr or ADDR was given
	upstreamURL   string
	demo          bool
	logFormat     string
	logLevel      string
	shutdownGrace time.Duration
	drainDelay    time.Duration
	debugAddr     string
	// Settings whose flag says it the other way round, or as text.
	introspection bool
	loaders       bool
	coalesce      bool
	dedupe        bool
	corsOrigins   string
	allowedHosts  string
	cursorSecret  string
}

const (
	defaultAddr          = ":8080"
	defaultShutdownGrace = 10 * time.Second
	// defaultAPQTTL: a day, so that a client's persisted queries outlive
	// a working day's deploys without being kept for ever.
	defaultAPQTTL = 24 * time.Hour
)

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	c := config{handler: httpapi.DefaultConfig(), client: upstream.DefaultOptions(), redis: redisstate.DefaultOptions(), apqTTL: defaultAPQTTL}
	fs := flag.NewFlagSet("facade", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := &envDefaults{getenv: getenv}
	bindServer(fs, env, &c)
	bindUpstream(fs, env, &c)
	bindLimits(fs, env, &c.handler)
	bindCaches(fs, env, &c)
	bindRedis(fs, env, &c)
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
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if err := c.check(); err != nil {
		return c, err
	}
	c.settle()
	return c, nil
}

func bindServer(fs *flag.FlagSet, env *envDefaults, c *config) {
	fs.StringVar(&c.addr, "addr", env.str("ADDR", defaultAddr), "listen address; 127.0.0.1:8080 when not set and GITBOOK_TOKEN or -demo supplies a credential (ADDR)")
	fs.StringVar(&c.allowedHosts, "allowed-hosts", env.str("ALLOWED_HOSTS", ""), "comma-separated Host names at which the server's own credential (GITBOOK_TOKEN, -demo) serves callers who send none; * for any; empty: localhost, 127.0.0.1, ::1 and the host of -addr (ALLOWED_HOSTS)")
	fs.BoolVar(&c.demo, "demo", env.boolean("DEMO", false), "serve over an embedded simulated GitBook with demo data; ignores -upstream (DEMO)")
	fs.DurationVar(&c.handler.RequestTimeout, "request-timeout", env.duration("REQUEST_TIMEOUT", c.handler.RequestTimeout), "deadline of a whole GraphQL request (REQUEST_TIMEOUT)")
	fs.StringVar(&c.logFormat, "log-format", env.str("LOG_FORMAT", "json"), "log format: json or text (LOG_FORMAT)")
	fs.StringVar(&c.logLevel, "log-level", env.str("LOG_LEVEL", "info"), "log level: debug, info, warn or error (LOG_LEVEL)")
	fs.DurationVar(&c.shutdownGrace, "shutdown-grace", env.duration("SHUTDOWN_GRACE", defaultShutdownGrace), "how long in-flight requests may finish after SIGTERM (SHUTDOWN_GRACE)")
	fs.DurationVar(&c.drainDelay, "drain-delay", env.duration("DRAIN_DELAY", 0), "after SIGTERM, how long /readyz says 503 before the server stops taking requests (DRAIN_DELAY)")
	fs.StringVar(&c.debugAddr, "debug-addr", env.str("DEBUG_ADDR", ""), "serve Go's profiles (/debug/pprof/) on this address, apart from the API; keep it on loopback; empty leaves it off (DEBUG_ADDR)")
	fs.BoolVar(&c.introspection, "introspection", env.boolean("INTROSPECTION", !c.handler.DisableIntrospection), "answer introspection queries (INTROSPECTION)")
	fs.StringVar(&c.corsOrigins, "cors-origins", env.str("CORS_ORIGINS", ""), "comma-separated browser origins allowed to call /graphql, * for any; empty leaves CORS off (CORS_ORIGINS)")
	fs.StringVar(&c.cursorSecret, "cursor-secret", env.str("CURSOR_SECRET", ""), "key that signs pagination cursors, the same on every replica; empty: a random key of this process, so cursors end with it (CURSOR_SECRET)")
	fs.BoolVar(&c.loaders, "loaders", env.boolean("LOADERS", !c.handler.Loader.Naive), "batch and deduplicate upstream calls with per-request dataloaders; false makes a call per field, to measure what they save (LOADERS)")
}

func bindUpstream(fs *flag.FlagSet, env *envDefaults, c *config) {
	fs.StringVar(&c.upstreamURL, "upstream", env.str("GITBOOK_API_URL", upstream.DefaultBaseURL), "GitBook API base URL (GITBOOK_API_URL)")
	fs.IntVar(&c.handler.PageSize, "upstream-page-size", env.integer("UPSTREAM_PAGE_SIZE", c.handler.PageSize), "integrations asked per upstream page, 1 to 1000 (UPSTREAM_PAGE_SIZE)")
	fs.DurationVar(&c.client.AttemptTimeout, "upstream-attempt-timeout", env.duration("UPSTREAM_ATTEMPT_TIMEOUT", c.client.AttemptTimeout), "deadline of one upstream attempt, retries aside (UPSTREAM_ATTEMPT_TIMEOUT)")
	fs.IntVar(&c.client.MaxInFlight, "upstream-concurrency", env.integer("UPSTREAM_CONCURRENCY", c.client.MaxInFlight), "upstream calls in flight from the whole process; more wait their turn (UPSTREAM_CONCURRENCY)")
	fs.BoolVar(&c.dedupe, "dedupe-requests", env.boolean("DEDUPE_REQUESTS", !c.handler.NoDedupe), "execute identical queries of one credential in flight at once (same document, variables, operation name) once, and give each caller the answer (DEDUPE_REQUESTS)")
	fs.BoolVar(&c.coalesce, "upstream-coalesce", env.boolean("UPSTREAM_COALESCE", !c.client.Sharing.NoCoalescing), "make identical reads of one credential that are in flight at once one call (UPSTREAM_COALESCE)")
}

func bindLimits(fs *flag.FlagSet, env *envDefaults, h *httpapi.Config) {
	fs.IntVar(&h.MaxUpstreamCalls, "max-upstream-calls", env.integer("MAX_UPSTREAM_CALLS", h.MaxUpstreamCalls), "upstream calls one request may make; operations that may need more are refused (MAX_UPSTREAM_CALLS)")
	fs.IntVar(&h.MaxDepth, "max-depth", env.integer("MAX_DEPTH", h.MaxDepth), "deepest field nesting an operation may have (MAX_DEPTH)")
	fs.Int64Var(&h.MaxBodyBytes, "max-request-bytes", int64(env.integer("MAX_REQUEST_BYTES", int(h.MaxBodyBytes))), "largest request body; larger ones get 413 (MAX_REQUEST_BYTES)")
	fs.IntVar(&h.MaxInflightRequests, "max-inflight-requests", env.integer("MAX_INFLIGHT_REQUESTS", h.MaxInflightRequests), "GraphQL requests answered at once; past it, 503 OVERLOADED with Retry-After, before the body is read (MAX_INFLIGHT_REQUESTS)")
	fs.Int64Var(&h.MaxInflightBodyBytes, "max-inflight-body-bytes", int64(env.integer("MAX_INFLIGHT_BODY_BYTES", int(h.MaxInflightBodyBytes))), fmt.Sprintf("bytes of request bodies held at once, past each body's first %d KiB; a body that would pass it gets 503 OVERLOADED as it arrives; at least -max-request-bytes (MAX_INFLIGHT_BODY_BYTES)", httpapi.UnchargedBodyBytes>>10))
	fs.IntVar(&h.Document.Tokens, "max-tokens", env.integer("MAX_TOKENS", h.Document.Tokens), "lexical tokens one GraphQL document may have (MAX_TOKENS)")
	fs.IntVar(&h.Document.Fields, "max-fields", env.integer("MAX_FIELDS", h.Document.Fields), "selections one document may have, its fragments spread where they are used (MAX_FIELDS)")
	fs.IntVar(&h.Document.Aliases, "max-aliases", env.integer("MAX_ALIASES", h.Document.Aliases), "aliased fields one document may have (MAX_ALIASES)")
	fs.IntVar(&h.Document.Directives, "max-directives", env.integer("MAX_DIRECTIVES", h.Document.Directives), "directives one document may have (MAX_DIRECTIVES)")
	fs.IntVar(&h.Document.NameLength, "max-name-length", env.integer("MAX_NAME_LENGTH", h.Document.NameLength), "bytes of any one name in a document, and of operationName (MAX_NAME_LENGTH)")
	fs.IntVar(&h.MaxErrors, "max-errors", env.integer("MAX_ERRORS", h.MaxErrors), "errors one answer may carry; past it, one more says how many were left out (MAX_ERRORS)")
	fs.IntVar(&h.MaxResponseBytes, "max-response-bytes", env.integer("MAX_RESPONSE_BYTES", h.MaxResponseBytes), "largest answer sent; a larger one is replaced by a RESPONSE_TOO_LARGE error (MAX_RESPONSE_BYTES)")
	fs.IntVar(&h.MaxJSONDepth, "max-json-depth", env.integer("MAX_JSON_DEPTH", h.MaxJSONDepth), "deepest nesting of a request's JSON variables and extensions; deeper ones get 400 (MAX_JSON_DEPTH)")
	fs.IntVar(&h.MaxAuthorizationBytes, "max-authorization-bytes", env.integer("MAX_AUTHORIZATION_BYTES", h.MaxAuthorizationBytes), "longest Authorization header; longer ones get 431 (MAX_AUTHORIZATION_BYTES)")
}

func bindCaches(fs *flag.FlagSet, env *envDefaults, c *config) {
	h := &c.handler
	fs.IntVar(&h.APQCacheSize, "apq-cache-size", env.integer("APQ_CACHE_SIZE", h.APQCacheSize), "automatic persisted queries kept, least recently used first out (APQ_CACHE_SIZE)")
	fs.IntVar(&h.APQCacheBytes, "apq-cache-bytes", env.integer("APQ_CACHE_BYTES", h.APQCacheBytes), "bytes of persisted query text kept; a query over 1/64 of it is not kept (APQ_CACHE_BYTES)")
	fs.IntVar(&h.QueryCacheBytes, "query-cache-bytes", env.integer("QUERY_CACHE_BYTES", h.QueryCacheBytes), "memory for parsed and validated documents kept, estimated; a document over 1/64 of it is not kept (QUERY_CACHE_BYTES)")
	s := &c.client.Sharing
	fs.DurationVar(&s.CacheTTL, "upstream-cache-ttl", env.duration("UPSTREAM_CACHE_TTL", s.CacheTTL), "reuse a credential's successful reads this long; 0 leaves the cache off; answers may be this stale (UPSTREAM_CACHE_TTL)")
	fs.IntVar(&s.CacheSize, "upstream-cache-size", env.integer("UPSTREAM_CACHE_SIZE", s.CacheSize), "entries the read cache keeps (UPSTREAM_CACHE_SIZE)")
}

func bindRedis(fs *flag.FlagSet, env *envDefaults, c *config) {
	r := &c.redis
	fs.StringVar(&r.URL, "redis-url", env.str("REDIS_URL", ""), "Redis that replicas share rate-limit holds, persisted queries and the read cache through: redis://[:password@]host:port[/db], rediss:// for TLS; empty keeps them in process (REDIS_URL)")
	fs.DurationVar(&r.Timeout, "redis-timeout", env.duration("REDIS_TIMEOUT", r.Timeout), "deadline of each Redis operation; past it, or when Redis is gone, the replica serves that state from its own memory until Redis answers again (REDIS_TIMEOUT)")
	fs.StringVar(&r.Prefix, "redis-key-prefix", env.str("REDIS_KEY_PREFIX", r.Prefix), "prefix of every key the facade writes in Redis (REDIS_KEY_PREFIX)")
	fs.IntVar(&r.ClientCacheBytes, "redis-client-cache-bytes", env.integer("REDIS_CLIENT_CACHE_BYTES", r.ClientCacheBytes), "memory for Redis keys kept in process and kept fresh by Redis (client-side caching) (REDIS_CLIENT_CACHE_BYTES)")
	fs.DurationVar(&c.apqTTL, "apq-ttl", env.duration("APQ_TTL", c.apqTTL), "how long a persisted query is kept in Redis after it is registered, with -redis-url (APQ_TTL)")
}

// check refuses settings out of range; every limit must be at least 1.
func (c config) check() error {
	h, o := c.handler, c.client
	atLeastOne := []struct {
		flag string
		v    int64
	}{
		{"-upstream-concurrency", int64(o.MaxInFlight)}, {"-max-upstream-calls", int64(h.MaxUpstreamCalls)},
		{"-max-depth", int64(h.MaxDepth)}, {"-max-request-bytes", h.MaxBodyBytes}, {"-apq-cache-size", int64(h.APQCacheSize)},
		{"-max-inflight-requests", int64(h.MaxInflightRequests)}, {"-max-inflight-body-bytes", h.MaxInflightBodyBytes},
		{"-apq-cache-bytes", int64(h.APQCacheBytes)}, {"-query-cache-bytes", int64(h.QueryCacheBytes)},
		{"-max-tokens", int64(h.Document.Tokens)}, {"-max-fields", int64(h.Document.Fields)}, {"-max-aliases", int64(h.Document.Aliases)},
		{"-max-directives", int64(h.Document.Directives)}, {"-max-name-length", int64(h.Document.NameLength)},
		{"-max-errors", int64(h.MaxErrors)}, {"-max-json-depth", int64(h.MaxJSONDepth)}, {"-max-authorization-bytes", int64(h.MaxAuthorizationBytes)},
		{"-max-response-bytes", int64(h.MaxResponseBytes)}, {"-upstream-cache-size", int64(o.Sharing.CacheSize)},
		{"-redis-client-cache-bytes", int64(c.redis.ClientCacheBytes)},
	}
	for _, l := range atLeastOne {
		if l.v < 1 {
			return fmt.Errorf("%s must be at least 1", l.flag)
		}
	}
	switch {
	case h.RequestTimeout <= 0:
		return errors.New("-request-timeout must be positive")
	case h.MaxInflightBodyBytes < h.MaxBodyBytes:
		// Else the largest body allowed could never be held: 503 for ever, not 413.
		return errors.New("-max-inflight-body-bytes must be at least -max-request-bytes")
	case h.PageSize < 1 || h.PageSize > upstream.MaxListLimit:
		return errors.New("-upstream-page-size must be between 1 and 1000")
	case c.logFormat != "json" && c.logFormat != "text":
		return errors.New("-log-format must be json or text")
	case o.AttemptTimeout <= 0:
		return errors.New("-upstream-attempt-timeout must be positive")
	case c.drainDelay < 0:
		return errors.New("-drain-delay must not be negative")
	case o.Sharing.CacheTTL < 0:
		return errors.New("-upstream-cache-ttl must not be negative")
	case c.redis.Timeout <= 0:
		return errors.New("-redis-timeout must be positive")
	case c.apqTTL <= 0:
		return errors.New("-apq-ttl must be positive")
	case c.redis.Prefix == "":
		return errors.New("-redis-key-prefix must not be empty")
	}
	if c.redis.URL != "" {
		if _, err := rueidis.ParseURL(c.redis.URL); err != nil {
			return fmt.Errorf("-redis-url: %s", redisstate.Redacted(c.redis.URL))
		}
	}
	if err := new(slog.Level).UnmarshalText([]byte(c.logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	return nil
}

// settle turns the flags said the other way round, or as text, into the
// settings they stand for.
func (c *config) settle() {
	c.handler.DisableIntrospection = !c.introspection
	c.handler.Loader.Naive = !c.loaders
	c.handler.CORSOrigins = splitList(c.corsOrigins)
	c.handler.CursorSecret = []byte(c.cursorSecret)
	c.client.Sharing.NoCoalescing = !c.coalesce
	c.handler.NoDedupe = !c.dedupe
}

func splitList(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}
