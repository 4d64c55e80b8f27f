package replicas_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/internal/logbuf"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/redisstate/redistest"
	"github.com/gitbook-graphql/facade/replicas"
)

const (
	admin  = "Bearer " + gitbooksim.DemoToken
	reader = "Bearer " + gitbooksim.ReaderToken
)

var (
	buildOnce sync.Once
	buildDir  string // removed by TestMain
	binary    string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// docs/deploying.md shows the HAProxy configuration these tests run, as it is.
func TestTheReadmeShowsTheHAProxyConfiguration(t *testing.T) {
	readme, err := os.ReadFile("../docs/deploying.md")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile("../deploy/haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, append([]byte("```haproxy\n"), append(cfg, "```"...)...)) {
		t.Error("docs/deploying.md does not show deploy/haproxy.cfg as it is, in a ```haproxy block")
	}
}

// deployment is what the README's Deploying section describes, on
// loopback: the simulated GitBook, one Redis, three replicas and HAProxy.
type deployment struct {
	sim      *gitbooksim.Server
	redis    *redistest.Server
	replicas []*replicas.Replica
	proxy    *replicas.HAProxy
	logs     *logbuf.Buffer // every process's output
}

func need(t *testing.T, command, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(command); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; .ci/run installs Debian's %s package", command, pkg)
		}
		t.Skipf("%s is not installed (apt-get install %s)", command, pkg)
	}
}

func deploy(t *testing.T, extra ...string) *deployment {
	t.Helper()
	redis := redistest.Start(t)
	return deployOn(t, redis, redis.URL(2), extra...)
}

// deployOn is deploy with a Redis of the test's own, at redisURL.
func deployOn(t *testing.T, redis *redistest.Server, redisURL string, extra ...string) *deployment {
	t.Helper()
	need(t, "haproxy", "haproxy")
	d := &deployment{redis: redis, logs: &logbuf.Buffer{}}
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "facade-replicas-"); buildErr == nil {
			binary, buildErr = replicas.Build("..", buildDir)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	d.sim = gitbooksim.NewServer(gitbooksim.Options{MaxPageSize: gitbooksim.DemoMaxPageSize})
	t.Cleanup(d.sim.Close)
	args := append([]string{
		"-upstream", d.sim.URL, "-redis-url", redisURL, "-upstream-cache-ttl", "1m",
		"-drain-delay", "1500ms", "-cursor-secret", "shared-by-the-replicas", "-log-format", "text", "-log-level", "warn",
	}, extra...)
	for range 3 {
		r, err := replicas.StartReplica(binary, args, d.logs)
		if err != nil {
			t.Fatalf("replica: %v\n%s", err, d.logText())
		}
		t.Cleanup(r.Kill)
		d.replicas = append(d.replicas, r)
	}
	proxy, err := replicas.StartHAProxy("../deploy/haproxy.cfg", d.replicas, d.logs)
	if err != nil {
		t.Fatalf("haproxy: %v\n%s", err, d.logText())
	}
	t.Cleanup(proxy.Stop)
	d.proxy = proxy
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("processes' logs:\n%s", d.logText())
		}
	})
	return d
}

func (d *deployment) logText() string { return d.logs.String() }

func (d *deployment) post(t *testing.T, url, auth string, req replicas.Request) *replicas.Answer {
	t.Helper()
	a, err := replicas.Post(t.Context(), http.DefaultClient, url, auth, req)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

const spaceQuery = `query($id: ID!) { space(id: $id) { id title permissions { admin } } }`

func spaceOf(t *testing.T, a *replicas.Answer) (title string, admin bool) {
	t.Helper()
	if len(a.Errors) > 0 {
		t.Fatalf("errors: %+v", a.Errors)
	}
	var v struct {
		Space struct {
			Title       string
			Permissions struct{ Admin bool }
		}
	}
	if err := json.Unmarshal(a.Data, &v); err != nil {
		t.Fatal(err)
	}
	return v.Space.Title, v.Space.Permissions.Admin
}

func TestARateLimitMetThroughOneReplicaHoldsTheToken(t *testing.T) {
	d := deploy(t)
	const wait = 3 * time.Second
	d.sim.Handler.SetFault(gitbooksim.FailFirst("getSpaceById", 1, gitbooksim.RateLimited(wait)))
	vars := map[string]any{"id": "acme-handbook"}
	// Through replica 1: GitBook answers 429, and the replica waits the
	// hold out and asks again.
	done := make(chan *replicas.Answer, 1)
	go func() {
		a, _ := replicas.Post(context.Background(), http.DefaultClient, d.replicas[0].URL(), admin, replicas.Request{Query: spaceQuery, Variables: vars})
		done <- a
	}()
	var limited gitbooksim.Call
	for deadline := time.Now().Add(5 * time.Second); limited.Status == 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for _, c := range d.sim.Calls() {
			if c.Status == http.StatusTooManyRequests {
				limited = c
			}
		}
	}
	if limited.Status == 0 {
		t.Fatal("GitBook's 429 never came")
	}
	// Through replicas 2 and 3, other reads of the same token, and one of
	// another token.
	var wg sync.WaitGroup
	answers := make([]*replicas.Answer, 3)
	for i, r := range []struct {
		url, auth, space string
	}{{d.replicas[1].URL(), admin, "acme-handbook"}, {d.replicas[2].URL(), admin, "acme-api-reference"}, {d.replicas[2].URL(), reader, "acme-handbook"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = d.post(t, r.url, r.auth, replicas.Request{Query: spaceQuery, Variables: map[string]any{"id": r.space}})
		}()
	}
	wg.Wait()
	first := <-done
	for i, a := range append(answers, first) {
		if a == nil || len(a.Errors) > 0 {
			t.Fatalf("answer %d: %+v", i, a)
		}
	}
	reset := limited.End.Add(wait - 50*time.Millisecond) // Retry-After, less the clock's grain
	early := 0
	for _, c := range d.sim.Calls() {
		if c.Seq > limited.Seq && c.Authorization == admin && c.Start.Before(reset) {
			early++
			t.Errorf("call %d (%s) for the held token %v before the reset", c.Seq, c.Path, reset.Sub(c.Start))
		}
	}
	readerCalls := 0
	for _, c := range d.sim.Calls() {
		if c.Authorization == reader && c.Start.Before(reset) {
			readerCalls++
		}
	}
	if readerCalls == 0 {
		t.Error("another token was held too")
	}
	t.Logf("calls for the held token before the reset: %d; for another token: %d", early, readerCalls)
}

func persisted(query string) map[string]any {
	sum := sha256.Sum256([]byte(query))
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
}

func TestAPersistedQueryRegisteredThroughOneReplicaAnswersThroughAnother(t *testing.T) {
	d := deploy(t)
	const query = `query Registered($id: ID!) { space(id: $id) { title } }`
	vars := map[string]any{"id": "acme-handbook"}
	if a := d.post(t, d.replicas[2].URL(), admin, replicas.Request{Variables: vars, Extensions: persisted(query)}); !contains(a.Codes(), "PERSISTED_QUERY_NOT_FOUND") {
		t.Fatalf("an unregistered hash: %+v", a)
	}
	if a := d.post(t, d.replicas[0].URL(), admin, replicas.Request{Query: query, Variables: vars, Extensions: persisted(query)}); len(a.Errors) > 0 {
		t.Fatalf("registering: %+v", a.Errors)
	}
	for _, r := range d.replicas[1:] {
		a := d.post(t, r.URL(), admin, replicas.Request{Variables: vars, Extensions: persisted(query)})
		if len(a.Errors) > 0 || !strings.Contains(string(a.Data), "Employee Handbook") {
			t.Errorf("the hash alone through %s: %s %+v", r.Addr, a.Data, a.Errors)
		}
	}
}

func TestACachedReadIsSharedAcrossReplicasForItsCredentialOnly(t *testing.T) {
	d := deploy(t)
	req := replicas.Request{Query: spaceQuery, Variables: map[string]any{"id": "acme-handbook"}}
	if _, isAdmin := spaceOf(t, d.post(t, d.replicas[0].URL(), admin, req)); !isAdmin {
		t.Fatal("the admin is not admin")
	}
	if n := d.sim.CallCount("getSpaceById"); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
	for _, r := range d.replicas[1:] {
		if _, isAdmin := spaceOf(t, d.post(t, r.URL(), admin, req)); !isAdmin {
			t.Error("the cached read changed")
		}
	}
	if n := d.sim.CallCount("getSpaceById"); n != 1 {
		t.Errorf("the same read of the same token through the other replicas made %d calls, want none beyond the first", n-1)
	}
	if _, isAdmin := spaceOf(t, d.post(t, d.replicas[1].URL(), reader, req)); isAdmin {
		t.Error("the reader was served the admin's cached read")
	}
	if n := d.sim.CallCount("getSpaceById"); n != 2 {
		t.Errorf("another token's read: %d calls in all, want 2", n)
	}
	assertNoTokenInRedis(t, d)
}

const installedQuery = `query { space(id: "acme-handbook") { integrations { nodes { name } } } }`

func TestAnInstallThroughOneReplicaIsSeenAtOnceThroughTheOthers(t *testing.T) {
	d := deploy(t)
	names := func(r *replicas.Replica) string {
		a := d.post(t, r.URL(), admin, replicas.Request{Query: installedQuery})
		if len(a.Errors) > 0 {
			t.Fatalf("%+v", a.Errors)
		}
		return string(a.Data)
	}
	for _, r := range d.replicas {
		if before := names(r); strings.Contains(before, "codesandbox") {
			t.Fatalf("installed already: %s", before)
		}
	}
	a := d.post(t, d.replicas[0].URL(), admin, replicas.Request{Query: `mutation { installIntegrationOnSpace(integration: "codesandbox", installation: "inst-acme-codesandbox", space: "acme-handbook") { __typename } }`})
	if len(a.Errors) > 0 {
		t.Fatalf("install: %+v", a.Errors)
	}
	for _, r := range d.replicas {
		if after := names(r); !strings.Contains(after, "codesandbox") {
			t.Errorf("through %s after the install: %s (a stale cached list)", r.Addr, after)
		}
	}
	assertNoTokenInRedis(t, d)
}

// assertNoTokenInRedis: no key or value holds a token, and each expires.
func assertNoTokenInRedis(t *testing.T, d *deployment) {
	t.Helper()
	c := d.redis.Client(2)
	ctx := context.Background()
	keys, err := c.Do(ctx, c.B().Keys().Pattern("*").Build()).AsStrSlice()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys: %v, %v", keys, err)
	}
	for _, k := range keys {
		v, _ := c.Do(ctx, c.B().Get().Key(k).Build()).ToString()
		for _, token := range []string{gitbooksim.DemoToken, gitbooksim.ReaderToken} {
			if strings.Contains(k, token) || strings.Contains(v, token) {
				t.Errorf("key %q or its value holds a token", k)
			}
		}
		if ttl, _ := c.Do(ctx, c.B().Pttl().Key(k).Build()).AsInt64(); ttl < 0 {
			t.Errorf("key %q has no TTL", k)
		}
	}
	t.Logf("%d keys in Redis, none with a token, all with a TTL", len(keys))
}

// load sends requests through url from workers until stop is closed, and
// counts the answers and the failures: no answer, a status other than 200,
// or any error in the answer.
type load struct {
	ok, failed atomic.Int64
	mu         sync.Mutex
	failures   []string
	wg         sync.WaitGroup
	stop       chan struct{}
}

var acmeSpaces = []string{"acme-developer-portal", "acme-api-reference", "acme-changelog", "acme-handbook", "acme-design-system"}

func startLoad(url string, workers int) *load {
	l := &load{stop: make(chan struct{})}
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	for w := range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				// Spaces and tokens in turn, so that requests differ.
				auth := []string{admin, reader}[(w+i)%2]
				space := acmeSpaces[(w+i)%len(acmeSpaces)]
				a, err := replicas.Post(context.Background(), hc, url, auth, replicas.Request{Query: spaceQuery, Variables: map[string]any{"id": space}})
				switch {
				case err != nil:
					l.fail(err.Error())
				case a.Status != http.StatusOK || len(a.Errors) > 0:
					l.fail(fmt.Sprintf("HTTP %d %+v", a.Status, a.Errors))
				default:
					l.ok.Add(1)
				}
			}
		}()
	}
	return l
}

func (l *load) fail(what string) {
	l.failed.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) < 10 {
		l.failures = append(l.failures, what)
	}
}

func (l *load) end(t *testing.T) {
	t.Helper()
	close(l.stop)
	l.wg.Wait()
	t.Logf("%d requests answered, %d failed", l.ok.Load(), l.failed.Load())
	if l.failed.Load() > 0 {
		t.Errorf("%d requests failed: %v", l.failed.Load(), l.failures)
	}
	if l.ok.Load() == 0 {
		t.Error("no request was answered")
	}
}

func TestRedisKilledMidRunThenBack(t *testing.T) {
	d := deploy(t)
	l := startLoad(d.proxy.URL(), 8)
	time.Sleep(500 * time.Millisecond)
	d.redis.Stop()
	for _, r := range d.replicas {
		waitMetric(t, r, "facade_redis_up 0")
	}
	// Each replica keeps its own state meanwhile: a query persisted
	// through one answers through it.
	const query = `query DuringTheOutage { space(id: "acme-handbook") { title } }`
	if a := d.post(t, d.replicas[0].URL(), admin, replicas.Request{Query: query, Extensions: persisted(query)}); len(a.Errors) > 0 {
		t.Errorf("with Redis gone: %+v", a.Errors)
	}
	if a := d.post(t, d.replicas[0].URL(), admin, replicas.Request{Extensions: persisted(query)}); len(a.Errors) > 0 {
		t.Errorf("with Redis gone, the same replica's persisted query: %+v", a.Errors)
	}
	time.Sleep(time.Second)
	d.redis.Restart()
	for _, r := range d.replicas {
		waitMetric(t, r, "facade_redis_up 1")
	}
	time.Sleep(500 * time.Millisecond)
	l.end(t)
	const after = `query AfterTheOutage { space(id: "acme-handbook") { title } }`
	if a := d.post(t, d.replicas[1].URL(), admin, replicas.Request{Query: after, Extensions: persisted(after)}); len(a.Errors) > 0 {
		t.Fatalf("%+v", a.Errors)
	}
	if a := d.post(t, d.replicas[2].URL(), admin, replicas.Request{Extensions: persisted(after)}); len(a.Errors) > 0 {
		t.Errorf("after Redis came back, the replicas do not share again: %+v", a.Errors)
	}
	if n := strings.Count(d.logText(), "redis unavailable"); n != len(d.replicas) {
		t.Errorf("the outage was logged %d times by 3 replicas, want once each", n)
	}
}

// Redis that stops answering (SIGSTOP) is Redis too slow: each operation
// gives up at -redis-timeout, and the replicas go on from their own memory.
func TestRedisStalledMidRun(t *testing.T) {
	d := deploy(t)
	l := startLoad(d.proxy.URL(), 8)
	time.Sleep(500 * time.Millisecond)
	d.redis.Pause()
	for _, r := range d.replicas {
		waitMetric(t, r, "facade_redis_up 0")
	}
	time.Sleep(time.Second)
	d.redis.Resume()
	for _, r := range d.replicas {
		waitMetric(t, r, "facade_redis_up 1")
	}
	time.Sleep(500 * time.Millisecond)
	l.end(t)
}

// rediss:// with a password and a database: the replicas share through a
// Redis that takes TLS alone, trusting its CA through SSL_CERT_FILE.
func TestRedisOverTLSWithAPassword(t *testing.T) {
	redis := redistest.StartTLS(t, "--requirepass", "tls-pass")
	t.Setenv("SSL_CERT_FILE", redis.CAFile) // the replicas inherit it
	d := deployOn(t, redis, "rediss://:tls-pass@"+redis.Addr()+"/4")
	for _, r := range d.replicas {
		waitMetric(t, r, "facade_redis_up 1")
	}
	const query = `query OverTLS { space(id: "acme-handbook") { title } }`
	if a := d.post(t, d.replicas[0].URL(), admin, replicas.Request{Query: query, Extensions: persisted(query)}); len(a.Errors) > 0 {
		t.Fatalf("%+v", a.Errors)
	}
	if a := d.post(t, d.replicas[1].URL(), admin, replicas.Request{Extensions: persisted(query)}); len(a.Errors) > 0 {
		t.Errorf("through another replica, over TLS: %+v", a.Errors)
	}
	if keys, err := redis.Client(4).Do(t.Context(), redis.Client(4).B().Keys().Pattern("*").Build()).AsStrSlice(); err != nil || len(keys) == 0 {
		t.Errorf("database 4 holds %v (%v)", keys, err)
	}
	if strings.Contains(d.logText(), "tls-pass") {
		t.Error("the Redis password was logged")
	}
}

func waitMetric(t *testing.T, r *replicas.Replica, line string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + r.Addr + "/metrics")
		if err != nil {
			continue
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		resp.Body.Close()
		if strings.Contains(b.String(), "\n"+line+"\n") {
			return
		}
	}
	t.Fatalf("%s: no %q in /metrics after 10s", r.Addr, line)
}

func TestARollingRestartUnderLoadLosesNothing(t *testing.T) {
	d := deploy(t)
	l := startLoad(d.proxy.URL(), 16)
	time.Sleep(500 * time.Millisecond)
	for i, r := range d.replicas {
		if err := r.Stop(); err != nil {
			t.Fatalf("replica %d: %v", i+1, err)
		}
		if err := r.Start(); err != nil {
			t.Fatalf("replica %d again: %v", i+1, err)
		}
		if err := d.proxy.WaitUp(3, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(500 * time.Millisecond)
	l.end(t)
	// Each replica left HAProxy's rotation by its own /readyz, before it
	// stopped taking requests: no request needed HAProxy to try again.
	if n, err := d.proxy.Retries(); err != nil || n != 0 {
		t.Errorf("HAProxy retried or redispatched %d requests (%v), want none", n, err)
	}
	if n := strings.Count(d.logText(), "wrong status, code: 503"); n < len(d.replicas) {
		t.Errorf("HAProxy saw %d replicas say 503 on /readyz, want each of the %d", n, len(d.replicas))
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
