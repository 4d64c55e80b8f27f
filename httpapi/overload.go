package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"golang.org/x/sync/semaphore"

	"github.com/gitbook-graphql/facade/codes"
	"github.com/gitbook-graphql/facade/telemetry"
)

// Requests in flight are bounded twice: by count, and by the bytes of their
// bodies across requests. A count alone would either admit a thousand
// half-sent bodies of a megabyte or turn away a small request arriving
// meanwhile. What does not fit is refused at once with 503, never queued,
// as Envoy's overload manager and Apollo Router's traffic shaping shed load.

const (
	// DefaultMaxInflightRequests is twice the benchmark's 500 concurrent
	// clients; a request under load holds about 100 KB, so 1024 hold about
	// 100 MiB. nginx allows 512 connections per worker, HAProxy as many as
	// the file limit, 1024 on most systems.
	DefaultMaxInflightRequests = 1024
	// DefaultMaxInflightBodyBytes is 32 bodies of the 1 MiB maximum at once,
	// well under the 80 MiB GOMEMLIMIT (gc.go): a growing buffer leaves as
	// much again in garbage until the collector runs. GraphQL bodies are a
	// few KiB; only a router's _entities batches come near a megabyte.
	DefaultMaxInflightBodyBytes = 32 << 20
	// UnchargedBodyBytes of each body are read without charging the shared
	// budget: nginx's client_body_buffer_size on 64-bit machines, the part
	// of a body it keeps in memory. A typical query is a few hundred bytes,
	// so a small request is admitted whenever there is a request slot.
	UnchargedBodyBytes = 16 << 10
	// overloadRetryAfter, in seconds: overload passes quickly (a held body
	// ends by the server's read timeout at the latest), and a second apart
	// spreads the retries.
	overloadRetryAfter = "1"
)

// admission bounds the requests in flight: how many, and the bytes of
// their bodies past each one's first UnchargedBodyBytes. It never waits:
// what does not fit is refused at once, as Envoy's overload actions do.
type admission struct {
	requests  *semaphore.Weighted
	bodyBytes *semaphore.Weighted
	metrics   *telemetry.Metrics // nil for none
}

func newAdmission(maxRequests int, maxBodyBytes int64, metrics *telemetry.Metrics) *admission {
	return &admission{
		requests:  semaphore.NewWeighted(int64(maxRequests)),
		bodyBytes: semaphore.NewWeighted(maxBodyBytes),
		metrics:   metrics,
	}
}

// limitRequests refuses a request past the count with 503 OVERLOADED
// before anything reads it.
func (a *admission) limitRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.requests.TryAcquire(1) {
			a.refuse(w, r, telemetry.RefusedRequests, "the server is answering as many requests as it may at once (-max-inflight-requests); retry later")
			return
		}
		defer a.requests.Release(1)
		if a.metrics != nil {
			a.metrics.RequestsInFlight(1)
			defer a.metrics.RequestsInFlight(-1)
		}
		next.ServeHTTP(w, r)
	})
}

// errOverloaded is readBody's error for a body the budget cannot hold.
var errOverloaded = errors.New("request bodies in flight are at their bound")

// readBody reads a body whole, up to limit bytes (which the reader
// enforces). Its buffer starts at the announced length when that is within
// UnchargedBodyBytes, as one allocation; past that it doubles, and each
// growth is reserved from the shared budget before it is allocated, never
// from the announced length before the bytes arrive. (Doubling leaves about
// as much again in garbage for a large body: the price of holding no memory
// its bytes have not earned.) A body that cannot reserve ends at once with
// errOverloaded. held is what it reserved, whatever the error: the caller
// releases it once the request is answered.
func (a *admission) readBody(body io.Reader, length, limit int64) (data []byte, held int64, err error) {
	// bytes.MinRead of room past the end reads EOF without growing; a
	// length not announced grows from there.
	final, start := limit+bytes.MinRead, int64(bytes.MinRead)
	if length >= 0 {
		final = min(final, length+bytes.MinRead)
		start = final
	}
	buf := make([]byte, 0, min(start, UnchargedBodyBytes))
	for {
		if len(buf) == cap(buf) {
			size := int64(cap(buf))
			next := max(min(2*size, final), size+bytes.MinRead)
			if more := charged(next) - charged(size); more > 0 {
				if !a.reserve(more) {
					return nil, held, errOverloaded
				}
				held += more
			}
			buf = append(make([]byte, 0, next), buf...)
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		switch {
		case err == io.EOF:
			return buf, held, nil
		case err != nil:
			return nil, held, err
		}
	}
}

// charged is what a buffer of size bytes costs the shared budget.
func charged(size int64) int64 { return max(size-UnchargedBodyBytes, 0) }

func (a *admission) reserve(n int64) bool {
	if !a.bodyBytes.TryAcquire(n) {
		return false
	}
	if a.metrics != nil {
		a.metrics.BodyBytesReserved(n)
	}
	return true
}

func (a *admission) release(n int64) {
	if n <= 0 {
		return
	}
	a.bodyBytes.Release(n)
	if a.metrics != nil {
		a.metrics.BodyBytesReserved(-n)
	}
}

// refuse answers 503 OVERLOADED with Retry-After, and counts it. The
// connection is closed after the answer: net/http would otherwise read up
// to 256 KiB of the unread body before it answers, and a caller holding
// its body back would hold the answer back too.
func (a *admission) refuse(w http.ResponseWriter, r *http.Request, reason, message string) {
	if a.metrics != nil {
		a.metrics.Refused(reason)
	}
	w.Header().Set("Retry-After", overloadRetryAfter)
	w.Header().Set("Connection", "close")
	refuse(w, r, http.StatusServiceUnavailable, codes.Overloaded, message)
}
