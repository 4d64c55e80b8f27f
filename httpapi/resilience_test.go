package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/upstream"
)

// 30% of calls answer 503 and 20% are reset, on a schedule that repeats
// however the calls interleave: every read still answers in full.
func TestStormOf503sAndResetsAnswersInFull(t *testing.T) {
	data, ids := manySpaces(30)
	vars := map[string]any{"ids": ids}

	clean := newFacade(t, setup{sim: gitbooksim.Options{Data: data}})
	var want thirtySpacesAnswer
	clean.do(t, thirtySpacesQuery, variables(vars)).decode(t, &want)
	logical := clean.sim.CallCount("")

	f := newFacade(t, setup{sim: gitbooksim.Options{Data: data, Fault: gitbooksim.FailScheduled(1,
		gitbooksim.WeightedFault{P: 0.3, Fault: gitbooksim.Fault{Status: http.StatusServiceUnavailable}},
		gitbooksim.WeightedFault{P: 0.2, Fault: gitbooksim.Fault{Reset: true}},
	)}})
	var got thirtySpacesAnswer
	f.do(t, thirtySpacesQuery, variables(vars)).decode(t, &got)
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("answer under faults differs from the clean one:\n got %s\nwant %s", gotJSON, wantJSON)
	}
	calls := f.sim.CallCount("")
	failed := 0
	for _, c := range f.sim.Calls() {
		if c.Status != http.StatusOK {
			failed++
		}
	}
	t.Logf("%d logical calls took %d attempts (%.2fx), %d of them failed; %+v", logical, calls, float64(calls)/float64(logical), failed, f.client.Stats())
	if failed == 0 {
		t.Error("no fault was injected")
	}
}

// After a 429 with Retry-After, no call with that token reaches the
// upstream before the time named, from this request or any other; other
// tokens are not held.
func TestRateLimitHoldsTheCredentialAcrossRequests(t *testing.T) {
	data := gitbooksim.DemoData()
	f := newFacade(t, setup{sim: gitbooksim.Options{
		Data:  data,
		Fault: gitbooksim.FailFirst("getSpaceById", 1, gitbooksim.RateLimited(time.Second)),
	}})
	done := make(chan response, 2)
	go func() {
		done <- f.do(t, `{ space(id: "acme-handbook") { title } }`)
	}()
	// The next call of that token must come after the 429 has come back:
	// wait for the simulator to have sent it (rather than for a time a
	// loaded machine may overrun), and a little for the client to read it.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if calls := f.sim.Calls(); len(calls) > 0 && !calls[0].End.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first call never came back")
		}
	}
	time.Sleep(50 * time.Millisecond)
	go func() {
		done <- f.do(t, `{ organization(id: "acme") { title } }`)
	}()
	var other struct{ Organization struct{ Title string } }
	f.do(t, `{ organization(id: "acme") { title } }`, bearer(gitbooksim.ReaderToken)).decode(t, &other)
	for range 2 {
		if r := <-done; len(r.Errors) > 0 {
			t.Errorf("a held request failed: %+v", r.Errors)
		}
	}

	calls := f.sim.Calls()
	limited := calls[0]
	if limited.Status != http.StatusTooManyRequests {
		t.Fatalf("first call: %+v", limited)
	}
	for _, c := range calls[1:] {
		early := c.Start.Before(limited.Start.Add(time.Second))
		switch {
		case c.Authorization == limited.Authorization && early:
			t.Errorf("%s %s arrived %v after the 429 that asked for 1s", c.Method, c.Path, c.Start.Sub(limited.Start))
		case c.Authorization != limited.Authorization && !early:
			t.Errorf("another token's call was held: %s arrived %v after the 429", c.Path, c.Start.Sub(limited.Start))
		}
	}
}

// A success that says X-RateLimit-Remaining: 0 already holds the token's
// next calls until X-RateLimit-Reset.
func TestRemainingZeroHoldsTheNextCalls(t *testing.T) {
	reset := time.Now().Add(2 * time.Second).Truncate(time.Second)
	exhausted := http.Header{}
	exhausted.Set("X-RateLimit-Limit", "100")
	exhausted.Set("X-RateLimit-Remaining", "0")
	exhausted.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	f := newFacade(t, setup{sim: gitbooksim.Options{
		Fault: gitbooksim.FailFirst("", 1, gitbooksim.Fault{Header: exhausted}),
	}})
	var got struct{ Space struct{ Title string } }
	f.do(t, `{ space(id: "acme-handbook") { title } }`).decode(t, &got)
	f.do(t, `{ space(id: "acme-changelog") { title } }`).decode(t, &got)
	calls := f.sim.Calls()
	if len(calls) != 2 || calls[1].Start.Before(reset) {
		t.Errorf("the second call arrived %v before the reset", reset.Sub(calls[1].Start))
	}
}

// A 429 whose wait ends past the request's deadline is answered at once,
// and later requests with that token are refused without a call.
func TestRateLimitPastTheDeadlineFailsFast(t *testing.T) {
	f := newFacade(t, setup{
		sim:    gitbooksim.Options{Fault: gitbooksim.FailFirst("getSpaceById", 1, gitbooksim.RateLimited(time.Hour))},
		config: func(c *httpapi.Config) { c.RequestTimeout = 2 * time.Second },
	})
	for i := range 3 {
		r := f.do(t, `{ space(id: "acme-handbook") { title } }`)
		if !slices.Equal(r.codes(), []string{"RATE_LIMITED"}) {
			t.Fatalf("request %d: %+v", i, r.Errors)
		}
		if ra, _ := r.Errors[0].Extensions["retryAfter"].(float64); ra < 3590 || ra > 3600 {
			t.Errorf("request %d: retryAfter = %v", i, ra)
		}
	}
	if n := f.sim.CallCount(""); n != 1 {
		t.Errorf("%d calls reached the upstream, want only the first", n)
	}
	var other struct{ Space struct{ Title string } }
	f.do(t, `{ space(id: "acme-handbook") { title } }`, bearer(gitbooksim.ReaderToken)).decode(t, &other)
}

// In a sustained outage every read says UPSTREAM_UNAVAILABLE, the upstream
// sees fewer calls than the reads (the breaker opens), and once it is back
// a probe closes the circuit.
func TestSustainedOutage(t *testing.T) {
	for name, tc := range map[string]struct {
		breaker  bool
		maxCalls float64 // per read
	}{
		"breaker and budget": {true, 1.2},
		"budget alone":       {false, 1.6},
	} {
		t.Run(name, func(t *testing.T) {
			breaker := upstream.DefaultBreakerPolicy()
			breaker.Disabled, breaker.OpenFor = !tc.breaker, 200*time.Millisecond
			f := newFacade(t, setup{
				sim:      gitbooksim.Options{Fault: gitbooksim.FailAlways("", gitbooksim.Fault{Status: http.StatusServiceUnavailable})},
				upstream: func(o *upstream.Options) { o.Breaker = &breaker },
			})
			const reads = 30
			for i := range reads {
				r := f.do(t, `{ space(id: "acme-handbook") { title } }`)
				if !slices.Equal(r.codes(), []string{"UPSTREAM_UNAVAILABLE"}) {
					t.Fatalf("read %d: %+v", i, r.Errors)
				}
			}
			calls := f.sim.CallCount("")
			t.Logf("%d reads, %d upstream calls (%.2fx); %+v", reads, calls, float64(calls)/reads, f.client.Stats())
			if float64(calls) >= tc.maxCalls*reads {
				t.Errorf("%d calls for %d reads, want fewer than %.1fx", calls, reads, tc.maxCalls)
			}
			if !tc.breaker {
				return
			}
			f.sim.SetFault(nil)
			time.Sleep(250 * time.Millisecond) // past OpenFor: the next call is the probe
			var got struct{ Space struct{ Title string } }
			f.do(t, `{ space(id: "acme-handbook") { title } }`).decode(t, &got)
			f.do(t, `{ space(id: "acme-changelog") { title } }`).decode(t, &got)
			if state := f.client.WithAuthorization("Bearer " + gitbooksim.DemoToken).CredentialStats().BreakerState; state != "closed" {
				t.Errorf("breaker %s after the upstream came back", state)
			}
		})
	}
}

// A POST whose answer is lost is not sent again, and the caller is told
// its outcome is unknown; here it had in fact been applied.
func TestLostMutationAnswerIsSentOnceAndReported(t *testing.T) {
	f := newFacade(t, setup{sim: gitbooksim.Options{
		Fault: gitbooksim.FailFirst("installIntegrationOnSpace", 1, gitbooksim.Fault{LoseAnswer: true}),
	}})
	r := f.do(t, `mutation {
	  installIntegrationOnSpace(integration: "codesandbox", installation: "inst-acme-codesandbox", space: "acme-handbook") { installation }
	}`)
	if !slices.Equal(r.codes(), []string{"UPSTREAM_UNAVAILABLE"}) || r.Errors[0].Extensions["outcome"] != "unknown" {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if n := f.sim.CallCount("installIntegrationOnSpace"); n != 1 {
		t.Errorf("install sent %d times", n)
	}
	if !slices.Contains(spaceIntegrationNames(t, f, "acme-handbook"), "codesandbox") {
		t.Error("the lost install did take effect upstream; the next read should show it")
	}
}

// -upstream-concurrency bounds the calls in flight from the process; the
// rest wait their turn and the answer is whole.
func TestUpstreamConcurrencyIsBounded(t *testing.T) {
	data, ids := manySpaces(30)
	f := newFacade(t, setup{
		sim:      gitbooksim.Options{Data: data, Latency: 10 * time.Millisecond},
		upstream: func(o *upstream.Options) { o.MaxInFlight = 4 },
	})
	var got thirtySpacesAnswer
	f.do(t, thirtySpacesQuery, variables(map[string]any{"ids": ids})).decode(t, &got)
	if len(got.Spaces) != 30 {
		t.Fatalf("%d spaces", len(got.Spaces))
	}
	if peak := f.sim.PeakInFlight(); peak > 4 || peak < 2 {
		t.Errorf("peak in flight %d, want at most 4 (and some concurrency)", peak)
	}
}
