package httpapi_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
)

// Requests in flight are bounded by count and by the bytes of their
// bodies; what does not fit gets 503 OVERLOADED with Retry-After, and
// costs no upstream call.

func TestPastTheInflightBoundARequestIsRefusedWithoutACall(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	f, client := overloadFacade(t, func(c *httpapi.Config) { c.MaxInflightRequests = 2 })

	// Two requests whose bodies never finish hold both slots.
	held := []*heldBody{holdBody(t, f, 1000, 10), holdBody(t, f, 1000, 10)}
	f.awaitMetric(t, client, "graphql_requests_in_flight", func(v float64) bool { return v == 2 })

	r := f.do(t, `{ space(id: "acme-handbook") { title } }`, via(client))
	if r.status != http.StatusServiceUnavailable || len(r.codes()) != 1 || r.codes()[0] != "OVERLOADED" {
		t.Fatalf("HTTP %d, errors %+v", r.status, r.Errors)
	}
	if got := r.header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q", got)
	}
	if n := f.sim.CallCount(""); n != 0 {
		t.Errorf("%d upstream calls for a refused request", n)
	}
	if n := f.metric(t, client, `graphql_requests_refused_total{reason="requests"}`); n != 1 {
		t.Errorf("%v refusals counted", n)
	}

	// Once they go, their slots are free again.
	for _, h := range held {
		h.conn.Close()
	}
	f.awaitMetric(t, client, "graphql_requests_in_flight", func(v float64) bool { return v == 0 })
	var got struct{ Space struct{ Title string } }
	f.do(t, `{ space(id: "acme-handbook") { title } }`, via(client)).decode(t, &got)
	if got.Space.Title != "Employee Handbook" {
		t.Errorf("after the held requests went: %+v", got)
	}
}

// Many callers each holding half of a large body fill the bytes in flight
// and are refused past them; a small request arriving meanwhile is
// answered, since a body's first few KiB are not charged.
func TestHeldHalfBodiesLeaveASmallRequestAnswered(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	const (
		budget  = 1 << 20
		callers = 40
		length  = 768 << 10
		half    = length / 2 // each holder charges at least a third of the budget
	)
	f, client := overloadFacade(t, func(c *httpapi.Config) { c.MaxInflightBodyBytes = budget })

	held := make([]*heldBody, callers)
	for i := range held {
		held[i] = holdBody(t, f, length, half)
	}
	// Settled: every caller is refused or holds its half, and at most two
	// halves fit.
	var holding float64
	f.awaitMetric(t, client, `graphql_requests_refused_total{reason="body_bytes"}`, func(refused float64) bool {
		holding = f.metric(t, client, "graphql_requests_in_flight")
		return refused+holding == callers && holding <= 2
	})
	if reserved := f.metric(t, client, "graphql_request_body_bytes_reserved"); reserved > budget || reserved <= 0 {
		t.Errorf("%v bytes reserved by %v held bodies", reserved, holding)
	}

	var got struct{ Space struct{ Title string } }
	f.do(t, `{ space(id: "acme-handbook") { title } }`, via(client)).decode(t, &got)
	if got.Space.Title != "Employee Handbook" {
		t.Errorf("the small request: %+v", got)
	}

	for _, h := range held {
		h.conn.Close()
	}
	refused := 0
	for _, h := range held {
		if r := <-h.answer; r != nil {
			refused++
			if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || !bytes.Contains(r.body, []byte(`"code":"OVERLOADED"`)) {
				t.Errorf("a held body was answered HTTP %d, %s", r.StatusCode, r.body)
			}
		}
	}
	if refused != callers-int(holding) {
		t.Errorf("%d callers answered OVERLOADED, %v held their bodies, of %d", refused, holding, callers)
	}
	f.awaitMetric(t, client, "graphql_request_body_bytes_reserved", func(v float64) bool { return v == 0 })
	f.awaitMetric(t, client, "graphql_requests_in_flight", func(v float64) bool { return v == 0 })
	if n := f.sim.CallCount(""); n != 1 {
		t.Errorf("%d upstream calls; the small request alone makes one", n)
	}
}

func TestABodyThatCannotReserveIsRefusedAndGivesItsBytesBack(t *testing.T) {
	f, client := overloadFacade(t, func(c *httpapi.Config) { c.MaxInflightBodyBytes = 64 << 10 })
	padded := func(n int) []byte {
		return requestBody(`{ space(id: "acme-handbook") { title } }` + strings.Repeat(" ", n))
	}

	r := f.do(t, "", rawBody(padded(200<<10)), via(client))
	if r.status != http.StatusServiceUnavailable || len(r.codes()) != 1 || r.codes()[0] != "OVERLOADED" || r.header.Get("Retry-After") == "" {
		t.Fatalf("HTTP %d, Retry-After %q, errors %+v", r.status, r.header.Get("Retry-After"), r.Errors)
	}
	if n := f.metric(t, client, "graphql_request_body_bytes_reserved"); n != 0 {
		t.Errorf("%v bytes still reserved after the refusal", n)
	}
	if n := f.metric(t, client, `graphql_requests_refused_total{reason="body_bytes"}`); n != 1 {
		t.Errorf("%v refusals counted", n)
	}
	if n := f.sim.CallCount(""); n != 0 {
		t.Errorf("%d upstream calls for a refused body", n)
	}

	// A body that fits is answered, and gives its bytes back too.
	var got struct{ Space struct{ Title string } }
	f.do(t, "", rawBody(padded(40<<10)), via(client)).decode(t, &got)
	if got.Space.Title != "Employee Handbook" {
		t.Errorf("a body within the budget: %+v", got)
	}
	if n := f.metric(t, client, "graphql_request_body_bytes_reserved"); n != 0 {
		t.Errorf("%v bytes still reserved after the answer", n)
	}
}

// overloadFacade is a facade with its metrics served, and a client of its
// own whose connections are closed at the end.
func overloadFacade(t *testing.T, config func(*httpapi.Config)) (*facade, *http.Client) {
	t.Helper()
	registry := prometheus.NewRegistry()
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.Registry = registry; config(c) }})
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() {
		client.CloseIdleConnections()
		f.client.CloseIdleConnections()
	})
	return f, client
}

// heldBody is a request sent over a connection of its own with its
// headers and part of its body; answer gets what the facade answered
// (nil for nothing before the connection closed).
type heldBody struct {
	conn   net.Conn
	answer chan *heldAnswer
}

type heldAnswer struct {
	*http.Response
	body []byte
}

func holdBody(t *testing.T, f *facade, length, send int) *heldBody {
	t.Helper()
	host := strings.TrimPrefix(f.url, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() }) // before the server's: it waits for the requests it holds
	h := &heldBody{conn: conn, answer: make(chan *heldAnswer, 1)}
	head := fmt.Sprintf("POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n",
		host, gitbooksim.DemoToken, length)
	var wg sync.WaitGroup
	wg.Add(1)
	// A refused caller's write may block until the facade closes the
	// connection, so it does not hold up the reading.
	go func() {
		defer wg.Done()
		_, _ = conn.Write(append([]byte(head), bytes.Repeat([]byte(" "), send)...))
	}()
	go func() {
		defer wg.Wait()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			h.answer <- nil
			return
		}
		body, _ := io.ReadAll(resp.Body)
		h.answer <- &heldAnswer{Response: resp, body: body}
	}()
	return h
}

// metric is the value of one series at /metrics (name and labels as the
// exposition writes them), 0 when it is not there.
func (f *facade) metric(t *testing.T, client *http.Client, series string) float64 {
	t.Helper()
	scrape := f.do(t, "", get("/metrics"), via(client)).body
	for line := range strings.SplitSeq(string(scrape), "\n") {
		if value, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return v
		}
	}
	return 0
}

// awaitMetric waits until series satisfies ok; the deadline only keeps a
// broken test from hanging.
func (f *facade) awaitMetric(t *testing.T, client *http.Client, series string, ok func(float64) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v := f.metric(t, client, series)
		if ok(v) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s stayed at %v", series, v)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
