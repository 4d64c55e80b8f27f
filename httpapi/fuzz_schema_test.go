package httpapi_test

import (
	"log/slog"
	"net/http/httptest"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/httpapi/hostile"
	"github.com/gitbook-graphql/facade/upstream"
)

// FuzzServedSchemaDocuments runs documents generated over the served schema
// (hostile.Generate: fields with their arguments, ids repeated, aliases,
// fragments deferred or not, introspection; half of them taking @defer's
// parts) and checks, for each, what can be counted rather than timed: the
// answer stays within its limits, in values and in bytes; the request
// ends; and no goroutine it started outlives it. The limits are small, so
// that answers are cut often.
func FuzzServedSchemaDocuments(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzServedSchemaDocuments, and these.
	for _, seed := range []string{
		"\x00", "\x03\x01\x02\x06\x02\x11\x05\x05", "\x07\x07\x07\x07", "\x02\x06\x04\x00\x09\x05\x06\x01\x01",
		"\x03\x11\x00\x17\x03\x02\x15\x00\x02\x02\x03", "\x01\x06\x02\x00\x03\x00\x05\x08\x00",
	} {
		f.Add([]byte(seed))
	}
	sim := gitbooksim.NewServer(gitbooksim.Options{})
	f.Cleanup(sim.Close)
	client, err := upstream.New(sim.URL, upstream.Options{Retry: &fastRetry})
	if err != nil {
		f.Fatal(err)
	}
	limits := httpapi.Config{Client: client, Logger: slog.New(slog.DiscardHandler), RequestTimeout: 2 * time.Second,
		MaxResponseValues: 3000, MaxResponseBytes: 64 << 10}
	handler := httpapi.New(limits)
	limits = limitsOf(limits)
	f.Fuzz(func(t *testing.T, program []byte) {
		req := hostile.Generate(program)
		before := runtime.NumGoroutine()
		done := make(chan *httptest.ResponseRecorder, 1)
		go func() {
			opts := []option{rawAnswer()}
			for k, v := range req.Header {
				opts = append(opts, setHeader(k, v))
			}
			c := newCall(req.Query, opts)
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, c.request(t, "http://facade.test"))
			done <- rec
		}()
		var rec *httptest.ResponseRecorder
		select {
		case rec = <-done:
		case <-time.After(limits.RequestTimeout + 5*time.Second):
			t.Fatalf("the request did not end: %s", req.Query)
		}
		a, err := hostile.Read(rec.Code, rec.Header(), rec.Body.Bytes())
		if err != nil {
			t.Fatalf("%v: %s", err, req.Query)
		}
		if a.Status >= 500 || slices.Contains(a.Codes, "INTERNAL_SERVER_ERROR") || slices.Contains(a.Codes, "") {
			t.Fatalf("%s for %s", a.Text(), req.Query)
		}
		size := 0
		for _, p := range a.Parts {
			size += len(p)
		}
		if size > limits.MaxResponseBytes || a.Values() > limits.MaxResponseValues {
			t.Fatalf("an answer of %d bytes and %d values, past the limits, for %s", size, a.Values(), req.Query)
		}
		// What the request started ends with it, within a second: the
		// upstream connections it left in the pool aside, which are the
		// process's, and closed here as they become idle.
		deadline := time.Now().Add(time.Second)
		for client.CloseIdleConnections(); runtime.NumGoroutine() > before; client.CloseIdleConnections() {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Fatalf("%d goroutines a second after the request, %d before it: %s\n%s", runtime.NumGoroutine(), before, req.Query, buf[:runtime.Stack(buf, true)])
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// limitsOf is cfg with the defaults New gives what it leaves unset.
func limitsOf(cfg httpapi.Config) httpapi.Config {
	d := httpapi.DefaultConfig()
	if cfg.MaxErrors == 0 {
		cfg.MaxErrors = d.MaxErrors
	}
	return cfg
}
