package httpapi

import (
	"bytes"
	"context"
	"encoding/json"

	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	segjson "github.com/segmentio/encoding/json"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gitbook-graphql/facade/codes"
	"github.com/gitbook-graphql/facade/telemetry"
)

// Media types of GraphQL over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// overHTTP is the GraphQL-over-HTTP transport (POST with a JSON body, and
// GET), written to the spec where gqlgen's own POST and GET transports
// depart from it: with application/json, requests that fail to parse,
// validate or coerce their variables answer 200, not 422; with
// application/graphql-response+json they answer 400 with no "data" entry.
// A GET may not run a mutation (405).
type overHTTP struct {
	maxErrors        int // errors in one answer; past it, one more says how many were left out
	maxResponseBytes int // an answer larger than this is replaced by an error
	maxJSONDepth     int // nesting a request's JSON may have
	// dedupe, when set, executes identical queries in flight at once once.
	dedupe *dedupe
	// metrics count the requests dedupe answered from another's execution.
	metrics *telemetry.Metrics
}

var _ graphql.Transport = overHTTP{}

func (overHTTP) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" {
		return false
	}
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
			if answer, ok := t.dedupe.wait(ctx, key, f); ok {
				t.metrics.Shared(ctx, answer.operation, start, answer.outcome)
				_, _ = w.Write(answer.data)
			}
			return
		}
	}
	params, msg := readParams(r, t.maxJSONDepth)
	if msg != "" {
		refuse(w, r, http.StatusBadRequest, codes.BadRequest, msg)
		return
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
		writeJSON(w, requestError{capErrors(withCodes(resp.Errors), t.maxErrors), resp.Extensions})
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
	if sharing && shareable(opCtx, multipart) {
		answer, joined, ok := t.dedupe.do(ctx, key, func(ctx context.Context) sharedAnswer {
			responses, ctx := exec.DispatchOperation(ctx, opCtx)
			resp := responses(ctx)
			return sharedAnswer{data: t.encode(ctx, resp, responses), operation: telemetry.OperationName(opCtx), outcome: telemetry.OutcomeOf(resp)}
		})
		if joined && ok {
			t.metrics.Shared(ctx, answer.operation, start, answer.outcome)
		}
		if ok {
			_, _ = w.Write(answer.data)
		}
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if pending(resp) && multipart {
		t.writeParts(ctx, w, resp, responses)
		return
	}
	_, _ = w.Write(t.encode(ctx, resp, responses))
}

// shareable says whether an operation's execution may be shared: a query,
// unless its caller asked for @defer's parts (a document that does not say
// "defer" has none).
func shareable(opCtx *graphql.OperationContext, multipart bool) bool {
	return opCtx.Operation.Operation == ast.Query && !(multipart && strings.Contains(opCtx.RawQuery, "defer"))
}

// encode is the whole answer as one JSON document: deferred parts spliced
// in, errors capped, and replaced by an error past -max-response-bytes.
func (t overHTTP) encode(ctx context.Context, resp *graphql.Response, responses graphql.ResponseHandler) []byte {
	if pending(resp) {
		resp = whole(ctx, resp, responses)
	}
	resp.Errors = capErrors(resp.Errors, t.maxErrors)
	data, err := json.Marshal(resp)
	if err != nil {
		return encodingFailed
	}
	if t.maxResponseBytes > 0 && len(data) > t.maxResponseBytes {
		data, _ = json.Marshal(map[string]any{"data": nil, "errors": gqlerror.List{tooLarge(ctx, len(data), t.maxResponseBytes)}})
	}
	return data
}

var encodingFailed = []byte(`{"errors":[{"message":"the response could not be encoded","extensions":{"code":"` + codes.Internal + `"}}]}`)

// tooLarge is the error that replaces an answer of size bytes, past max;
// the request's log line names its code.
func tooLarge(ctx context.Context, size, max int) *gqlerror.Error {
	if rec := telemetry.RecordOf(ctx); rec != nil {
		rec.AddErrorCode(codes.ResponseTooLarge)
	}
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
// out, as graphql-js stops validating at 100 errors.
func capErrors(errs gqlerror.List, maxErrors int) gqlerror.List {
	if maxErrors <= 0 || len(errs) <= maxErrors {
		return errs
	}
	left := len(errs) - maxErrors
	out := append(errs[:maxErrors:maxErrors], &gqlerror.Error{
		Message:    fmt.Sprintf("%d more errors are not shown (-max-errors)", left),
		Extensions: map[string]any{"code": codes.TooManyErrors},
	})
	return out
}

// requestError is the answer to a request that did not run: no data entry.
type requestError struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// responseMedia picks the response's media type from Accept: the GraphQL
// response type when the caller lists it, else application/json (also for
// */*, none, or only types we do not speak).
func responseMedia(accept string) string {
	best, bestQ := mediaJSON, -1.0
	for _, part := range strings.Split(accept, ",") {
		mediaType, params, err := parseMedia(strings.TrimSpace(part))
		if err != nil || (mediaType != mediaJSON && mediaType != mediaGraphQLResponse) {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if parsed, err := strconv.ParseFloat(v, 64); err == nil {
				q = parsed
			}
		}
		if q > 0 && (q > bestQ || q == bestQ && mediaType == mediaGraphQLResponse) {
			best, bestQ = mediaType, q
		}
	}
	return best
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

// readParams reads the request's GraphQL parameters, or says what is wrong
// with them. Numbers in variables stay json.Number for gqlgen's coercion.
func readParams(r *http.Request, maxDepth int) (*graphql.RawParams, string) {
	params := &graphql.RawParams{}
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		params.Query, params.OperationName = q.Get("query"), q.Get("operationName")
		for _, part := range []struct {
			name string
			to   *map[string]any
		}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
			if v := q.Get(part.name); v != "" {
				if err := decodeJSON([]byte(v), part.to, maxDepth); err != nil {
					return nil, "the " + part.name + " parameter " + jsonProblem(err, "is not a JSON object")
				}
			}
		}
	} else {
		body, ok := rawParams(r)
		if !ok {
			return nil, "the request body could not be read"
		}
		if err := decodeParams(body, params, maxDepth); err != nil {
			return nil, "the request body " + jsonProblem(err, "is not a JSON object of GraphQL request parameters")
		}
	}
	if strings.TrimSpace(params.Query) == "" && params.Extensions["persistedQuery"] == nil {
		return nil, "the request has no query"
	}
	return params, ""
}

// rawParams are the request's GraphQL parameters as sent: a POST's body
// (read once, and kept for whoever reads it next), or a GET's query string.
func rawParams(r *http.Request) ([]byte, bool) {
	if r.Method == http.MethodGet {
		return []byte(r.URL.RawQuery), true
	}
	if b, ok := r.Body.(*bufferedBody); ok {
		return b.data, true
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, false
	}
	r.Body = &bufferedBody{Reader: bytes.NewReader(body), data: body}
	return body, true
}

// decodeParams decodes a POST body of GraphQL request parameters, numbers
// kept as written (json.Number), as gqlgen's own transports decode them.
func decodeParams(body []byte, params *graphql.RawParams, maxDepth int) error {
	var raw struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
		Extensions    map[string]any `json:"extensions"`
	}
	if err := decodeJSON(body, &raw, maxDepth); err != nil {
		return err
	}
	params.Query, params.OperationName = raw.Query, raw.OperationName
	params.Variables, params.Extensions = raw.Variables, raw.Extensions
	return nil
}

// decodeJSON decodes exactly one JSON value, nested at most maxDepth deep,
// into v. encoding/json checks it first: its scanner allocates nothing.
// segmentio's decoder then reads the bytes in place, where encoding/json's
// Decoder (the only one of it that keeps numbers as written) would copy
// them into a buffer grown by doubling, several times a large variable's
// size. The depth is bounded first because that decoder recurses without
// a limit and, nested deep, in time that grows with the square of it.
func decodeJSON(data []byte, v any, maxDepth int) error {
	if !json.Valid(data) {
		return errInvalidJSON
	}
	if tooDeep(data, maxDepth) {
		return tooDeepError{maxDepth}
	}
	_, err := segjson.Parse(data, v, segjson.UseNumber)
	return err
}

func tooDeep(data []byte, maxDepth int) bool {
	// Each level opens with a bracket: a body with no more brackets than
	// the limit (almost every one, its query's braces included) cannot pass
	// it, and counting them costs a fraction of tokenizing.
	if bytes.Count(data, openBrace)+bytes.Count(data, openBracket) <= maxDepth {
		return false
	}
	t := segjson.NewTokenizer(data)
	for t.Next() {
		if t.Depth > maxDepth {
			return true
		}
	}
	return false
}

var (
	errInvalidJSON         = errors.New("not one JSON value")
	openBrace, openBracket = []byte("{"), []byte("[")
)

// DefaultMaxJSONDepth is serde_json's recursion limit, which Apollo Router's
// request parsing inherits; GraphQL input types nest far less.
const DefaultMaxJSONDepth = 128

type tooDeepError struct{ max int }

func (e tooDeepError) Error() string {
	return fmt.Sprintf("nests deeper than %d (-max-json-depth)", e.max)
}

// jsonProblem says what is wrong with a JSON part of a request: its depth,
// which the caller may not have meant, or else what it should have been.
func jsonProblem(err error, otherwise string) string {
	var deep tooDeepError
	if errors.As(err, &deep) {
		return deep.Error()
	}
	return otherwise
}

func writeJSON(w io.Writer, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		data = encodingFailed
	}
	_, _ = w.Write(data)
}
