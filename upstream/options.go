package upstream

import (
	"net/http"
	"time"

	"github.com/gitbook-graphql/facade/settings"
)

// DefaultBaseURL is GitBook's public API.
const DefaultBaseURL = "https://api.gitbook.com/v1"

// Options tune a Client; the zero value of each field means its default,
// as DefaultOptions spells them out. A field that has a flag has its
// default, range and meaning in Settings.
type Options struct {
	// HTTPClient sends each attempt; its Transport (http.DefaultTransport
	// when nil) is wrapped by the client's guards. Default: a client over
	// Transport.
	HTTPClient *http.Client
	// Transport sends each attempt when HTTPClient is not given, under the
	// client's guards (a place for tracing, say). Default:
	// PooledTransport(MaxInFlight).
	Transport http.RoundTripper
	// Observer hears of every attempt, for the request's record, metrics
	// and traces. Default: none.
	Observer Observer
	// Sharing says what reads share across requests of one credential:
	// by default, reads of the same URL in flight at once are made once.
	Sharing Sharing
	// AttemptTimeout bounds one attempt, from sending it to reading its
	// answer's last byte.
	AttemptTimeout time.Duration
	// MaxInFlight bounds the attempts in flight from the whole process;
	// more wait their turn, within their deadline.
	MaxInFlight int
	// MaxInFlightPerCredential bounds one credential's attempts in flight,
	// so that calls hanging for one credential cannot hold every slot of
	// MaxInFlight while others wait.
	MaxInFlightPerCredential int
	// Retry is the policy for reads; its nil hooks are the default ones.
	// Default: DefaultRetryPolicy().
	Retry *RetryPolicy
	// Budget bounds each credential's retries. Default: DefaultRetryBudget().
	Budget *RetryBudget
	// Holds keeps the rate-limit holds GitBook asks of each credential.
	// Default: NewLocalHolds(), this process's own.
	Holds HoldStore
	// Breaker stops a credential's calls while the upstream fails them; its
	// zero Window and OpenFor are the default's. Default:
	// DefaultBreakerPolicy().
	Breaker *BreakerPolicy
	// TrackedCredentials bounds the credentials whose breaker and retry
	// budget are kept; past it, the one used least recently is forgotten,
	// and starts afresh (its breaker closed) when it calls again.
	TrackedCredentials int
	// UserAgent is sent with every call. Default "gitbook-graphql-facade".
	UserAgent string
}

// Sharing configures what reads share across requests.
type Sharing struct {
	// NoCoalescing makes every read its own call, even when the same read
	// of the same credential is already in flight.
	NoCoalescing bool
	// CacheTTL keeps successful reads this long, per credential and URL; 0
	// (the default) keeps none. A cached answer can be up to CacheTTL stale:
	// a change made in GitBook by anyone else, or with another credential,
	// shows only once the entry expires.
	CacheTTL time.Duration
	// CacheSize bounds the in-process cache's entries.
	CacheSize int
	// Store keeps the cached reads when CacheTTL is set. Default:
	// NewLocalReadCache(CacheSize, CacheTTL), this process's own.
	Store ReadCache
}

// DefaultOptions are what the zero fields of Options stand for: those of
// its Settings, and those that have no flag. HTTPClient, Transport and
// Observer have none to give (the transport's pool follows MaxInFlight).
func DefaultOptions() Options {
	retry, budget, breaker := DefaultRetryPolicy(), DefaultRetryBudget(), DefaultBreakerPolicy()
	o := Options{
		Retry:     &retry,
		Budget:    &budget,
		Breaker:   &breaker,
		UserAgent: "gitbook-graphql-facade",
	}
	settings.Reset(o.Settings())
	return o
}

// withDefaults fills o's zero fields from DefaultOptions. It copies what o
// points to rather than change it.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	settings.Fill(o.Settings())
	if o.UserAgent == "" {
		o.UserAgent = d.UserAgent
	}
	if o.Retry == nil {
		o.Retry = d.Retry
	} else {
		p := o.Retry.withDefaults()
		o.Retry = &p
	}
	if o.Budget == nil {
		o.Budget = d.Budget
	} else {
		b := *o.Budget
		o.Budget = &b
	}
	breaker := *d.Breaker
	if o.Breaker != nil {
		breaker = o.Breaker.withDefaults()
	}
	o.Breaker = &breaker
	if o.Holds == nil {
		o.Holds = NewLocalHolds()
	}
	if o.Sharing.CacheTTL > 0 && o.Sharing.Store == nil {
		o.Sharing.Store = NewLocalReadCache(o.Sharing.CacheSize, o.Sharing.CacheTTL)
	}
	if o.Observer == nil {
		o.Observer = noObserver{}
	}
	return o
}

// httpClient is the client that sends each attempt, before the guards wrap
// its transport.
func (o Options) httpClient() *http.Client {
	var hc http.Client
	switch {
	case o.HTTPClient != nil:
		hc = *o.HTTPClient
		if hc.Transport == nil {
			hc.Transport = http.DefaultTransport
		}
	case o.Transport != nil:
		hc.Transport = o.Transport
	default:
		hc.Transport = PooledTransport(o.MaxInFlight)
	}
	return &hc
}
