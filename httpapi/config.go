package httpapi

import (
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/gitbook-graphql/facade/loader"
	"github.com/gitbook-graphql/facade/settings"
	"github.com/gitbook-graphql/facade/telemetry"
	"github.com/gitbook-graphql/facade/trusted"
	"github.com/gitbook-graphql/facade/upstream"
)

// Config is what the handler is built from. A field that has a flag has its
// default, range and meaning in Settings; zero (or below, for a number)
// stands for the default where it is out of range.
type Config struct {
	Client *upstream.Client
	// DefaultAuthorization is sent upstream for callers who send no
	// Authorization header (from GITBOOK_TOKEN); empty for none.
	DefaultAuthorization string
	// AllowedHosts are the Host names at which DefaultAuthorization serves;
	// "*" for any. Default DefaultAllowedHosts.
	AllowedHosts []string
	// RequestTimeout bounds a whole GraphQL request.
	RequestTimeout time.Duration
	// PageSize is the `limit` asked per upstream page. Default graph.DefaultPageSize.
	PageSize int
	// MaxUpstreamCalls bounds the upstream calls of one request: operations
	// that may need more are refused before any call, and a request that
	// reaches it anyway makes no more. Default budget.DefaultMaxCalls.
	MaxUpstreamCalls int
	// MaxDepth bounds how deeply an operation nests fields.
	MaxDepth int
	// MaxBodyBytes bounds a request body; larger ones get 413.
	MaxBodyBytes int64
	// MaxInflightRequests bounds the GraphQL requests answered at once;
	// past it, 503 OVERLOADED before the body is read. Default
	// DefaultMaxInflightRequests.
	MaxInflightRequests int
	// MaxInflightBodyBytes bounds the bytes of request bodies held at once,
	// past each one's first UnchargedBodyBytes; a body that would pass it
	// gets 503 OVERLOADED as it arrives. Default DefaultMaxInflightBodyBytes.
	MaxInflightBodyBytes int64
	// DisableIntrospection refuses __schema and __type queries.
	DisableIntrospection bool
	// APQCacheSize is how many automatic persisted queries are kept (LRU).
	APQCacheSize int
	// APQCacheBytes bounds the persisted queries kept, in bytes of their
	// text. Default DefaultAPQCacheBytes.
	APQCacheBytes int
	// APQCache keeps the persisted queries, such as a store shared by the
	// replicas. Default: NewAPQCache(APQCacheBytes, APQCacheSize), this
	// process's own.
	APQCache graphql.Cache[string]
	// QueryCacheBytes bounds the parsed documents kept, in (estimated)
	// bytes of memory. Default DefaultQueryCacheBytes.
	QueryCacheBytes int
	// Document bounds each GraphQL document before it is validated.
	Document DocumentLimits
	// MaxErrors bounds the errors of one answer; past it, one more says how
	// many were left out. Default DefaultMaxErrors.
	MaxErrors int
	// MaxResponseBytes bounds one answer; a larger one is replaced by a
	// RESPONSE_TOO_LARGE error. Default DefaultMaxResponseBytes.
	MaxResponseBytes int
	// MaxResponseValues bounds the values one answer holds (each field's
	// value, each list element), charged as it is built; the field that
	// passes it is a RESPONSE_TOO_LARGE error, and the answer that error
	// alone. Default DefaultMaxResponseValues.
	MaxResponseValues int
	// NoDedupe executes every query, even one identical to a query in
	// flight (same credential, document, variables and operation name),
	// whose answer it would otherwise share.
	NoDedupe bool
	// CursorSecret signs the connections' cursors; replicas behind one
	// address need the same. Default: a random key of this process.
	CursorSecret []byte
	// MaxJSONDepth bounds how deep a request's JSON (its variables and
	// extensions) may nest. Default DefaultMaxJSONDepth.
	MaxJSONDepth int
	// MaxAuthorizationBytes bounds the caller's Authorization header; a
	// longer one is refused (431) before any call. Default
	// DefaultMaxAuthorizationBytes.
	MaxAuthorizationBytes int
	// CORSOrigins are the browser origins allowed to call /graphql; none
	// (the default) leaves CORS off. "*" allows any.
	CORSOrigins []string
	// Trusted says how TrustedDocuments is used; its Path is the command's
	// to load.
	Trusted trusted.Options
	// TrustedDocuments, when set, is the list of trusted documents in
	// force, which Trusted.Mode enforces or logs; nil runs every document.
	TrustedDocuments *trusted.Store
	// Registry, when set, gets the metrics, served at /metrics.
	Registry *prometheus.Registry
	// Metrics are the series the requests feed; made from Registry when nil.
	Metrics *telemetry.Metrics
	// TracerProvider traces requests. Default: none.
	TracerProvider trace.TracerProvider
	// Logger gets one line per GraphQL request, and the resolvers' internal
	// errors and panics. Default: slog.Default().
	Logger *slog.Logger
	// ReadyCacheFor is how long /readyz trusts its last probe. Default DefaultConfig().
	ReadyCacheFor time.Duration
	Loader        loader.Config
}

// DefaultConfig is the handler's defaults: those of its Settings, and the
// few that have no flag. New fills in each field left unset from them.
func DefaultConfig() Config {
	c := Config{AllowedHosts: DefaultAllowedHosts, ReadyCacheFor: 5 * time.Second}
	settings.Reset(c.Settings())
	return c
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	settings.Fill(c.Settings())
	c.ReadyCacheFor = positive(c.ReadyCacheFor, d.ReadyCacheFor)
	if c.APQCache == nil {
		c.APQCache = NewAPQCache(c.APQCacheBytes, c.APQCacheSize)
	}
	if len(c.AllowedHosts) == 0 {
		c.AllowedHosts = d.AllowedHosts
	}
	if c.TracerProvider == nil {
		c.TracerProvider = noop.NewTracerProvider()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Metrics == nil && c.Registry != nil {
		c.Metrics = telemetry.NewMetrics(c.Registry)
	}
	if c.Metrics != nil && c.Loader.BatchObserver == nil {
		c.Loader.BatchObserver = c.Metrics.BatchObserver
	}
	return c
}

// positive is v, or d where v was left at zero (or below).
func positive(v, d time.Duration) time.Duration {
	if v <= 0 {
		return d
	}
	return v
}
