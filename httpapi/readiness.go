package httpapi

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitbook-graphql/facade/upstream"
)

// readiness answers /readyz: 200 while the upstream answers at all (any
// HTTP status below 500 shows it reachable), 503 when it does not or while
// the server drains. The probe's result is kept for cacheFor, so that
// probes from many balancers cost the upstream one call per period.
func readiness(client *upstream.Client, cacheFor time.Duration, draining *atomic.Bool) http.Handler {
	var mu sync.Mutex
	var checked time.Time
	var last error
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if draining.Load() {
			writeText(w, http.StatusServiceUnavailable, "draining")
			return
		}
		mu.Lock()
		if time.Since(checked) >= cacheFor {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			last = client.Ping(ctx)
			cancel()
			checked = time.Now()
		}
		err := last
		mu.Unlock()
		if err != nil {
			writeText(w, http.StatusServiceUnavailable, "upstream unreachable: "+err.Error())
			return
		}
		writeText(w, http.StatusOK, "ok")
	})
}

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(text + "\n"))
}
