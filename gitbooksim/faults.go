package gitbooksim

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// A FaultFunc decides, for each call, whether it fails and how; nil lets it
// through.
type FaultFunc func(Call) *Fault

// Fault is how one call goes wrong.
type Fault struct {
	Delay      time.Duration // wait before the fault (or the answer)
	Status     int           // answer this status with the spec's error envelope
	Header     http.Header   // headers to send: with Status or Body, or alone, on the normal answer
	Body       string        // with Status (200 when zero): send this body verbatim instead
	Reset      bool          // drop the connection before the call takes effect
	LoseAnswer bool          // let the call take effect, then drop the connection
	CutAnswer  bool          // let the call take effect, send half its answer, then drop the connection
	Hang       bool          // answer nothing until the caller gives up
	// Rewrite, when set, changes the normal answer's JSON (decoded as any)
	// before it is sent; see Drift.
	Rewrite func(answer any) any
}

// applyFault carries out f; it reports false when the call should then be
// answered normally (a Delay alone).
func (h *Handler) applyFault(w http.ResponseWriter, r *http.Request, f *Fault, serve func(http.ResponseWriter)) bool {
	if f.Delay > 0 && !h.sleep(r, f.Delay) {
		resetConnection(w) // returning would answer an empty 200
		return true
	}
	switch {
	case f.Hang:
		select {
		case <-r.Context().Done():
		case <-h.closing:
		}
		resetConnection(w) // released by Close: still answer nothing
		return true
	case f.Reset:
		resetConnection(w)
		return true
	case f.LoseAnswer:
		serve(discardWriter{header: http.Header{}})
		resetConnection(w)
		return true
	case f.CutAnswer:
		rec := httptest.NewRecorder()
		serve(rec)
		body := rec.Body.Bytes()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
		resetConnection(w)
		return true
	case f.Rewrite != nil:
		rec := httptest.NewRecorder()
		serve(rec)
		body := rec.Body.Bytes()
		var answer any
		if json.Unmarshal(body, &answer) == nil {
			body, _ = json.Marshal(f.Rewrite(answer))
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		for k, v := range f.Header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
		return true
	case f.Body != "":
		for k, v := range f.Header {
			w.Header()[k] = v
		}
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(f.Body))
		return true
	case f.Status != 0:
		for k, v := range f.Header {
			w.Header()[k] = v
		}
		writeError(w, f.Status, http.StatusText(f.Status))
		return true
	}
	for k, v := range f.Header { // headers alone: on the normal answer
		w.Header()[k] = v
	}
	return false
}

// resetConnection closes the call's TCP connection with a RST, as a crashed
// or overloaded peer does.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // net/http drops the connection
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}

// FailFirst fails the first n calls of op (every op when empty) with f.
func FailFirst(op string, n int, f Fault) FaultFunc {
	var mu sync.Mutex
	seen := 0
	return func(c Call) *Fault {
		if op != "" && c.Op != op {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		seen++
		if seen > n {
			return nil
		}
		return &f
	}
}

// FailAlways fails every call of op (every op when empty) with f.
func FailAlways(op string, f Fault) FaultFunc {
	return func(c Call) *Fault {
		if op != "" && c.Op != op {
			return nil
		}
		return &f
	}
}

// FailRandomly fails each call with the first fault whose probability the
// draw falls under, from a seeded source so runs repeat.
func FailRandomly(seed uint64, faults ...WeightedFault) FaultFunc {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func(Call) *Fault {
		mu.Lock()
		draw := rng.Float64()
		mu.Unlock()
		return pick(faults, draw)
	}
}

// FailScheduled fails calls like FailRandomly, but draws for each call from
// its method, path and query and how many calls with those came before it,
// not from arrival order: the same requests meet the same faults however
// concurrently they arrive, so a test's schedule repeats exactly.
func FailScheduled(seed uint64, faults ...WeightedFault) FaultFunc {
	var mu sync.Mutex
	seen := map[string]uint64{}
	return func(c Call) *Fault {
		key := c.Method + " " + c.Path + "?" + c.Query.Encode()
		mu.Lock()
		n := seen[key]
		seen[key]++
		mu.Unlock()
		h := fnv.New64a()
		fmt.Fprintf(h, "%d\x00%s\x00%d", seed, key, n)
		draw := float64(mix(h.Sum64())>>11) / (1 << 53)
		return pick(faults, draw)
	}
}

// pick is the first fault whose probability draw falls under, each
// fault's share of [0, 1) coming after the ones before it; nil past them.
func pick(faults []WeightedFault, draw float64) *Fault {
	for _, wf := range faults {
		if draw < wf.P {
			f := wf.Fault
			return &f
		}
		draw -= wf.P
	}
	return nil
}

// mix is splitmix64's finalizer: FNV alone leaves its high bits nearly the
// same for keys that differ in their last byte.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// WeightedFault is a fault and the share of calls it hits.
type WeightedFault struct {
	P     float64
	Fault Fault
}

// RateLimited is a 429 that asks the caller to wait: Retry-After in whole
// seconds, and GitBook's X-RateLimit headers with the reset at now+wait.
func RateLimited(wait time.Duration) Fault {
	secs := int64((wait + time.Second - 1) / time.Second)
	h := http.Header{}
	h.Set("Retry-After", strconv.FormatInt(secs, 10))
	h.Set("X-RateLimit-Limit", "60")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(wait).Unix(), 10))
	return Fault{Status: http.StatusTooManyRequests, Header: h}
}

// ForToken applies f to the calls made with token alone ("Bearer " and
// token as their Authorization); other tokens' calls go through.
func ForToken(token string, f FaultFunc) FaultFunc {
	auth := "Bearer " + token
	return func(c Call) *Fault {
		if c.Authorization != auth {
			return nil
		}
		return f(c)
	}
}

// RateLimitToken answers the first n calls made with token (every one when
// n < 0) with a 429 asking for wait, its headers made at the call as
// GitBook makes them (RateLimited); the token's later calls, and other
// tokens', go through.
func RateLimitToken(token string, n int, wait time.Duration) FaultFunc {
	var mu sync.Mutex
	seen := 0
	return ForToken(token, func(Call) *Fault {
		mu.Lock()
		seen++
		limited := n < 0 || seen <= n
		mu.Unlock()
		if !limited {
			return nil
		}
		f := RateLimited(wait)
		return &f
	})
}

// RateLimitPerToken lets each token make limit calls per window, windows
// starting at whole multiples of window since the epoch, as a quota reset
// at X-RateLimit-Reset would. Every answer says the quota as GitBook does
// (X-RateLimit-Limit, -Remaining, -Reset); past it, calls get a 429 until
// the window ends. It is the 429 storm of the replica benchmark.
func RateLimitPerToken(limit int, window time.Duration) FaultFunc {
	var mu sync.Mutex
	type quota struct {
		window time.Time
		used   int
	}
	used := map[string]*quota{}
	return func(c Call) *Fault {
		now := time.Now()
		start := now.Truncate(window)
		mu.Lock()
		q := used[c.Authorization]
		if q == nil || !q.window.Equal(start) {
			q = &quota{window: start}
			used[c.Authorization] = q
		}
		q.used++
		n := q.used
		mu.Unlock()
		if n > limit {
			f := RateLimited(start.Add(window).Sub(now))
			f.Header.Set("X-RateLimit-Limit", strconv.Itoa(limit))
			return &f
		}
		h := http.Header{}
		h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(limit-n))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(start.Add(window).Unix(), 10))
		return &Fault{Header: h}
	}
}
