package gitbooksim

import (
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"
)

// Call is one request the simulated API received.
type Call struct {
	Seq           int    // 0 for the first call since the last ResetStats
	Op            string // the spec's operationId; empty for unknown routes
	Method        string
	Path          string
	Query         url.Values
	Authorization string
	Traceparent   string
	Start, End    time.Time
	Status        int // the status answered; 0 when the connection was dropped
}

type stats struct {
	mu        sync.Mutex
	calls     []Call
	inFlight  int
	peak      int
	countOnly bool
	counts    map[string]int // by operation, when countOnly
	total     int
}

type callRef struct {
	Call
	index int
}

func (s *stats) begin(op string, r *http.Request) callRef {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight++
	s.peak = max(s.peak, s.inFlight)
	s.total++
	if s.countOnly {
		if s.counts == nil {
			s.counts = map[string]int{}
		}
		s.counts[op]++
		// Not kept; a fault may still tell callers apart (RateLimitPerToken).
		return callRef{Call: Call{Seq: s.total - 1, Op: op, Method: r.Method, Authorization: r.Header.Get("Authorization")}, index: -1}
	}
	c := Call{
		Seq: len(s.calls), Op: op, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
		Authorization: r.Header.Get("Authorization"), Traceparent: r.Header.Get("Traceparent"),
		Start: time.Now(),
	}
	s.calls = append(s.calls, c)
	return callRef{c, len(s.calls) - 1}
}

func (s *stats) end(c callRef, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight--
	if c.index >= 0 && c.index < len(s.calls) && s.calls[c.index].Seq == c.Seq && s.calls[c.index].Start.Equal(c.Start) {
		s.calls[c.index].End = time.Now()
		s.calls[c.index].Status = status
	}
}

// Calls returns the calls received since the last ResetStats, in arrival order.
func (h *Handler) Calls() []Call {
	h.stats.mu.Lock()
	defer h.stats.mu.Unlock()
	return append([]Call(nil), h.stats.calls...)
}

// CallCount counts the calls of one operation, or of all when op is empty.
func (h *Handler) CallCount(op string) int {
	h.stats.mu.Lock()
	if h.stats.countOnly {
		defer h.stats.mu.Unlock()
		if op == "" {
			return h.stats.total
		}
		return h.stats.counts[op]
	}
	h.stats.mu.Unlock()
	n := 0
	for _, c := range h.Calls() {
		if op == "" || c.Op == op {
			n++
		}
	}
	return n
}

// PathCounts counts calls by method and path (query excluded), such as
// "GET /v1/spaces/abc".
func (h *Handler) PathCounts() map[string]int {
	counts := map[string]int{}
	for _, c := range h.Calls() {
		counts[c.Method+" "+c.Path]++
	}
	return counts
}

// PeakInFlight is the most calls that were being answered at once.
func (h *Handler) PeakInFlight() int {
	h.stats.mu.Lock()
	defer h.stats.mu.Unlock()
	return h.stats.peak
}

// InFlight is how many calls are being answered now.
func (h *Handler) InFlight() int {
	h.stats.mu.Lock()
	defer h.stats.mu.Unlock()
	return h.stats.inFlight
}

// RoundTrips is the length of the longest chain of calls in which each
// began after the one before it had been answered: the number of dependent
// round trips the caller made. Calls that overlap count once.
func (h *Handler) RoundTrips() int {
	calls := h.Calls()
	sort.Slice(calls, func(i, j int) bool { return calls[i].Start.Before(calls[j].Start) })
	depth := make([]int, len(calls))
	longest := 0
	for i, c := range calls {
		depth[i] = 1
		for j := 0; j < i; j++ {
			if !calls[j].End.IsZero() && !calls[j].End.After(c.Start) {
				depth[i] = max(depth[i], depth[j]+1)
			}
		}
		longest = max(longest, depth[i])
	}
	return longest
}

// ResetStats forgets the calls received so far, the peak and the early
// calls (not the times 429s named: GitBook would not forget them).
func (h *Handler) ResetStats() {
	h.limits.resetCounts()
	h.stats.mu.Lock()
	defer h.stats.mu.Unlock()
	h.stats.calls = nil
	h.stats.counts = nil
	h.stats.total = 0
	h.stats.peak = h.stats.inFlight
}

// Counts reports the calls by operation since the last ResetStats.
func (h *Handler) Counts() map[string]int {
	h.stats.mu.Lock()
	defer h.stats.mu.Unlock()
	out := map[string]int{}
	if h.stats.countOnly {
		for op, n := range h.stats.counts {
			out[op] = n
		}
		return out
	}
	for _, c := range h.stats.calls {
		out[c.Op]++
	}
	return out
}
