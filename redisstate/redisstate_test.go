package redisstate_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/internal/logbuf"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gitbook-graphql/facade/redisstate"
	"github.com/gitbook-graphql/facade/redisstate/redistest"
	"github.com/gitbook-graphql/facade/upstream"
)

const token = "Bearer gb_api_secret_token_123"

var alice, bob = upstream.CredentialOf(token), upstream.CredentialOf("Bearer gb_api_other")

// replica is what one facade process keeps of Redis.
type replica struct {
	conn *redisstate.Conn
	reg  *prometheus.Registry
	logs *logbuf.Buffer
}

func newReplica(t *testing.T, url string) *replica {
	t.Helper()
	r := &replica{reg: prometheus.NewRegistry(), logs: &logbuf.Buffer{}}
	conn, err := redisstate.Open(redisstate.Options{URL: url, Timeout: 200 * time.Millisecond, ProbeEvery: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(r.logs, nil)), Registerer: r.reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	r.conn = conn
	return r
}

func (r *replica) up(t *testing.T) float64 {
	t.Helper()
	mfs, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "facade_redis_up" {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatal("no facade_redis_up")
	return 0
}

func (r *replica) fallbacks(t *testing.T) int {
	t.Helper()
	n, err := testutil.GatherAndCount(r.reg, "facade_redis_fallbacks_total")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// eventually polls cond until it holds, for what happens in the background
// (a probe finding Redis back); it fails after 10s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not after 10s", what)
}

func TestHoldMetByOneReplicaHoldsTheOthers(t *testing.T) {
	srv := redistest.Start(t)
	a, b := newReplica(t, srv.URL(3)), newReplica(t, srv.URL(3))
	ha, hb := redisstate.NewHolds(a.conn), redisstate.NewHolds(b.conn)
	ctx := t.Context()
	if until := hb.HeldUntil(ctx, alice); !until.IsZero() {
		t.Fatalf("held before any 429: %v", until)
	}
	until := time.Now().Add(3 * time.Second).Truncate(time.Millisecond)
	ha.Hold(ctx, alice, until)
	// b had cached that alice was not held: Redis's invalidation must reach it.
	eventually(t, "b sees a's hold", func() bool { return hb.HeldUntil(ctx, alice).Equal(until) })
	if got := hb.HeldUntil(ctx, bob); !got.IsZero() {
		t.Errorf("another credential is held until %v", got)
	}
	ha.Hold(ctx, alice, until.Add(-time.Second))
	if got := newReplicaHolds(t, srv.URL(3)).HeldUntil(ctx, alice); !got.Equal(until) {
		t.Errorf("a shorter hold shortened it: held until %v, want %v", got, until)
	}
	assertNoSecrets(t, srv, 3)
}

func newReplicaHolds(t *testing.T, url string) *redisstate.Holds {
	return redisstate.NewHolds(newReplica(t, url).conn)
}

func TestReadCacheIsSharedPerCredentialAndForgottenOnWrite(t *testing.T) {
	srv := redistest.Start(t)
	a, b := newReplica(t, srv.URL(0)), newReplica(t, srv.URL(0))
	ca, cb := redisstate.NewReadCache(a.conn, time.Minute, 100), redisstate.NewReadCache(b.conn, time.Minute, 100)
	ctx := t.Context()
	const target = "http://gitbook/v1/spaces/s1"
	_, hit, keep := ca.Get(ctx, alice, target)
	if hit || keep == nil {
		t.Fatalf("an empty cache hit (%v) or gave nothing to keep with", hit)
	}
	keep([]byte(`{"id":"s1"}`))
	if body, hit, _ := cb.Get(ctx, alice, target); !hit || string(body) != `{"id":"s1"}` {
		t.Errorf("another replica, same credential: %q, %v; want the cached read", body, hit)
	}
	if _, hit, _ := cb.Get(ctx, bob, target); hit {
		t.Error("another credential was served alice's cached read")
	}
	cb.Forget(ctx, alice)
	if _, hit, _ := ca.Get(ctx, alice, target); hit {
		t.Error("after a write through b, a still serves the cached read")
	}

	// A read in flight when the write comes is not kept: it may predate it.
	_, _, keep = ca.Get(ctx, alice, target)
	cb.Forget(ctx, alice)
	keep([]byte(`{"id":"stale"}`))
	if body, hit, _ := cb.Get(ctx, alice, target); hit {
		t.Errorf("a read from before the write was served after it: %q", body)
	}
	assertNoSecrets(t, srv, 0)
}

func TestPersistedQueriesAreShared(t *testing.T) {
	srv := redistest.Start(t)
	a, b := newReplica(t, srv.URL(0)), newReplica(t, srv.URL(0))
	qa := redisstate.NewAPQ(a.conn, newLocal(), 100)
	qb := redisstate.NewAPQ(b.conn, newLocal(), 100)
	ctx := t.Context()
	const hash = "ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"
	qa.Add(ctx, hash, "{ me { id } }")
	if q, ok := qb.Get(ctx, hash); !ok || q != "{ me { id } }" {
		t.Errorf("another replica: %q, %v", q, ok)
	}
	qa.Add(ctx, strings.Repeat("b", 64), strings.Repeat("x", 101))
	if _, ok := qb.Get(ctx, strings.Repeat("b", 64)); ok {
		t.Error("a query over the bound was shared")
	}
	assertNoSecrets(t, srv, 0)
}

// localAPQ is an unbounded stand-in for httpapi's cache.
type localAPQ struct {
	mu sync.Mutex
	m  map[string]string
}

func newLocal() graphql.Cache[string] { return &localAPQ{m: map[string]string{}} }

func (l *localAPQ) Get(_ context.Context, k string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.m[k]
	return v, ok
}

func (l *localAPQ) Add(_ context.Context, k, v string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m[k] = v
}

func TestRedisGoneThenBack(t *testing.T) {
	srv := redistest.Start(t)
	a, b := newReplica(t, srv.URL(0)), newReplica(t, srv.URL(0))
	ca, cb := redisstate.NewReadCache(a.conn, time.Minute, 100), redisstate.NewReadCache(b.conn, time.Minute, 100)
	ha := redisstate.NewHolds(a.conn)
	ctx := t.Context()
	const target = "http://gitbook/v1/spaces/s1"
	_, _, keep := ca.Get(ctx, alice, target)
	keep([]byte("before"))

	srv.Stop()
	// Each replica serves from its own memory: a hold it met still holds.
	until := time.Now().Add(time.Minute)
	ha.Hold(ctx, alice, until)
	if got := ha.HeldUntil(ctx, alice); !got.Equal(until) {
		t.Errorf("with Redis gone, the hold this replica met: %v, want %v", got, until)
	}
	_, hit, keep := ca.Get(ctx, alice, target)
	if hit {
		t.Error("with Redis gone, a read from Redis was served")
	}
	keep([]byte("local"))
	if body, hit, _ := ca.Get(ctx, alice, target); !hit || string(body) != "local" {
		t.Errorf("with Redis gone, this replica's own cache: %q, %v", body, hit)
	}
	cb.Forget(ctx, alice) // a write through b while Redis is gone
	if a.up(t) != 0 || a.fallbacks(t) == 0 {
		t.Errorf("facade_redis_up %v, fallbacks series %d: the outage is not in the metrics", a.up(t), a.fallbacks(t))
	}
	if n := strings.Count(a.logs.String(), "redis unavailable"); n != 1 {
		t.Errorf("the outage was logged %d times, want once:\n%s", n, a.logs.String())
	}

	srv.Restart()
	eventually(t, "a back on Redis", a.conn.Up)
	eventually(t, "b back on Redis", b.conn.Up)
	if a.up(t) != 1 || !strings.Contains(a.logs.String(), "redis is back") {
		t.Errorf("facade_redis_up %v after recovery; logs:\n%s", a.up(t), a.logs.String())
	}
	if _, hit, _ := ca.Get(ctx, alice, target); hit {
		t.Error("after the outage, a served what it kept alone, which may predate b's write")
	}
	_, _, keep = ca.Get(ctx, alice, target)
	keep([]byte("after"))
	if body, hit, _ := cb.Get(ctx, alice, target); !hit || string(body) != "after" {
		t.Errorf("shared again after the outage: %q, %v", body, hit)
	}
}

// Entries kept before an outage, in a Redis that stayed up for others, are
// not served after a write that only one replica saw during it.
func TestWriteDuringOutageStartsANewEpoch(t *testing.T) {
	srv := redistest.Start(t)
	a := newReplica(t, srv.URL(0))
	ca := redisstate.NewReadCache(a.conn, time.Minute, 100)
	ctx := t.Context()
	_, _, keep := ca.Get(ctx, alice, "t")
	keep([]byte("before"))
	srv.Pause()
	ca.Forget(ctx, alice) // times out: Redis is too slow
	srv.Resume()
	if a.conn.Up() {
		t.Fatal("a timed-out write left Redis in use")
	}
	eventually(t, "back on Redis", a.conn.Up)
	b := newReplica(t, srv.URL(0))
	cb := redisstate.NewReadCache(b.conn, time.Minute, 100)
	if body, hit, _ := cb.Get(ctx, alice, "t"); hit {
		t.Errorf("a read from before a write during the outage was served: %q", body)
	}
}

func TestSlowRedisFallsBackWithinItsDeadline(t *testing.T) {
	srv := redistest.Start(t)
	a := newReplica(t, srv.URL(0))
	ha := redisstate.NewHolds(a.conn)
	ctx := t.Context()
	srv.Pause()
	defer srv.Resume()
	done := make(chan time.Time, 1)
	go func() { done <- ha.HeldUntil(ctx, bob) }()
	select {
	case got := <-done:
		if !got.IsZero() {
			t.Errorf("held until %v", got)
		}
	case <-time.After(5 * time.Second): // the deadline is 200ms: this is a hang
		t.Fatal("a hold check waited on a Redis that does not answer")
	}
	if a.conn.Up() {
		t.Error("a Redis past its deadline is still in use")
	}
}

func TestStartsWithRedisAbsent(t *testing.T) {
	srv := redistest.Start(t)
	srv.Stop()
	a := newReplica(t, srv.URL(0))
	if a.conn.Up() {
		t.Fatal("up with no Redis")
	}
	h := redisstate.NewHolds(a.conn)
	if got := h.HeldUntil(t.Context(), alice); !got.IsZero() {
		t.Errorf("held until %v", got)
	}
	srv.Restart()
	eventually(t, "connected once Redis came", a.conn.Up)
	until := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	h.Hold(t.Context(), alice, until)
	if got := newReplicaHolds(t, srv.URL(0)).HeldUntil(t.Context(), alice); !got.Equal(until) {
		t.Errorf("after connecting late, the hold did not reach Redis: %v", got)
	}
}

func TestPasswordAndDatabaseFromTheURL(t *testing.T) {
	srv := redistest.Start(t, "--requirepass", "s3cret")
	url := "redis://:s3cret@" + srv.Addr() + "/5"
	a := newReplica(t, url)
	if !a.conn.Up() {
		t.Fatalf("not connected with the URL's password:\n%s", a.logs.String())
	}
	if redisstate.Redacted(url) == url || strings.Contains(redisstate.Redacted(url), "s3cret") {
		t.Errorf("Redacted(%q) = %q", url, redisstate.Redacted(url))
	}
	wrong := newReplica(t, "redis://:nope@"+srv.Addr()+"/5")
	if wrong.conn.Up() {
		t.Error("up with a wrong password")
	}
	if strings.Contains(wrong.logs.String(), "nope") {
		t.Errorf("the password was logged:\n%s", wrong.logs.String())
	}
}

// assertNoSecrets: no key or value holds the token, and every key expires.
func assertNoSecrets(t *testing.T, srv *redistest.Server, db int) {
	t.Helper()
	c := srv.Client(db)
	ctx := context.Background()
	keys, err := c.Do(ctx, c.B().Keys().Pattern("*").Build()).AsStrSlice()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys: %v, %v", keys, err)
	}
	secret := strings.TrimPrefix(token, "Bearer ")
	for _, k := range keys {
		v, _ := c.Do(ctx, c.B().Get().Key(k).Build()).ToString()
		if strings.Contains(k, secret) || strings.Contains(v, secret) {
			t.Errorf("key %q or its value holds the token", k)
		}
		if ttl, err := c.Do(ctx, c.B().Pttl().Key(k).Build()).AsInt64(); err != nil || ttl < 0 {
			t.Errorf("key %q: PTTL %d, %v; every key must expire", k, ttl, err)
		}
	}
}
