package upstream

import (
	"time"

	"github.com/gitbook-graphql/facade/settings"
)

// Settings are the client's flags, each bound to its field of o: the one
// place their defaults, ranges and meanings are written. DefaultOptions and
// New take the defaults from here.
func (o *Options) Settings() []settings.Setting {
	return []settings.Setting{
		settings.Duration{Flag: "upstream-attempt-timeout", Env: "UPSTREAM_ATTEMPT_TIMEOUT", Value: &o.AttemptTimeout, Default: 5 * time.Second, Min: settings.Positive,
			Usage: "deadline of one upstream attempt, from sending it to reading its answer's last byte (a retry gets its own)"},
		// 256: over HTTP/1.1 each attempt in flight holds a connection, with
		// two goroutines and their buffers, and past a few hundred the
		// collector's work for them cost more than the parallelism gave
		// (bench/PROFILE.md).
		settings.Int{Flag: "upstream-concurrency", Env: "UPSTREAM_CONCURRENCY", Value: &o.MaxInFlight, Default: 256, Min: 1,
			Usage: "upstream calls in flight from the whole process; more wait their turn, within their deadline"},
		// Half the process's: one credential whose calls hang leaves the
		// other half to the rest, and a request of 200 calls, the most the
		// call limit lets one make, still sends 128 of them at once.
		settings.Int{Flag: "upstream-concurrency-per-credential", Env: "UPSTREAM_CONCURRENCY_PER_CREDENTIAL", Value: &o.MaxInFlightPerCredential, Default: 128, Min: 1,
			Usage: "upstream calls in flight for one credential, of `-upstream-concurrency`; more wait their turn, within their deadline, so that calls hanging for one credential leave the rest to others"},
		// 4096 credentials take under 3 MiB (about 680 bytes each).
		settings.Int{Flag: "upstream-tracked-credentials", Env: "UPSTREAM_TRACKED_CREDENTIALS", Value: &o.TrackedCredentials, Default: 4096, Min: 1,
			Usage: "credentials whose circuit breaker and retry budget are kept, the least recently used first out; one forgotten starts again with its breaker closed"},
		settings.Bool{Flag: "upstream-coalesce", Env: "UPSTREAM_COALESCE", Off: &o.Sharing.NoCoalescing,
			Usage: "identical reads of one credential in flight at once become one call"},
		settings.Duration{Flag: "upstream-cache-ttl", Env: "UPSTREAM_CACHE_TTL", Value: &o.Sharing.CacheTTL, DefaultText: "`0s` (off)",
			Usage: "reuse a credential's successful reads this long; answers may be this stale"},
		settings.Int{Flag: "upstream-cache-size", Env: "UPSTREAM_CACHE_SIZE", Value: &o.Sharing.CacheSize, Default: 10000, Min: 1,
			Usage: "entries that cache keeps in process (LRU); with `-redis-url`, while Redis is gone"},
	}
}
