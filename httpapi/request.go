package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// limitBody refuses request bodies larger than maxBytes with 413, before
// anything reads them whole. Its answer is a GraphQL error response with
// extensions.code BAD_REQUEST (as Apollo Server says it); the body is never
// echoed back.
func limitBody(maxBytes int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tooLarge := func() {
			refuse(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", maxBytes))
		}
		if r.ContentLength > maxBytes {
			tooLarge()
			return
		}
		if r.Body != nil && r.Method == http.MethodPost {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				tooLarge()
				return
			case err != nil:
				refuse(w, http.StatusBadRequest, "the request body could not be read")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// DefaultMaxAuthorizationBytes bounds the Authorization header: GitBook's
// tokens are well under a hundred bytes, and what a caller sends goes out on
// every upstream call of the request.
const DefaultMaxAuthorizationBytes = 4096

// limitAuthorization refuses an Authorization header longer than maxBytes,
// before any call, with 431 (RFC 6585).
func limitAuthorization(maxBytes int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		total := 0
		for _, v := range r.Header.Values("Authorization") {
			total += len(v)
		}
		if total > maxBytes {
			refuse(w, http.StatusRequestHeaderFieldsTooLarge, fmt.Sprintf("the Authorization header is longer than %d bytes", maxBytes))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refuse answers a request with one GraphQL error and no data, in the media
// type the caller accepts.
func refuse(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", mediaJSON+"; charset=utf-8")
	w.WriteHeader(status)
	writeJSON(w, map[string]any{
		"errors": []any{map[string]any{"message": message, "extensions": map[string]any{"code": "BAD_REQUEST"}}},
	})
}
