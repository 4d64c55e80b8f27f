package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gitbook-graphql/facade/answer"
	"github.com/gitbook-graphql/facade/codes"
	"github.com/gitbook-graphql/facade/telemetry"
)

// overHTTP is the GraphQL-over-HTTP transport (POST with a JSON body, and
// GET), written to the spec where gqlgen's own POST and GET transports
// depart from it: with application/json, requests that fail to parse,
// validate or coerce their variables answer 200, not 422; with
// application/graphql-response+json they answer 400 with no "data" entry.
// A GET may not run a mutation (405). Its parts, a file each: the request's
// parameters (params.go), media types (media.go), identical requests
// executed once (dedupe.go), one execution and its answer's meter
// (execution.go), the answer whole (encode.go) or in @defer's parts
// (incremental.go, deferral.go).
type overHTTP struct {
	maxErrors        int // errors in one answer; past it, one more says how many were left out
	maxResponseBytes int // an answer larger than this is replaced by an error
	maxJSONDepth     int // nesting a request's JSON may have
	// answerLimits bound each answer while it is built.
	answerLimits answer.Limits
	// dedupe, when set, executes identical queries in flight at once once.
	dedupe *dedupe
	// metrics count the requests dedupe answered from another's execution.
	metrics *telemetry.Metrics
	// trustedDocuments says a list is loaded, which documentId and doc_id
	// name operations of.
	trustedDocuments bool
}

var _ graphql.Transport = overHTTP{}

// Supports takes every GET, and every POST of JSON. An Upgrade header (a
// client offering HTTP/2 over cleartext, as curl --http2 does, or a
// WebSocket) is ignored, as HTTP lets a server do: the request is answered
// over HTTP/1.1.
func (overHTTP) Supports(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet:
		return true
	case http.MethodPost:
		mediaType, _, err := parseMedia(r.Header.Get("Content-Type"))
		return err == nil && mediaType == mediaJSON
	}
	return false
}

func (t overHTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	media := responseMedia(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	noStore(w.Header())

	start := graphql.Now()
	multipart := accepts(r.Header.Get("Accept"), mediaMultipart)
	// A request identical to a query in flight waits for its answer, before
	// it is even parsed: that query was parsed, validated and limited as
	// this one would be.
	var key [32]byte
	sharing := t.dedupe != nil && r.Header.Get(DebugHeader) == ""
	if sharing {
		raw, ok := rawParams(r)
		if !ok {
			refuse(w, r, http.StatusBadRequest, codes.BadRequest, "the request body could not be read")
			return
		}
		key = dedupeKey(r, raw, media, multipart)
		if f, found := t.dedupe.join(key); found {
			t.answerShared(ctx, w, start, t.dedupe.wait(ctx, key, f))
			return
		}
	}
	params, documentID, msg := readParams(r, t.maxJSONDepth)
	if msg != "" {
		refuse(w, r, http.StatusBadRequest, codes.BadRequest, msg)
		return
	}
	if documentID != "" {
		if !t.trustedDocuments {
			refuse(w, r, http.StatusBadRequest, codes.BadRequest,
				"documentId and doc_id name trusted documents, and no trusted documents are loaded (-trusted-documents); send the query")
			return
		}
		ctx = withDocumentID(ctx, documentID) // for trustedDocuments, which gqlgen calls with this context
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		// A request error: the operation never ran, so the answer has no
		// data entry (GraphQL spec, "Response"). With application/json it is
		// still a 200, as the GraphQL-over-HTTP spec asks.
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		if media == mediaGraphQLResponse {
			w.WriteHeader(http.StatusBadRequest)
		}
		writeJSON(w, requestError{capErrors(withCodes(resp.Errors), t.maxErrors, 0), resp.Extensions})
		return
	}
	if r.Method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		writeJSON(w, requestError{Errors: gqlerror.List{{
			Message:    "GET may only run queries; send " + string(opCtx.Operation.Operation) + "s with POST",
			Extensions: map[string]any{"code": codes.BadRequest},
		}}})
		return
	}
	if readyDeferral(opCtx, multipart) {
		t.writeParts(ctx, w, exec, opCtx)
		return
	}
	if sharing && opCtx.Operation.Operation == ast.Query {
		t.answerShared(ctx, w, start, t.dedupe.do(ctx, key, func(life context.Context) sharedAnswer {
			data, resp := t.whole(life, exec, opCtx)
			return sharedAnswer{data: data, operation: telemetry.OperationName(opCtx), outcome: telemetry.OutcomeOf(resp)}
		}))
		return
	}
	data, _ := t.whole(ctx, exec, opCtx)
	_, _ = w.Write(data)
}

// answerShared writes what a shared execution gave this caller: its
// answer, nothing when the caller has gone, or, when the execution outlived
// this caller's deadline, that error.
func (t overHTTP) answerShared(ctx context.Context, w http.ResponseWriter, start time.Time, s shared) {
	switch {
	case s.answered:
		if s.joined {
			t.metrics.Shared(ctx, s.answer.operation, start, s.answer.outcome)
		}
		_, _ = w.Write(s.answer.data)
	case s.timedOut:
		writeJSON(w, map[string]any{"data": nil, "errors": gqlerror.List{requestTimedOut(ctx)}})
	}
}

// requestTimedOut is the error of a request whose deadline passed before
// its answer was ready.
func requestTimedOut(ctx context.Context) *gqlerror.Error {
	if rec := telemetry.RecordOf(ctx); rec != nil {
		rec.AddErrorCode(codes.RequestTimeout)
	}
	return &gqlerror.Error{
		Message:    "the request's deadline (-request-timeout) passed before its answer was ready",
		Extensions: map[string]any{"code": codes.RequestTimeout},
	}
}
