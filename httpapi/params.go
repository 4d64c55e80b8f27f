package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	segjson "github.com/segmentio/encoding/json"
)

// readParams reads the request's GraphQL parameters, and the id of a
// persisted document when it names one (documentId, GraphQL over HTTP's;
// doc_id, Relay's), or says what is wrong with them. Numbers in variables
// stay json.Number for gqlgen's coercion.
func readParams(r *http.Request, maxDepth int) (params *graphql.RawParams, documentID, problem string) {
	params = &graphql.RawParams{}
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		params.Query, params.OperationName = q.Get("query"), q.Get("operationName")
		for _, part := range []struct {
			name string
			to   *map[string]any
		}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
			if v := q.Get(part.name); v != "" {
				if err := decodeJSON([]byte(v), part.to, maxDepth); err != nil {
					return nil, "", "the " + part.name + " parameter " + jsonProblem(err, "is not a JSON object")
				}
			}
		}
		documentID, problem = oneDocumentID(q.Get("documentId"), q.Get("doc_id"))
	} else {
		body, ok := rawParams(r)
		if !ok {
			return nil, "", "the request body could not be read"
		}
		ids, err := decodeParams(body, params, maxDepth)
		if err != nil {
			return nil, "", "the request body " + jsonProblem(err, "is not a JSON object of GraphQL request parameters")
		}
		documentID, problem = ids.one()
	}
	if problem != "" {
		return nil, "", problem
	}
	if strings.TrimSpace(params.Query) == "" && params.Extensions["persistedQuery"] == nil && documentID == "" {
		return nil, "", "the request has no query"
	}
	return params, documentID, ""
}

// documentIDs are a POST's documentId and doc_id, as sent: strings, or
// something else to refuse.
type documentIDs struct {
	DocumentID any `json:"documentId"`
	DocID      any `json:"doc_id"`
}

func (ids documentIDs) one() (string, string) {
	var named [2]string
	for i, part := range []struct {
		name  string
		value any
	}{{"documentId", ids.DocumentID}, {"doc_id", ids.DocID}} {
		switch v := part.value.(type) {
		case nil:
		case string:
			named[i] = v
		default:
			return "", part.name + " is not a string"
		}
	}
	return oneDocumentID(named[0], named[1])
}

// oneDocumentID is the id a request names, by either parameter; naming two
// is refused rather than one of them picked.
func oneDocumentID(documentID, docID string) (string, string) {
	if documentID != "" && docID != "" && documentID != docID {
		return "", "documentId and doc_id name two documents; send one"
	}
	if documentID != "" {
		return documentID, ""
	}
	return docID, ""
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
// kept as written (json.Number), as gqlgen's own transports decode them,
// and the persisted document ids it names, which RawParams has no field for.
func decodeParams(body []byte, params *graphql.RawParams, maxDepth int) (documentIDs, error) {
	var raw struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
		Extensions    map[string]any `json:"extensions"`
		documentIDs
	}
	if err := decodeJSON(body, &raw, maxDepth); err != nil {
		return documentIDs{}, err
	}
	params.Query, params.OperationName = raw.Query, raw.OperationName
	params.Variables, params.Extensions = raw.Variables, raw.Extensions
	return raw.documentIDs, nil
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
