package telemetry

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// RequestIDHeader carries a request's id: taken from the caller when it
// sends a well-formed one, else made here; always sent back.
const RequestIDHeader = "X-Request-Id"

// Requests gives each request a Record (and an id), and logs one line for
// it when it ends: id, method, path, status, duration, GraphQL operation,
// upstream calls, retries and time, error codes, and the trace id when
// tracing is on. Headers are never logged, so neither is any token.
func Requests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !wellFormedRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		rec := &Record{RequestID: id}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		ctx := WithRecord(r.Context(), rec)
		next.ServeHTTP(sw, r.WithContext(ctx))

		up := rec.Upstream()
		attrs := []slog.Attr{
			slog.String("request_id", id),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("operation", rec.Operation()),
			slog.Int64("upstream_calls", up.Calls),
			slog.Int64("upstream_retries", up.Retries),
			slog.Int64("upstream_ms", up.MS),
		}
		if codes := rec.ErrorCodes(); len(codes) > 0 {
			attrs = append(attrs, slog.Any("error_codes", codes))
		}
		if sc := trace.SpanContextFromContext(r.Context()); sc.HasTraceID() {
			attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()))
		}
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(ctx, level, "request", attrs...)
	})
}

// wellFormedRequestID accepts ids of up to 128 letters, digits, '-', '_'
// and '.': what a log line can hold safely.
func wellFormedRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wroteHeader = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer's flush and deadlines.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
