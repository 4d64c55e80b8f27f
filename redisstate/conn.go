package redisstate

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/rueidis"

	"github.com/gitbook-graphql/facade/settings"
)

// Options configure a Conn; zero fields take DefaultOptions' values. A
// field that has a flag has its default, range and meaning in Settings.
type Options struct {
	// URL is redis://[user:password@]host:port[/db] or rediss:// for TLS.
	URL string
	// Prefix begins every key, so that one Redis may serve other things.
	Prefix string
	// Timeout bounds each Redis operation; past it the operation is served
	// from this process's state, and so are the next ones until Redis
	// answers a probe again.
	Timeout time.Duration
	// ClientCacheBytes bounds the client-side cache of keys Redis tracks
	// for this process, across its connections.
	ClientCacheBytes int
	// APQTTL is how long a persisted query stays in Redis after it is
	// registered.
	APQTTL time.Duration
	// ProbeEvery is how often Redis is asked whether it is back, while it
	// is not.
	ProbeEvery time.Duration
	// Logger says when Redis goes and comes back, once each. Default slog.Default().
	Logger *slog.Logger
	// Registerer gets the metrics; none when nil.
	Registerer prometheus.Registerer
}

// DefaultOptions are the defaults of Options' zero fields: those of its
// Settings, and ProbeEvery's.
func DefaultOptions() Options {
	o := Options{ProbeEvery: 500 * time.Millisecond}
	settings.Reset(o.Settings())
	return o
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	settings.Fill(o.Settings())
	if o.ProbeEvery <= 0 {
		o.ProbeEvery = d.ProbeEvery
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// pipelineMultiplex: rueidis pipelines over 2^n connections; two serve a
// replica's load (the cache's hits never leave the process).
const pipelineMultiplex = 1

// Conn is the connection the stores share, and the judge of whether Redis
// may be used: after a failed operation it is down, every store serves from
// its own process, and a probe brings it up again.
type Conn struct {
	opts    Options
	client  rueidis.ClientOption
	current atomic.Pointer[clientRef] // nil until connected
	down    atomic.Bool
	probing sync.Mutex // held by the one probe loop
	recover []func(context.Context)
	stop    chan struct{}
	stopped sync.Once
	metrics *metrics
}

type clientRef struct{ rueidis.Client }

// Open parses opts.URL and connects. When Redis does not answer, Open
// still succeeds: the Conn starts down, and probes until Redis comes.
func Open(opts Options) (*Conn, error) {
	opts = opts.withDefaults()
	co, err := rueidis.ParseURL(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("redis URL: %w", err)
	}
	co.ForceSingleClient = true // a standalone Redis: no cluster discovery
	co.PipelineMultiplex = pipelineMultiplex
	co.CacheSizeEachConn = max(opts.ClientCacheBytes>>pipelineMultiplex, 1<<20)
	co.Dialer.Timeout = max(opts.Timeout, time.Second)
	co.ConnWriteTimeout = max(opts.Timeout, time.Second) // a dead connection is dropped this soon
	c := &Conn{opts: opts, client: co, stop: make(chan struct{}), metrics: newMetrics(opts.Registerer)}
	if client, err := rueidis.NewClient(co); err == nil {
		c.current.Store(&clientRef{client})
		c.metrics.up.Set(1)
	} else {
		c.markDown(err)
	}
	return c, nil
}

// Redacted is the URL without its password, for logs.
func Redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

// OnRecover adds f to what runs when Redis is back after an outage, before
// the stores use it again. Call it before the Conn is in use.
func (c *Conn) OnRecover(f func(context.Context)) { c.recover = append(c.recover, f) }

// Close stops probing and closes the connections.
func (c *Conn) Close() {
	c.stopped.Do(func() {
		close(c.stop)
		c.probing.Lock() // wait for the probe loop to end
		defer c.probing.Unlock()
		if ref := c.current.Load(); ref != nil {
			ref.Close()
		}
	})
}

// Up says whether the stores are using Redis now.
func (c *Conn) Up() bool { return !c.down.Load() }

// use is the client to send an operation with, or ok false while Redis is
// down, when the store serves from its process and counts a fallback.
func (c *Conn) use(store string) (rueidis.Client, bool) {
	if ref := c.current.Load(); ref != nil && !c.down.Load() {
		return ref.Client, true
	}
	c.metrics.fallbacks.WithLabelValues(store).Inc()
	return nil, false
}

// opContext bounds one operation by the Conn's timeout.
func (c *Conn) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.opts.Timeout)
}

// write runs op, a store's write, under the operation deadline, and even
// if the caller has gone: the other replicas need what it writes. It says
// whether Redis took it.
func (c *Conn) write(ctx context.Context, store string, op func(context.Context, rueidis.Client) error) bool {
	client, ok := c.use(store)
	if !ok {
		return false
	}
	ctx = context.WithoutCancel(ctx)
	opCtx, cancel := c.opContext(ctx)
	defer cancel()
	err := op(opCtx, client)
	c.failed(ctx, store, err)
	return err == nil
}

// failed judges an operation's error: Redis's absence is not a cache miss,
// so anything but a nil reply takes Redis down, unless the caller went
// away first, which says nothing of Redis.
func (c *Conn) failed(ctx context.Context, store string, err error) {
	if err == nil || rueidis.IsRedisNil(err) {
		return
	}
	if ctx.Err() != nil {
		return
	}
	c.metrics.fallbacks.WithLabelValues(store).Inc()
	c.markDown(err)
}

func (c *Conn) markDown(err error) {
	if !c.down.CompareAndSwap(false, true) {
		return // said once per outage
	}
	c.metrics.up.Set(0)
	c.opts.Logger.Warn("redis unavailable: each replica serves its rate-limit holds, persisted queries and read cache from its own memory until it is back",
		"redis", Redacted(c.opts.URL), "err", err.Error())
	go c.probe()
}

// probe asks Redis every ProbeEvery whether it is back; one probe loop
// runs at a time.
func (c *Conn) probe() {
	if !c.probing.TryLock() {
		return
	}
	defer c.probing.Unlock()
	t := time.NewTicker(c.opts.ProbeEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		if c.ping() {
			for _, f := range c.recover {
				ctx, cancel := c.opContext(context.Background())
				f(ctx)
				cancel()
			}
			c.down.Store(false)
			c.metrics.up.Set(1)
			c.opts.Logger.Info("redis is back: the replicas share their state through it again", "redis", Redacted(c.opts.URL))
			return
		}
	}
}

func (c *Conn) ping() bool {
	ref := c.current.Load()
	if ref == nil {
		client, err := rueidis.NewClient(c.client)
		if err != nil {
			return false
		}
		ref = &clientRef{client}
		c.current.Store(ref)
	}
	ctx, cancel := c.opContext(context.Background())
	defer cancel()
	return ref.Do(ctx, ref.B().Ping().Build()).Error() == nil
}

type metrics struct {
	up        prometheus.Gauge
	fallbacks *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		up: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "facade_redis_up",
			Help: "1 while the shared state is kept in Redis; 0 while each replica serves it from its own memory.",
		}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "facade_redis_fallbacks_total",
			Help: "Operations on shared state served from this process's memory because Redis was down or failed, by store (holds, apq, cache).",
		}, []string{"store"}),
	}
	if reg != nil {
		reg.MustRegister(m.up, m.fallbacks)
	}
	return m
}
