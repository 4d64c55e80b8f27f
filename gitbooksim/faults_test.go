package gitbooksim_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

func TestFaultHelpers(t *testing.T) {
	f := gitbooksim.Fault{Status: http.StatusServiceUnavailable}
	first := gitbooksim.FailFirst("getSpaceById", 2, f)
	got := []bool{}
	for _, op := range []string{"getOrganizationById", "getSpaceById", "getOrganizationById", "getSpaceById", "getSpaceById"} {
		got = append(got, first(gitbooksim.Call{Op: op}) != nil)
	}
	if diff := cmp.Diff([]bool{false, true, false, true, false}, got); diff != "" {
		t.Errorf("FailFirst counts only its operation (-want +got):\n%s", diff)
	}
	anyOp := gitbooksim.FailFirst("", 1, f)
	if anyOp(gitbooksim.Call{Op: "x"}) == nil || anyOp(gitbooksim.Call{Op: "y"}) != nil {
		t.Error("FailFirst(\"\", 1) fails the first call of any operation only")
	}
	always := gitbooksim.FailAlways("getSpaceById", f)
	if always(gitbooksim.Call{Op: "getSpaceById"}) == nil || always(gitbooksim.Call{Op: "getOrganizationById"}) != nil {
		t.Error("FailAlways fails its operation only")
	}

	draws := func(seed uint64) []int {
		ff := gitbooksim.FailRandomly(seed,
			gitbooksim.WeightedFault{P: 0.2, Fault: gitbooksim.Fault{Status: 503}},
			gitbooksim.WeightedFault{P: 0.1, Fault: gitbooksim.Fault{Status: 429}})
		out := make([]int, 1000)
		for i := range out {
			if f := ff(gitbooksim.Call{}); f != nil {
				out[i] = f.Status
			}
		}
		return out
	}
	a, b := draws(42), draws(42)
	if !slices.Equal(a, b) {
		t.Error("FailRandomly with the same seed differs between runs")
	}
	if slices.Equal(a, draws(43)) {
		t.Error("FailRandomly ignores its seed")
	}
	counts := map[int]int{}
	for _, s := range a {
		counts[s]++
	}
	if counts[503] < 150 || counts[503] > 250 || counts[429] < 60 || counts[429] > 140 {
		t.Errorf("FailRandomly shares = %v, want about 200 503s and 100 429s in 1000", counts)
	}

	before := time.Now()
	rl := gitbooksim.RateLimited(1500 * time.Millisecond)
	reset, err := strconv.ParseInt(rl.Header.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil || rl.Status != http.StatusTooManyRequests || rl.Header.Get("Retry-After") != "2" ||
		rl.Header.Get("X-RateLimit-Limit") != "60" || rl.Header.Get("X-RateLimit-Remaining") != "0" ||
		reset < before.Add(1500*time.Millisecond).Unix() || reset > time.Now().Add(1500*time.Millisecond).Unix() {
		t.Errorf("RateLimited(1.5s) = %+v", rl)
	}
}

func TestFaultsOverHTTP(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	srv.SetFault(gitbooksim.FailFirst("", 1, gitbooksim.RateLimited(time.Second)))
	a := get(t, srv, gitbooksim.DemoToken, "/spaces/acme-handbook")
	assertEnvelope(t, a, http.StatusTooManyRequests, "Too Many Requests")
	if a.header.Get("Retry-After") != "1" || a.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("429 headers = %v", a.header)
	}

	srv.SetFault(gitbooksim.FailFirst("", 1, gitbooksim.Fault{Status: 502, Body: "<html>bad gateway</html>", Header: http.Header{"X-Edge": {"1"}}}))
	a = get(t, srv, gitbooksim.DemoToken, "/spaces/acme-handbook")
	if a.status != 502 || string(a.body) != "<html>bad gateway</html>" || a.header.Get("X-Edge") != "1" {
		t.Errorf("verbatim body fault: %d %q %v", a.status, a.body, a.header)
	}

	// A fault with a delay alone answers normally, later.
	srv.ResetStats()
	srv.SetFault(gitbooksim.FailFirst("", 1, gitbooksim.Fault{Delay: 30 * time.Millisecond}))
	if a := get(t, srv, gitbooksim.DemoToken, "/spaces/acme-handbook"); a.status != http.StatusOK {
		t.Errorf("delayed call: %d", a.status)
	}
	if c := srv.Calls()[0]; c.End.Sub(c.Start) < 30*time.Millisecond {
		t.Errorf("delayed call took %v", c.End.Sub(c.Start))
	}

	// A lost answer is applied although the caller hears nothing.
	srv.SetFault(gitbooksim.FailFirst("", 1, gitbooksim.Fault{LoseAnswer: true}))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/integrations/okta/installations/inst-acme-okta/spaces", strings.NewReader(`{"space": "acme-changelog"}`))
	req.Header.Set("Authorization", "Bearer "+gitbooksim.DemoToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a lost answer arrived")
	}
	if !strings.Contains(string(get(t, srv, gitbooksim.DemoToken, "/spaces/acme-changelog/integrations").body), `"name":"okta"`) {
		t.Error("the install whose answer was lost did not take effect")
	}
}

func TestRateLimitPerTokenCountsEachTokensWindow(t *testing.T) {
	limit := gitbooksim.RateLimitPerToken(2, time.Hour)
	a, b := gitbooksim.Call{Authorization: "Bearer a"}, gitbooksim.Call{Authorization: "Bearer b"}
	for want := 1; want >= 0; want-- {
		f := limit(a)
		if f == nil || f.Status != 0 || f.Header.Get("X-RateLimit-Remaining") != strconv.Itoa(want) {
			t.Fatalf("within the quota: %+v, want an answer with %d remaining", f, want)
		}
	}
	f := limit(a)
	if f == nil || f.Status != http.StatusTooManyRequests {
		t.Fatalf("past the quota: %+v", f)
	}
	reset, _ := strconv.ParseInt(f.Header.Get("X-RateLimit-Reset"), 10, 64)
	if want := time.Now().Truncate(time.Hour).Add(time.Hour).Unix(); reset != want {
		t.Errorf("X-RateLimit-Reset %d, want the window's end %d", reset, want)
	}
	if f := limit(b); f == nil || f.Status != 0 {
		t.Errorf("another token shares the quota: %+v", f)
	}
}

func TestRateLimitTokenAndEarlyCalls(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	// An hour: every call of the demo token after the first is early.
	srv.SetFault(gitbooksim.RateLimitToken(gitbooksim.DemoToken, 2, time.Hour))
	a := get(t, srv, gitbooksim.DemoToken, "/spaces/acme-handbook")
	assertEnvelope(t, a, http.StatusTooManyRequests, "Too Many Requests")
	if a.header.Get("Retry-After") != "3600" {
		t.Errorf("Retry-After %q, want 3600", a.header.Get("Retry-After"))
	}
	if a := get(t, srv, gitbooksim.ReaderToken, "/spaces/acme-handbook"); a.status != http.StatusOK {
		t.Errorf("another token's call: %d, want 200", a.status)
	}
	if a := get(t, srv, gitbooksim.DemoToken, "/spaces/acme-handbook"); a.status != http.StatusTooManyRequests {
		t.Errorf("second call: %d, want a 429", a.status)
	}
	if a := get(t, srv, gitbooksim.DemoToken, "/spaces/acme-handbook"); a.status != http.StatusOK {
		t.Errorf("third call: %d, want 200 (only the first two are limited)", a.status)
	}
	if n, m := srv.EarlyCalls(gitbooksim.DemoToken), srv.EarlyCalls(gitbooksim.ReaderToken); n != 2 || m != 0 {
		t.Errorf("early calls: %d of the limited token, %d of the other; want 2 and 0", n, m)
	}
	srv.ResetStats()
	get(t, srv, gitbooksim.DemoToken, "/spaces/acme-handbook")
	if n := srv.EarlyCalls(gitbooksim.DemoToken); n != 1 {
		t.Errorf("after ResetStats: %d early calls, want 1 (the named time is kept)", n)
	}
}

func TestLimitToken(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	until := time.Now().Add(90 * time.Minute)
	srv.LimitToken(gitbooksim.DemoToken, until)
	a := get(t, srv, gitbooksim.DemoToken, "/spaces/acme-handbook")
	assertEnvelope(t, a, http.StatusTooManyRequests, "Too Many Requests")
	reset, _ := strconv.ParseInt(a.header.Get("X-RateLimit-Reset"), 10, 64)
	if ra, _ := strconv.Atoi(a.header.Get("Retry-After")); ra < 5390 || ra > 5400 || time.Unix(reset, 0).Before(until) {
		t.Errorf("429 names Retry-After %s, reset %d; want about 5400s, not before %v", a.header.Get("Retry-After"), reset, until)
	}
	if a := get(t, srv, gitbooksim.ReaderToken, "/spaces/acme-handbook"); a.status != http.StatusOK {
		t.Errorf("another token's call: %d, want 200", a.status)
	}
	if n := srv.EarlyCalls(gitbooksim.DemoToken); n != 1 {
		t.Errorf("%d early calls, want 1", n)
	}
}

func TestForToken(t *testing.T) {
	f := gitbooksim.ForToken("a", gitbooksim.FailAlways("", gitbooksim.Fault{Status: http.StatusServiceUnavailable}))
	if f(gitbooksim.Call{Authorization: "Bearer a"}) == nil || f(gitbooksim.Call{Authorization: "Bearer b"}) != nil || f(gitbooksim.Call{}) != nil {
		t.Error("ForToken fails the calls of its token alone")
	}
}
