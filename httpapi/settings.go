package httpapi

import (
	"slices"
	"time"

	"github.com/gitbook-graphql/facade/answer"
	"github.com/gitbook-graphql/facade/budget"
	"github.com/gitbook-graphql/facade/graph"
	"github.com/gitbook-graphql/facade/settings"
	"github.com/gitbook-graphql/facade/upstream"
)

// Settings are the handler's flags, each bound to its field of c: the one
// place their defaults, ranges and meanings are written. DefaultConfig and
// New take the defaults from here.
func (c *Config) Settings() []settings.Setting {
	return slices.Concat([]settings.Setting{
		settings.Duration{Flag: "request-timeout", Env: "REQUEST_TIMEOUT", Value: &c.RequestTimeout, Default: 15 * time.Second, Min: settings.Positive,
			Usage: "deadline of a whole GraphQL request"},
		settings.Bytes{Flag: "cursor-secret", Env: "CURSOR_SECRET", Value: &c.CursorSecret, DefaultText: "a random key per process",
			Usage: "key that signs pagination cursors, so that a rewritten one is refused; set the same on every replica, or a cursor from one is refused by the others"},
		settings.List{Flag: "cors-origins", Env: "CORS_ORIGINS", Value: &c.CORSOrigins,
			Usage: "comma-separated origins allowed to call `/graphql` from a browser, `*` for any; empty: CORS off"},
		settings.Bool{Flag: "introspection", Env: "INTROSPECTION", Off: &c.DisableIntrospection,
			Usage: "answer `__schema` and `__type`"},
		settings.Bool{Flag: "loaders", Env: "LOADERS", Off: &c.Loader.Naive,
			Usage: "batch and deduplicate upstream calls with per-request dataloaders; `false` makes a call per field, to measure what they save"},
		settings.Bool{Flag: "dedupe-requests", Env: "DEDUPE_REQUESTS", Off: &c.NoDedupe,
			Usage: "identical queries of one credential in flight at once (same document, variables, operation name) execute once, and each caller gets the answer (guarantees: [How it works](docs/how-it-works.md))"},
		settings.Int{Flag: "upstream-page-size", Env: "UPSTREAM_PAGE_SIZE", Value: &c.PageSize, Default: graph.DefaultPageSize, Min: 1, Max: upstream.MaxListLimit,
			Usage: "`limit` asked per upstream page"},
		settings.Int{Flag: "max-upstream-calls", Env: "MAX_UPSTREAM_CALLS", Value: &c.MaxUpstreamCalls, Default: budget.DefaultMaxCalls, Min: 1,
			Usage: "upstream calls one request may make; operations that may need more are refused before any call"},
		settings.Int64{Flag: "max-request-bytes", Env: "MAX_REQUEST_BYTES", Value: &c.MaxBodyBytes, Default: 1 << 20, Min: 1,
			Usage: "largest request body; larger ones get 413"},
		settings.Int{Flag: "max-inflight-requests", Env: "MAX_INFLIGHT_REQUESTS", Value: &c.MaxInflightRequests, Default: DefaultMaxInflightRequests, Min: 1,
			Usage: "GraphQL requests answered at once; past it, 503 `OVERLOADED` with `Retry-After`, before the body is read"},
		settings.Int64{Flag: "max-inflight-body-bytes", Env: "MAX_INFLIGHT_BODY_BYTES", Value: &c.MaxInflightBodyBytes, Default: DefaultMaxInflightBodyBytes, Min: 1,
			Usage: "bytes of request bodies held at once, past each body's first 16 KiB (so that a small request is answered however many large ones are arriving); a body that would pass it gets 503 `OVERLOADED` as it arrives; at least `-max-request-bytes`"},
		settings.Int{Flag: "max-authorization-bytes", Env: "MAX_AUTHORIZATION_BYTES", Value: &c.MaxAuthorizationBytes, Default: DefaultMaxAuthorizationBytes, Min: 1,
			Usage: "longest `Authorization` header; a longer one gets 431 before any call"},
		settings.Int{Flag: "max-json-depth", Env: "MAX_JSON_DEPTH", Value: &c.MaxJSONDepth, Default: DefaultMaxJSONDepth, Min: 1,
			Usage: "deepest nesting of a request's `variables` and `extensions` (serde_json's limit, which Apollo Router inherits); deeper gets 400 `BAD_REQUEST`"},
		settings.Int{Flag: "max-depth", Env: "MAX_DEPTH", Value: &c.MaxDepth, Default: 15, Min: 1,
			Usage: "deepest field nesting an operation may have"},
	}, c.Document.settings(), []settings.Setting{
		settings.Int{Flag: "max-errors", Env: "MAX_ERRORS", Value: &c.MaxErrors, Default: DefaultMaxErrors, Min: 1,
			Usage: "errors one answer carries (graphql-js stops validating at 100); one more, `TOO_MANY_ERRORS`, says how many were left out"},
		settings.Int{Flag: "max-response-bytes", Env: "MAX_RESPONSE_BYTES", Value: &c.MaxResponseBytes, Default: DefaultMaxResponseBytes, Min: 1,
			Usage: "largest answer sent, charged as it is built; the value that passes it, or an answer that does once encoded, makes the answer a `RESPONSE_TOO_LARGE` error alone"},
		settings.Int{Flag: "max-response-values", Env: "MAX_RESPONSE_VALUES", Value: &c.MaxResponseValues, Default: DefaultMaxResponseValues, Min: 1, Max: answer.MaxValues,
			Usage: "values one answer may hold (each field's value, each list element), charged as it is built, which bounds the CPU and memory it costs; the value that passes it makes the answer a `RESPONSE_TOO_LARGE` error alone, with its path"},
		settings.Int{Flag: "apq-cache-size", Env: "APQ_CACHE_SIZE", Value: &c.APQCacheSize, Default: 1000, Min: 1,
			Usage: "automatic persisted queries kept, the least recently used first out"},
		settings.Int{Flag: "apq-cache-bytes", Env: "APQ_CACHE_BYTES", Value: &c.APQCacheBytes, Default: DefaultAPQCacheBytes, Min: 1,
			Usage: "bytes of persisted query text kept; a query over 1/64 of it is not kept"},
		settings.Int{Flag: "query-cache-bytes", Env: "QUERY_CACHE_BYTES", Value: &c.QueryCacheBytes, Default: DefaultQueryCacheBytes, Min: 1,
			Usage: "memory for parsed and validated documents kept (estimated at 30 bytes per byte of query); a document over 1/64 of it is parsed anew each time"},
	}, c.Trusted.Settings())
}

// settings are the limits on one document, bound to l's fields.
func (l *DocumentLimits) settings() []settings.Setting {
	return []settings.Setting{
		settings.Int{Flag: "max-tokens", Env: "MAX_TOKENS", Value: &l.Tokens, Default: DefaultMaxTokens, Min: 1,
			Usage: "lexical tokens one document may have (Apollo Router's default)"},
		settings.Int{Flag: "max-fields", Env: "MAX_FIELDS", Value: &l.Fields, Default: DefaultMaxFields, Min: 1,
			Usage: "selections one document may have, each fragment counted where it is spread (and fragments never spread counted too)"},
		settings.Int{Flag: "max-aliases", Env: "MAX_ALIASES", Value: &l.Aliases, Default: DefaultMaxAliases, Min: 1,
			Usage: "aliased fields one document may have"},
		settings.Int{Flag: "max-directives", Env: "MAX_DIRECTIVES", Value: &l.Directives, Default: DefaultMaxDirectives, Min: 1,
			Usage: "directives one document may have (GraphQL Armor's default)"},
		settings.Int{Flag: "max-name-length", Env: "MAX_NAME_LENGTH", Value: &l.NameLength, Default: DefaultMaxNameLength, Min: 1,
			Usage: "bytes of any one name in a document, and of `operationName`"},
	}
}
