package gitbooksim_test

import (
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

func TestCallsAreRecorded(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/spaces/acme-developer-portal/integrations?search=git&limit=3", nil)
	req.Header.Set("Authorization", "Bearer "+gitbooksim.DemoToken)
	req.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	calls := srv.Calls()
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	c := calls[0]
	want := gitbooksim.Call{Seq: 0, Op: "listSpaceIntegrations", Method: http.MethodGet, Path: "/v1/spaces/acme-developer-portal/integrations",
		Query: url.Values{"search": {"git"}, "limit": {"3"}}, Authorization: "Bearer " + gitbooksim.DemoToken,
		Traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", Status: http.StatusOK}
	if diff := cmp.Diff(want, c, cmp.FilterPath(func(p cmp.Path) bool {
		return p.Last().String() == ".Start" || p.Last().String() == ".End"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("call (-want +got):\n%s", diff)
	}
	if c.Start.IsZero() || c.End.Before(c.Start) {
		t.Errorf("call times %v .. %v", c.Start, c.End)
	}

	srv.ResetStats()
	if len(srv.Calls()) != 0 || srv.PeakInFlight() != 0 || srv.RoundTrips() != 0 {
		t.Errorf("after ResetStats: %d calls, peak %d, round trips %d", len(srv.Calls()), srv.PeakInFlight(), srv.RoundTrips())
	}
	get(t, srv, gitbooksim.DemoToken, "/orgs/acme")
	if c := srv.Calls(); len(c) != 1 || c[0].Seq != 0 {
		t.Errorf("after ResetStats the first call is %+v, want Seq 0", c)
	}

	// A dropped connection is recorded with status 0.
	srv.SetFault(gitbooksim.FailFirst("getSpaceById", 2, gitbooksim.Fault{Reset: true}))
	for range 2 {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/spaces/acme-handbook", nil)
		if resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req); err == nil {
			resp.Body.Close()
			t.Error("a reset call got an answer")
		}
	}
	get(t, srv, gitbooksim.DemoToken, "/spaces/acme-handbook")
	got := []int{}
	for _, c := range srv.Calls() {
		got = append(got, c.Status)
	}
	if diff := cmp.Diff([]int{200, 0, 0, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if got := srv.PathCounts(); !cmp.Equal(got, map[string]int{"GET /v1/orgs/acme": 1, "GET /v1/spaces/acme-handbook": 3}) {
		t.Errorf("path counts = %v", got)
	}
	if srv.CallCount("getSpaceById") != 3 || srv.CallCount("") != 4 || srv.CallCount("getOrganizationById") != 1 || srv.CallCount("listSpaceIntegrations") != 0 {
		t.Errorf("call counts: %d %d %d", srv.CallCount("getSpaceById"), srv.CallCount(""), srv.CallCount("getOrganizationById"))
	}
}

// barrier holds each of n calls until all n have arrived, so that they are
// certainly in flight together.
func barrier(n int, op string) gitbooksim.FaultFunc {
	var wg sync.WaitGroup
	wg.Add(n)
	return func(c gitbooksim.Call) *gitbooksim.Fault {
		if c.Op != op {
			return nil
		}
		wg.Done()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second): // a broken test fails rather than hangs
		}
		return nil
	}
}

func TestRoundTripsAndPeakInFlight(t *testing.T) {
	const latency = 20 * time.Millisecond
	srv := newServer(t, gitbooksim.Options{Latency: latency})
	tok := gitbooksim.DemoToken

	// Three calls one after another: three round trips, never two at once.
	for _, id := range []string{"acme-handbook", "acme-changelog", "acme-api-reference"} {
		get(t, srv, tok, "/spaces/"+id)
	}
	if got := srv.RoundTrips(); got != 3 {
		t.Errorf("sequential: RoundTrips = %d, want 3", got)
	}
	if got := srv.PeakInFlight(); got != 1 {
		t.Errorf("sequential: PeakInFlight = %d, want 1", got)
	}
	for _, c := range srv.Calls() {
		if c.End.Sub(c.Start) < latency {
			t.Errorf("call %d took %v, less than the latency %v", c.Seq, c.End.Sub(c.Start), latency)
		}
	}

	// One call, then three together, then one: three round trips, three at once.
	srv.ResetStats()
	srv.SetFault(barrier(3, "getOrganizationById"))
	get(t, srv, tok, "/spaces/acme-handbook")
	var wg sync.WaitGroup
	for _, org := range []string{"acme", "northwind", "open-source-collective"} {
		wg.Go(func() {
			if a := get(t, srv, tok, "/orgs/"+org); a.status != http.StatusOK {
				t.Errorf("/orgs/%s: %d", org, a.status)
			}
		})
	}
	wg.Wait()
	get(t, srv, tok, "/spaces/acme-changelog")
	if got := srv.RoundTrips(); got != 3 {
		t.Errorf("1+3+1: RoundTrips = %d, want 3", got)
	}
	if got := srv.PeakInFlight(); got != 3 {
		t.Errorf("1+3+1: PeakInFlight = %d, want 3", got)
	}
	if got := len(srv.Calls()); got != 5 {
		t.Errorf("%d calls, want 5", got)
	}

	// Two independent chains of two, side by side: still two round trips.
	srv.ResetStats()
	srv.SetFault(barrier(2, "getOrganizationById"))
	for _, org := range []string{"acme", "northwind"} {
		wg.Go(func() {
			get(t, srv, tok, "/orgs/"+org)
			get(t, srv, tok, "/spaces/acme-handbook")
		})
	}
	wg.Wait()
	if got := srv.RoundTrips(); got != 2 {
		t.Errorf("2×2: RoundTrips = %d, want 2", got)
	}
	if got := srv.PeakInFlight(); got < 2 {
		t.Errorf("2×2: PeakInFlight = %d, want at least 2", got)
	}
}
