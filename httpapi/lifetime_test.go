package httpapi_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
)

// Every request ends by its deadline, and takes everything it started with
// it: deferred parts, callers waiting on an identical request, loader
// batches, retries and upstream calls. Each test bounds its own client by
// the deadline and a second, and checks with goleak that nothing the
// request started is left once it has ended and its connection is gone.

const multipartAccept = "multipart/mixed;deferSpec=20220824"

// noLeaks checks, when the test ends, that no goroutine is left but those
// running before it began. Cleanups run last first: call it before
// newFacade, so that it runs after the servers are closed.
func noLeaks(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// boundedClient is a client that gives up a second past the deadline: the
// bound these tests hold the facade to.
func boundedClient(t *testing.T, deadline time.Duration) *http.Client {
	c := &http.Client{Timeout: deadline + time.Second, Transport: &http.Transport{}}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// Two deferred fragments that select the same field, unlabelled or with
// one label, and a fragment deferred twice: gqlgen's executor waited for
// ever for such a field's second part, with the request's goroutines and
// connection. Each is answered in parts, and whole, and ends.
func TestDeferredFragmentsOverOneFieldEnd(t *testing.T) {
	noLeaks(t)
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.RequestTimeout = 2 * time.Second }})
	client := boundedClient(t, 2*time.Second)
	defer f.client.CloseIdleConnections()
	for name, query := range map[string]string{
		"unlabelled":     `{ space(id: "acme-developer-portal") { id ... @defer { organization { id } } ... @defer { organization { id } } } }`,
		"one label":      `{ space(id: "acme-developer-portal") { id ... @defer(label: "a") { organization { id } } ... @defer(label: "a") { organization { title } } } }`,
		"nested":         `{ space(id: "acme-developer-portal") { id ... @defer { ... @defer { organization { id } } organization { id } } } }`,
		"fragment twice": `{ space(id: "acme-developer-portal") { id ...F @defer ...F @defer } } fragment F on Space { organization { id } }`,
		"label variable": `query($l: String) { space(id: "acme-developer-portal") { id ... @defer(label: $l) { organization { id } } ... @defer(label: $l) { organization { id } } } }`,
		"in a list":      `{ spaces(ids: ["acme-handbook", "oss-governance"]) { id ... @defer { organization { id } } ... @defer { organization { id } } } }`,
		// Installed the first time, already there the second: both end.
		"under a mutation": `mutation { installIntegrationOnSpace(integration: "slack", installation: "inst-acme-slack", space: "acme-handbook") { space { id ... @defer { organization { id } } ... @defer { organization { id } } } } }`,
	} {
		t.Run(name, func(t *testing.T) {
			vars := variables(map[string]any{"l": "x"})
			whole := f.do(t, query, via(client), vars)
			if len(whole.Errors) > 0 || !strings.Contains(string(whole.Data), `"organization":{"`) {
				t.Errorf("whole: %s %+v", whole.Data, whole.Errors)
			}
			r := f.do(t, query, via(client), vars, accept(multipartAccept), rawAnswer())
			body := string(r.body)
			if media, params, _ := mime.ParseMediaType(r.header.Get("Content-Type")); media == "multipart/mixed" {
				parts := readParts(t, r.body, params["boundary"])
				if len(parts) < 2 || !strings.Contains(string(parts[len(parts)-1]), `"hasNext":false`) {
					t.Errorf("parts: %s", body)
				}
				if strings.Contains(body, "\x00") || strings.Contains(body, `\u0000`) {
					t.Errorf("a label of the facade's own shows: %s", body)
				}
			} else if !strings.Contains(body, `"organization":{"`) && !strings.Contains(body, `"errors"`) {
				t.Errorf("answer: %s", body)
			}
		})
	}
}

// A @defer whose upstream call hangs ends at the deadline, that part with
// UPSTREAM_TIMEOUT at its path; the rest was sent before it.
func TestADeferredPartWhoseCallHangsEndsAtTheDeadline(t *testing.T) {
	noLeaks(t)
	const deadline = 500 * time.Millisecond
	f := newFacade(t, setup{
		sim:    gitbooksim.Options{Fault: gitbooksim.FailAlways("getOrganizationById", gitbooksim.Fault{Hang: true})},
		config: func(c *httpapi.Config) { c.RequestTimeout = deadline },
	})
	client := boundedClient(t, deadline)
	defer f.client.CloseIdleConnections()
	r := f.do(t, `{ space(id: "acme-handbook") { title ... @defer { organization { title } } } }`, via(client), accept(multipartAccept), rawAnswer())
	_, params, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	parts := readParts(t, r.body, params["boundary"])
	if len(parts) != 2 || !strings.Contains(string(parts[0]), `"title":"Employee Handbook"`) {
		t.Fatalf("parts: %s", r.body)
	}
	last := string(parts[1])
	if !strings.Contains(last, `"code":"UPSTREAM_TIMEOUT"`) || !strings.Contains(last, `"path":["space","organization"]`) || !strings.Contains(last, `"hasNext":false`) {
		t.Errorf("last part: %s", last)
	}
	// And whole, the same: the space, and the timeout at its organization.
	whole := f.do(t, `{ space(id: "acme-handbook") { title ... @defer { organization { title } } } }`, via(client))
	if codes := whole.codes(); len(codes) != 1 || codes[0] != "UPSTREAM_TIMEOUT" || !strings.Contains(string(whole.Data), "Employee Handbook") {
		t.Errorf("whole: %s %+v", whole.Data, whole.Errors)
	}
	f.sim.Close()
}

// A caller that goes away in the middle of @defer's parts leaves nothing
// behind: the part still waited for ends with the caller, and so do its
// upstream calls.
func TestADisconnectMidDeferLeavesNothingBehind(t *testing.T) {
	noLeaks(t)
	f := newFacade(t, setup{
		sim:    gitbooksim.Options{Fault: gitbooksim.FailAlways("getOrganizationById", gitbooksim.Fault{Hang: true})},
		config: func(c *httpapi.Config) { c.RequestTimeout = time.Minute }, // only the disconnect ends it
	})
	defer f.client.CloseIdleConnections()
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		req := newCall(`{ space(id: "acme-handbook") { title ... @defer { organization { title } } } }`, []option{accept(multipartAccept)}).request(t, f.url)
		resp, err := transport.RoundTrip(req.WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		// Read the first part, then go.
		line, err := bufio.NewReader(resp.Body).ReadString('}')
		if err != nil || !strings.Contains(line, "hasNext") && !strings.Contains(line, "data") {
			t.Fatalf("first part: %q %v", line, err)
		}
		cancel()
		resp.Body.Close()
	}
	waitFor(t, "the hung calls to end", func() bool { return f.sim.InFlight() == 0 })
	f.sim.Close()
}

// Callers of a query identical to one in flight wait for it, and no
// longer than their own deadline and a moment: none waits for ever on an
// execution that hangs.
func TestCallersOfAHungSharedQueryEnd(t *testing.T) {
	noLeaks(t)
	const deadline = 500 * time.Millisecond
	f := newFacade(t, setup{
		sim:    gitbooksim.Options{Fault: gitbooksim.FailAlways("getSpaceById", gitbooksim.Fault{Hang: true})},
		config: func(c *httpapi.Config) { c.RequestTimeout = deadline },
	})
	client := boundedClient(t, deadline)
	defer f.client.CloseIdleConnections()
	var wg sync.WaitGroup
	codes := make([]string, 8)
	for i := range codes {
		wg.Go(func() {
			r := f.do(t, `{ space(id: "acme-handbook") { title } }`, via(client))
			codes[i] = fmt.Sprint(r.codes())
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != "[UPSTREAM_TIMEOUT]" && c != "[REQUEST_TIMEOUT]" {
			t.Errorf("caller %d: %s", i, c)
		}
	}
	f.sim.Close()
}

// waitFor polls cond for up to five seconds: for what ends on its own
// goroutine after a request has been answered.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("waited 5s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var _ = io.Discard
