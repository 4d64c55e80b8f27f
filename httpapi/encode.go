package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gitbook-graphql/facade/answer"
	"github.com/gitbook-graphql/facade/codes"
	"github.com/gitbook-graphql/facade/telemetry"
)

// encode is a whole answer as one JSON document: its errors capped (and
// counting the fields its meter cut without one), or, when a value passed
// the answer's limits, that error alone with no data. The data is gqlgen's
// JSON as it is, not parsed and compacted again: a megabyte of it took a
// tenth of the request's CPU.
func (t overHTTP) encode(ctx context.Context, resp *graphql.Response, meter *answer.Meter) []byte {
	if err := meter.Overflow(); err != nil {
		return t.overflowed(ctx, err)
	}
	resp.Errors = capErrors(resp.Errors, t.maxErrors, meter.Silenced())
	size := len(resp.Data) + 64
	// Most answers have no errors: marshalling their nil list was 0.3% of
	// workload (e)'s CPU for a "null" that is never sent.
	var errs, ext []byte
	var err error
	if len(resp.Errors) > 0 {
		if errs, err = json.Marshal(resp.Errors); err != nil {
			return encodingFailed
		}
	}
	if len(resp.Extensions) > 0 {
		if ext, err = json.Marshal(resp.Extensions); err != nil {
			return encodingFailed
		}
	}
	out := make([]byte, 0, size+len(errs)+len(ext))
	out = append(out, '{')
	if len(resp.Errors) > 0 {
		out = append(append(append(out, `"errors":`...), errs...), ',')
	}
	out = append(out, `"data":`...)
	if len(resp.Data) == 0 {
		out = append(out, "null"...)
	} else {
		out = append(out, resp.Data...)
	}
	if len(ext) > 0 {
		out = append(append(out, `,"extensions":`...), ext...)
	}
	out = append(out, '}')
	if t.maxResponseBytes > 0 && len(out) > t.maxResponseBytes {
		return t.overflowed(ctx, tooLarge(len(out), t.maxResponseBytes))
	}
	return out
}

// overflowed is the answer that a value past the answer's limits
// replaced: no data, and its error.
func (t overHTTP) overflowed(ctx context.Context, err *gqlerror.Error) []byte {
	if rec := telemetry.RecordOf(ctx); rec != nil {
		rec.AddErrorCode(codes.ResponseTooLarge)
	}
	data, _ := json.Marshal(map[string]any{"data": nil, "errors": gqlerror.List{err}})
	return data
}

var encodingFailed = []byte(`{"errors":[{"message":"the response could not be encoded","extensions":{"code":"` + codes.Internal + `"}}]}`)

// tooLarge is the error of an answer of size bytes, past max, once
// encoded: the meter's estimate, which never counts more than the answer
// takes, let it through.
func tooLarge(size, max int) *gqlerror.Error {
	return &gqlerror.Error{
		Message: fmt.Sprintf("the answer is %d bytes, more than the %d this server sends (-max-response-bytes); ask for less, or page with first",
			size, max),
		Extensions: map[string]any{"code": codes.ResponseTooLarge},
	}
}

// DefaultMaxResponseBytes bounds one answer: a thousand integrations with
// every field and their owners come to about 1.5 MiB (measured on the demo
// data).
const DefaultMaxResponseBytes = 4 << 20

// DefaultMaxResponseValues bounds the values of one answer, and so the
// CPU and memory gqlgen spends building it (3 to 6 µs and 700 to 800 bytes
// a value): at 25,000 the dearest answers measured, one space's id
// repeated with every field of its integrations and aliased introspection,
// cost at most about 80 and 150 ms of CPU and 56 and 26 MiB above idle
// (bench/results/hostile.md); at 30,000 the first reached 66 MiB. A full
// introspection query is 6,500 values.
const DefaultMaxResponseValues = 25_000

// withCodes gives a code to request errors that have none, such as those of
// gqlgen's APQ extension ("provided APQ hash does not match query"): every
// error a client sees carries one.
func withCodes(errs gqlerror.List) gqlerror.List {
	for _, e := range errs {
		if _, ok := e.Extensions["code"]; !ok {
			if e.Extensions == nil {
				e.Extensions = map[string]any{}
			}
			e.Extensions["code"] = codes.BadRequest
		}
	}
	return errs
}

// capErrors keeps the first maxErrors errors and says how many it left
// out, hidden among them those that were never made (a meter's silenced
// fields), as graphql-js stops validating at 100 errors.
func capErrors(errs gqlerror.List, maxErrors, hidden int) gqlerror.List {
	if maxErrors <= 0 || len(errs)+hidden <= maxErrors {
		return errs
	}
	kept := min(len(errs), maxErrors)
	left := len(errs) - kept + hidden
	return append(errs[:kept:kept], &gqlerror.Error{
		Message:    fmt.Sprintf("%d more errors are not shown (-max-errors)", left),
		Extensions: map[string]any{"code": codes.TooManyErrors},
	})
}

// requestError is the answer to a request that did not run: no data entry.
type requestError struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// noStore marks an answer as one no cache may keep: every answer is read
// with the caller's credential (or the server's own, for callers who send
// none), so a shared cache in front, as people put before GET and
// persisted queries, could hand one caller's data to another; a browser's
// own cache would keep it past a logout. Vary names what the answer
// depends on, for caches that keep it regardless.
func noStore(h http.Header) {
	h.Set("Cache-Control", "private, no-store")
	h.Add("Vary", "Accept")
	h.Add("Vary", "Authorization")
}

func writeJSON(w io.Writer, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		data = encodingFailed
	}
	_, _ = w.Write(data)
}
