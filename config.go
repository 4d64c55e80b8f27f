package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/redisstate"
	"github.com/gitbook-graphql/facade/settings"
	"github.com/gitbook-graphql/facade/upstream"
)

// config is what the flags and their environment variables set. The
// handler's, the client's and Redis's settings are bound straight to their
// packages' Config and Options, which list them (their Settings); the
// process's own are listed by settings below.
type config struct {
	handler httpapi.Config
	client  upstream.Options
	// redis.URL set: the state replicas share lives in Redis.
	redis redisstate.Options

	addr          string
	addrSet       bool     // -addr or ADDR was given
	allowedHosts  []string // none: see allowedHosts
	upstreamURL   string
	demo          bool
	logFormat     string
	logLevel      string
	shutdownGrace time.Duration
	drainDelay    time.Duration
	debugAddr     string
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	c := config{handler: httpapi.DefaultConfig(), client: upstream.DefaultOptions(), redis: redisstate.DefaultOptions()}
	given, err := c.command().Parse(args, getenv, stderr)
	c.addrSet = given["addr"]
	if err == nil {
		err = c.check()
	}
	return c, err
}

// check refuses settings that are each in range but do not fit together.
func (c *config) check() error {
	if c.handler.MaxInflightBodyBytes < c.handler.MaxBodyBytes {
		// Else the largest body allowed would always be refused for overload.
		return errors.New("-max-inflight-body-bytes must be at least -max-request-bytes")
	}
	return nil
}

// command is every setting of the process, bound to c: -h and the README's
// table list them in this order.
func (c *config) command() settings.Command {
	return settings.Command{
		Name:      "facade",
		Intro:     "Serves the GitBook REST API as GraphQL at /graphql.",
		Settings:  slices.Concat(c.settings(), c.handler.Settings(), c.client.Settings(), c.redis.Settings()),
		Variables: variables,
	}
}

// settings are the process's own: where it listens and logs, and how it
// stops.
func (c *config) settings() []settings.Setting {
	return []settings.Setting{
		settings.String{Flag: "addr", Env: "ADDR", Value: &c.addr, Default: ":8080",
			Usage: "listen address; `127.0.0.1:8080` when not set and `GITBOOK_TOKEN` or `-demo` gives the server a credential of its own"},
		settings.List{Flag: "allowed-hosts", Env: "ALLOWED_HOSTS", Value: &c.allowedHosts,
			DefaultText: "`" + strings.Join(httpapi.DefaultAllowedHosts, "`, `") + "` and `-addr`'s host",
			Usage:       "comma-separated `Host` names at which the server's own credential (`GITBOOK_TOKEN`, `-demo`) serves callers who send no `Authorization` (others get 403 `FORBIDDEN`, before any call); `*` for any"},
		settings.String{Flag: "upstream", Env: "GITBOOK_API_URL", Value: &c.upstreamURL, Default: upstream.DefaultBaseURL,
			Usage: "GitBook API base URL"},
		settings.Bool{Flag: "demo", Env: "DEMO", On: &c.demo,
			Usage: "serve over the embedded simulated GitBook, with demo data (ignores `-upstream`)"},
		settings.String{Flag: "log-format", Env: "LOG_FORMAT", Value: &c.logFormat, Default: "json", Choices: []string{"json", "text"},
			Usage: "format of the log lines"},
		settings.String{Flag: "log-level", Env: "LOG_LEVEL", Value: &c.logLevel, Default: "info", Check: checkLogLevel,
			Usage: "least level logged: `debug`, `info`, `warn` or `error`"},
		settings.Duration{Flag: "shutdown-grace", Env: "SHUTDOWN_GRACE", Value: &c.shutdownGrace, Default: 10 * time.Second,
			Usage: "how long in-flight requests may finish after SIGTERM"},
		settings.Duration{Flag: "drain-delay", Env: "DRAIN_DELAY", Value: &c.drainDelay,
			Usage: "after SIGTERM, how long `/readyz` says 503 before the server stops taking requests; behind a balancer, longer than its health check's interval × fall (`1500ms` behind the HAProxy of [Deploying replicas](docs/deploying.md))"},
		settings.String{Flag: "debug-addr", Env: "DEBUG_ADDR", Value: &c.debugAddr,
			Usage: "serve Go's profiles (`/debug/pprof/`) on this address, apart from the API; keep it on loopback; empty leaves it off"},
	}
}

func checkLogLevel(s string) error { return new(slog.Level).UnmarshalText([]byte(s)) }

// variables are what the process reads from its environment besides its
// flags.
var variables = []settings.Variable{
	{Env: "GITBOOK_TOKEN", Usage: "token sent upstream for callers who send no `Authorization`"},
	{Env: "GOGC", DefaultText: fmt.Sprintf("`%d`", gcPercent),
		Usage: "Go's collector setting; the facade's default is not Go's 100 (why: [bench/PROFILE.md](bench/PROFILE.md))"},
	{Env: "GOMEMLIMIT", DefaultText: fmt.Sprintf("`%dMiB`", memoryLimit>>20),
		Usage: "Go's soft memory limit; raise it to fit a larger container, or when `-upstream-cache-ttl` keeps many answers"},
	{Env: "OTEL_*", Usage: "OpenTelemetry's own variables (`OTEL_TRACES_EXPORTER`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_SERVICE_NAME`, …); tracing is off when none is set"},
}
