package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

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
		mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		return err == nil && mediaType == mediaJSON
	}
	return false
}

func (t overHTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	media := responseMedia(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Set("Vary", "Accept")

	start := graphql.Now()
	params, msg := readParams(r)
	if msg != "" {
		refuse(w, r, http.StatusBadRequest, CodeBadRequest, msg)
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
			Extensions: map[string]any{"code": CodeBadRequest},
		}}})
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	resp.Errors = capErrors(resp.Errors, t.maxErrors)
	data, err := json.Marshal(resp)
	if err != nil {
		writeJSON(w, resp) // says it could not be encoded
		return
	}
	if t.maxResponseBytes > 0 && len(data) > t.maxResponseBytes {
		if rec := telemetry.RecordOf(ctx); rec != nil {
			rec.AddErrorCode(CodeResponseTooLarge)
		}
		writeJSON(w, map[string]any{"data": nil, "errors": gqlerror.List{{
			Message: fmt.Sprintf("the answer is %d bytes, more than the %d this server sends (-max-response-bytes); ask for less, or page with first",
				len(data), t.maxResponseBytes),
			Extensions: map[string]any{"code": CodeResponseTooLarge},
		}}})
		return
	}
	_, _ = w.Write(data)
}

// CodeResponseTooLarge is the code of an answer replaced because it was
// larger than -max-response-bytes.
const CodeResponseTooLarge = "RESPONSE_TOO_LARGE"

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
			e.Extensions["code"] = CodeBadRequest
		}
	}
	return errs
}

// CodeTooManyErrors is the code of the last error of an answer that had
// more than the errors it shows.
const CodeTooManyErrors = "TOO_MANY_ERRORS"

// capErrors keeps the first maxErrors errors and says how many it left
// out, as graphql-js stops validating at 100 errors.
func capErrors(errs gqlerror.List, maxErrors int) gqlerror.List {
	if maxErrors <= 0 || len(errs) <= maxErrors {
		return errs
	}
	left := len(errs) - maxErrors
	out := append(errs[:maxErrors:maxErrors], &gqlerror.Error{
		Message:    fmt.Sprintf("%d more errors are not shown (-max-errors)", left),
		Extensions: map[string]any{"code": CodeTooManyErrors},
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
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(part))
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

// readParams reads the request's GraphQL parameters, or says what is wrong
// with them. Numbers in variables stay json.Number for gqlgen's coercion.
func readParams(r *http.Request) (*graphql.RawParams, string) {
	params := &graphql.RawParams{}
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		params.Query, params.OperationName = q.Get("query"), q.Get("operationName")
		if v := q.Get("variables"); v != "" && decodeJSON(strings.NewReader(v), &params.Variables) != nil {
			return nil, "the variables parameter is not a JSON object"
		}
		if v := q.Get("extensions"); v != "" && decodeJSON(strings.NewReader(v), &params.Extensions) != nil {
			return nil, "the extensions parameter is not a JSON object"
		}
	} else {
		var body []byte
		if b, ok := r.Body.(*bufferedBody); ok {
			body = b.data
		} else {
			var err error
			if body, err = io.ReadAll(r.Body); err != nil {
				return nil, "the request body could not be read"
			}
		}
		if decodeParams(body, params) != nil {
			return nil, "the request body is not a JSON object of GraphQL request parameters"
		}
	}
	if strings.TrimSpace(params.Query) == "" && params.Extensions["persistedQuery"] == nil {
		return nil, "the request has no query"
	}
	return params, ""
}

// decodeParams reads a POST body's parameters without buffering the body
// again (a body may be a megabyte); variables and extensions, where numbers
// stay json.Number, are decoded on their own.
func decodeParams(body []byte, params *graphql.RawParams) error {
	var raw struct {
		Query         string          `json:"query"`
		OperationName string          `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
		Extensions    json.RawMessage `json:"extensions"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return err
	}
	params.Query, params.OperationName = raw.Query, raw.OperationName
	for _, part := range []struct {
		raw json.RawMessage
		to  *map[string]any
	}{{raw.Variables, &params.Variables}, {raw.Extensions, &params.Extensions}} {
		if len(part.raw) > 0 {
			if err := decodeJSON(bytes.NewReader(part.raw), part.to); err != nil {
				return err
			}
		}
	}
	return nil
}

// decodeJSON decodes exactly one JSON value into v.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailingData
	}
	return nil
}

var errTrailingData = errors.New("data after the JSON value")

func writeJSON(w io.Writer, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		data = []byte(`{"errors":[{"message":"the response could not be encoded","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`)
	}
	_, _ = w.Write(data)
}
