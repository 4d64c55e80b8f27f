package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/upstream"
)

const dedupeQuery = `query Handbook { space(id: "acme-handbook") { title permissions { admin } } }`

// dedupeFacade is a facade whose upstream is slow enough that requests
// sent together are in flight together, with coalescing of upstream reads
// off: whatever is shared is shared by the dedupe alone.
func dedupeFacade(t *testing.T, off bool) (*facade, *prometheus.Registry) {
	reg := prometheus.NewRegistry()
	f := newFacade(t, setup{
		sim:      gitbooksim.Options{Latency: 300 * time.Millisecond},
		upstream: func(o *upstream.Options) { o.Sharing.NoCoalescing = true },
		config:   func(c *httpapi.Config) { c.Registry, c.NoDedupe = reg, off },
	})
	return f, reg
}

// together sends the requests at once and returns their answers' bodies;
// an empty body is a request that got none.
func together(t *testing.T, reqs []*http.Request) []string {
	t.Helper()
	bodies := make([]string, len(reqs))
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			bodies[i] = string(b)
		}()
	}
	wg.Wait()
	return bodies
}

func requests(t *testing.T, f *facade, n int, opts ...option) []*http.Request {
	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i] = newCall(dedupeQuery, opts).request(t, f.url)
	}
	return reqs
}

func TestIdenticalQueriesInFlightExecuteOnce(t *testing.T) {
	f, reg := dedupeFacade(t, false)
	bodies := together(t, requests(t, f, 10))
	for i, b := range bodies {
		if b != bodies[0] || !strings.Contains(b, `"admin":true`) {
			t.Errorf("answer %d: %s; want the first's, %s", i, b, bodies[0])
		}
	}
	if n := f.sim.CallCount("getSpaceById"); n != 1 {
		t.Errorf("10 identical queries at once made %d calls, want 1", n)
	}
	if n := counterValue(t, reg, "graphql_requests_deduplicated_total"); n != 9 {
		t.Errorf("graphql_requests_deduplicated_total %v, want 9", n)
	}
	// Each is still a request of its own in the metrics.
	if n, err := testutil.GatherAndCount(reg, "graphql_requests_total"); err != nil || n == 0 {
		t.Errorf("graphql_requests_total: %d series, %v", n, err)
	}

	// Switched off, each executes.
	off, _ := dedupeFacade(t, true)
	together(t, requests(t, off, 10))
	if n := off.sim.CallCount("getSpaceById"); n != 10 {
		t.Errorf("with NoDedupe, 10 identical queries made %d calls, want 10", n)
	}
}

func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no %s", name)
	return 0
}

func TestIdenticalQueriesOfTwoCredentialsExecuteTwice(t *testing.T) {
	f, _ := dedupeFacade(t, false)
	reqs := append(requests(t, f, 5), requests(t, f, 5, bearer(gitbooksim.ReaderToken))...)
	bodies := together(t, reqs)
	for i, b := range bodies {
		want := `"admin":true`
		if i >= 5 {
			want = `"admin":false`
		}
		if !strings.Contains(b, want) {
			t.Errorf("answer %d: %s; want %s: its own credential's", i, b, want)
		}
	}
	if n := f.sim.CallCount("getSpaceById"); n != 2 {
		t.Errorf("%d calls, want one per credential", n)
	}
}

func TestWhatIsNotSharedExecutesForEachCaller(t *testing.T) {
	f, _ := dedupeFacade(t, false)
	// The per-request cost is the caller's own.
	together(t, requests(t, f, 3, setHeader(httpapi.DebugHeader, "1")))
	if n := f.sim.CallCount("getSpaceById"); n != 3 {
		t.Errorf("with X-Upstream-Debug: %d calls, want 3", n)
	}
	// Mutations are never shared.
	install := `mutation { uninstallIntegrationFromSpace(integration: "slack", installation: "inst-acme-slack", space: "acme-handbook") { __typename } }`
	reqs := make([]*http.Request, 3)
	for i := range reqs {
		reqs[i] = newCall(install, nil).request(t, f.url)
	}
	together(t, reqs)
	if n := f.sim.CallCount("uninstallIntegrationFromSpace"); n != 3 {
		t.Errorf("3 identical mutations at once: %d calls, want 3", n)
	}
}

func TestACallerWhoGoesAwayDoesNotFailTheOthers(t *testing.T) {
	f, _ := dedupeFacade(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	first := newCall(dedupeQuery, nil).request(t, f.url).WithContext(ctx)
	gone := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(first)
		if err == nil {
			resp.Body.Close()
		}
		gone <- err
	}()
	// The first caller's execution is under way before the others join it.
	for f.sim.CallCount("getSpaceById") == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	others := make(chan []string, 1)
	go func() { others <- together(t, requests(t, f, 4)) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-gone; err == nil {
		t.Fatal("the first caller was answered before it went away; the test proves nothing")
	}
	for i, b := range <-others {
		if !strings.Contains(b, `"title":"Employee Handbook"`) || strings.Contains(b, `"errors"`) {
			t.Errorf("answer %d after the first caller went away: %q", i, b)
		}
	}
	if n := f.sim.CallCount("getSpaceById"); n != 1 {
		t.Errorf("%d calls, want the first caller's one, shared", n)
	}
}
