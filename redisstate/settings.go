package redisstate

import (
	"errors"
	"time"

	"github.com/redis/rueidis"

	"github.com/gitbook-graphql/facade/settings"
)

// Settings are the flags of the state replicas share, each bound to its
// field of o: the one place their defaults, ranges and meanings are
// written. DefaultOptions and Open take the defaults from here.
func (o *Options) Settings() []settings.Setting {
	return []settings.Setting{
		settings.String{Flag: "redis-url", Env: "REDIS_URL", Value: &o.URL, Check: checkURL, DefaultText: "off: the state stays in process",
			Usage: "Redis the replicas share rate-limit holds, persisted queries and the read cache through: `redis://[:password@]host:port[/db]`, `rediss://` for TLS (see [Deploying replicas](docs/deploying.md))"},
		settings.Duration{Flag: "redis-timeout", Env: "REDIS_TIMEOUT", Value: &o.Timeout, Default: 100 * time.Millisecond, Min: settings.Positive,
			Usage: "deadline of each Redis operation; past it, or with Redis gone, each replica serves that state from its own memory until Redis answers again"},
		settings.String{Flag: "redis-key-prefix", Env: "REDIS_KEY_PREFIX", Value: &o.Prefix, Default: "gitbook-facade:", Check: settings.NotEmpty,
			Usage: "prefix of every key the facade writes in Redis"},
		settings.Int{Flag: "redis-client-cache-bytes", Env: "REDIS_CLIENT_CACHE_BYTES", Value: &o.ClientCacheBytes, Default: 16 << 20, Min: 1,
			Usage: "memory for Redis keys kept in process and kept fresh by Redis (client-side caching)"},
		// A day, so that a client's persisted queries outlive a working
		// day's deploys without being kept for ever.
		settings.Duration{Flag: "apq-ttl", Env: "APQ_TTL", Value: &o.APQTTL, Default: 24 * time.Hour, Min: settings.Positive,
			Usage: "how long a persisted query stays in Redis after it is registered, with `-redis-url`"},
	}
}

// checkURL refuses what is not a Redis URL, saying it without its password.
func checkURL(raw string) error {
	if raw == "" {
		return nil // no Redis: the state stays in process
	}
	if _, err := rueidis.ParseURL(raw); err != nil {
		return errors.New("not a Redis URL: " + Redacted(raw))
	}
	return nil
}
