package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gitbook-graphql/facade/codes"
	"github.com/gitbook-graphql/facade/telemetry"
)

// @defer: gqlgen's executor answers an operation with deferred fragments
// first without them (hasNext: true), then with one response per deferred
// fragment, each holding its fields and the path of the object they belong
// to. A caller that accepts multipart/mixed gets those parts as they come,
// in the format Apollo Client reads (deferSpec=20220824: each later part is
// {"incremental": [...], "hasNext": ...}). Any other caller gets the
// operation run without @defer (readyDeferral).

const partBoundary = "-"

// writeParts runs an operation that defers and writes its answer as
// multipart/mixed, a part as each comes. The answer's limits bound the
// parts together: the part in which a value passed them, or whose encoded
// size would, is replaced by its error, at its path, and ends the answer.
func (t overHTTP) writeParts(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, opCtx *graphql.OperationContext) {
	e := t.start(ctx, exec, opCtx)
	defer e.end()
	// Through the middleware's writers to the connection: a part must go
	// out as soon as it is written, not when the buffer fills.
	flush := http.NewResponseController(w).Flush
	w.Header().Set("Content-Type", fmt.Sprintf(`%s; boundary="%s"; deferSpec=20220824`, mediaMultipart, partBoundary))
	first := e.next()
	if first == nil {
		first = &graphql.Response{}
	}
	if first.HasNext == nil {
		// Nothing was deferred after all (@defer on a root field, or
		// under a field that failed): the one part says it is the last.
		last := false
		first.HasNext = &last
	}
	first.Errors = capErrors(first.Errors, t.maxErrors, e.meter.Silenced())
	sent, ok := t.writePart(ctx, w, 0, first, e.meter.Overflow(), func(err *gqlerror.Error) any {
		return map[string]any{"data": nil, "errors": gqlerror.List{err}, "hasNext": false}
	})
	for ok && pending(first) {
		_ = flush()
		part := e.next()
		if part == nil {
			break
		}
		part.Errors = capErrors(part.Errors, t.maxErrors, 0)
		part.Label = callerLabel(part.Label)
		more := pending(part)
		part.HasNext = nil // said once, by the part, not by each item in it
		sent, ok = t.writePart(ctx, w, sent, map[string]any{"incremental": []*graphql.Response{part}, "hasNext": more}, e.meter.Overflow(), func(err *gqlerror.Error) any {
			if err.Path == nil {
				err.Path = part.Path
			}
			return map[string]any{"incremental": []map[string]any{{"errors": gqlerror.List{err}, "path": part.Path}}, "hasNext": false}
		})
		ok = ok && more
	}
	fmt.Fprintf(w, "\r\n--%s--\r\n", partBoundary)
}

// writePart writes one part, sent bytes having gone before it: v, or,
// when a value passed the answer's limits (overflow) or v would pass its
// size, what instead makes of that error, and says so.
func (t overHTTP) writePart(ctx context.Context, w io.Writer, sent int, v any, overflow *gqlerror.Error, instead func(*gqlerror.Error) any) (int, bool) {
	data, err := json.Marshal(v)
	fits := overflow == nil && err == nil && (t.maxResponseBytes <= 0 || sent+len(data) <= t.maxResponseBytes)
	if !fits {
		if overflow == nil {
			overflow = tooLarge(sent+len(data), t.maxResponseBytes)
		}
		if rec := telemetry.RecordOf(ctx); rec != nil {
			rec.AddErrorCode(codes.ResponseTooLarge)
		}
		data, _ = json.Marshal(instead(overflow))
	}
	fmt.Fprintf(w, "\r\n--%s\r\nContent-Type: %s; charset=utf-8\r\n\r\n", partBoundary, mediaJSON)
	_, _ = w.Write(data)
	return sent + len(data), fits
}
