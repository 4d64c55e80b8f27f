package httpapi

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gitbook-graphql/facade/telemetry"
)

// dedupe executes identical queries in flight at the same time once, and
// gives every caller the same encoded answer. Identical means the same
// credential, the same raw GraphQL parameters (document, variables,
// operation name, extensions) and the same media type: nothing else a
// query's answer depends on. Only queries are shared (never mutations, nor
// subscriptions), never across credentials, and not for callers who asked
// for what is theirs alone: the per-request cost (X-Upstream-Debug) or
// @defer's parts.
//
// The execution does not belong to the caller that began it: it runs
// under that caller's deadline but not its cancellation, and stops only
// when every caller waiting for it has gone.
type dedupe struct {
	mu      sync.Mutex
	flights map[[32]byte]*flight
}

// sharedAnswer is an execution's encoded answer, and what the requests it
// answers record of it.
type sharedAnswer struct {
	data      []byte
	operation string // its name, for the callers' metrics and log lines
	outcome   telemetry.Outcome
}

type flight struct {
	done    chan struct{}
	answer  sharedAnswer
	waiters int
	cancel  context.CancelFunc
}

func newDedupe() *dedupe { return &dedupe{flights: map[[32]byte]*flight{}} }

// dedupeKey names what an answer depends on: the credential, the raw
// parameters (a POST body, or a GET's query string), the media type, and
// whether the caller takes @defer's parts.
func dedupeKey(r *http.Request, raw []byte, media string, multipart bool) [32]byte {
	parts := "whole"
	if multipart {
		parts = "parts"
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(r.Header.Get("Authorization")), []byte(r.Method), []byte(media), []byte(parts), raw} {
		h.Write(part)
		h.Write([]byte{0})
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// join makes the caller a waiter for the flight of key, if one is in the
// air: a query being executed for an identical request.
func (d *dedupe) join(key [32]byte) (*flight, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f, found := d.flights[key]
	if found {
		f.waiters++
	}
	return f, found
}

// shared is what a shared execution gave one of its callers.
type shared struct {
	answer   sharedAnswer
	answered bool // answer is the execution's
	joined   bool // the execution was another caller's
	timedOut bool // this caller's deadline passed first
}

// do returns the answer of execute for key, run once for every caller of
// the same key in flight at once.
//
// The first caller executes on its own goroutine, whose stack has grown
// to what an execution needs already. execute gets the execution's
// lifetime: the first caller's deadline, cancelled when every caller has
// gone.
func (d *dedupe) do(ctx context.Context, key [32]byte, execute func(life context.Context) sharedAnswer) shared {
	d.mu.Lock()
	if f, found := d.flights[key]; found {
		f.waiters++
		d.mu.Unlock()
		s := d.wait(ctx, key, f)
		s.joined = true
		return s
	}
	execCtx, cancel := detached(ctx)
	f := &flight{done: make(chan struct{}), waiters: 1, cancel: cancel}
	d.flights[key] = f
	d.mu.Unlock()
	defer cancel()
	// Gone before the answer: it is left to those still waiting, if any.
	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.Canceled) {
			d.leave(key, f)
		}
	})
	f.answer = execute(execCtx)
	stop()
	d.forget(key, f)
	close(f.done)
	return shared{answer: f.answer, answered: !errors.Is(ctx.Err(), context.Canceled)}
}

// lateAnswerGrace is how long past its own deadline a caller waits for a
// shared execution's answer: the execution ends at the deadline of the
// caller that began it, no later than this one's, with its timeouts in its
// answer, but ending takes it a moment (its last calls return, its answer
// is encoded). Past it, the caller answers its own timeout rather than
// wait on.
const lateAnswerGrace = time.Second

// wait is a later caller's part: the answer of the flight it joined.
func (d *dedupe) wait(ctx context.Context, key [32]byte, f *flight) shared {
	select {
	case <-f.done:
		return shared{answer: f.answer, answered: true, joined: true}
	case <-ctx.Done():
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t := time.NewTimer(lateAnswerGrace)
		defer t.Stop()
		select {
		case <-f.done:
			return shared{answer: f.answer, answered: true, joined: true}
		case <-t.C:
		}
		d.leave(key, f)
		return shared{timedOut: true}
	}
	d.leave(key, f)
	return shared{}
}

// leave counts a caller gone; when none is left, the execution stops, and
// whoever comes next starts afresh.
func (d *dedupe) leave(key [32]byte, f *flight) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if f.waiters--; f.waiters == 0 {
		f.cancel()
		if d.flights[key] == f {
			delete(d.flights, key)
		}
	}
}

// forget ends f's sharing, unless a newer flight has taken its key.
func (d *dedupe) forget(key [32]byte, f *flight) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.flights[key] == f {
		delete(d.flights, key)
	}
}

// detached keeps ctx's values and deadline, not its cancellation.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	c := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(c, deadline)
	}
	return context.WithCancel(c)
}
