package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// checkRequest refuses, before gqlgen parses them, GraphQL requests that
// are too large (413) or that carry no operation to run (400): a body that
// is not a JSON object, or one with no query and no persisted-query hash.
// Its answers are GraphQL error responses, with extensions.code BAD_REQUEST
// (as Apollo Server says it) and never the body echoed back.
func checkRequest(maxBytes int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBytes {
			refuse(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", maxBytes))
			return
		}
		switch r.Method {
		case http.MethodPost:
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
			if err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					refuse(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", maxBytes))
					return
				}
				refuse(w, http.StatusBadRequest, "the request body could not be read")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			if isJSON(r.Header.Get("Content-Type")) {
				if msg := checkParams(body); msg != "" {
					refuse(w, http.StatusBadRequest, msg)
					return
				}
			}
		case http.MethodGet:
			q := r.URL.Query()
			if q.Get("query") == "" && !strings.Contains(q.Get("extensions"), "persistedQuery") {
				refuse(w, http.StatusBadRequest, "the request has no query parameter")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// checkParams says what is wrong with a JSON request body, or "".
func checkParams(body []byte) string {
	var params struct {
		Query      *string                    `json:"query"`
		Extensions map[string]json.RawMessage `json:"extensions"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&params); err != nil {
		return "the request body is not a JSON object of GraphQL request parameters"
	}
	if dec.More() {
		return "the request body holds more than one JSON value"
	}
	if (params.Query == nil || strings.TrimSpace(*params.Query) == "") && params.Extensions["persistedQuery"] == nil {
		return "the request has no query"
	}
	return ""
}

func isJSON(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "application/json"
}

// refuse answers a request with one GraphQL error and no data.
func refuse(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []any{map[string]any{"message": message, "extensions": map[string]any{"code": "BAD_REQUEST"}}},
	})
}
