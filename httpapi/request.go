package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/gitbook-graphql/facade/codes"
	"github.com/gitbook-graphql/facade/telemetry"
)

// limitBody refuses request bodies larger than maxBytes with 413, before
// anything reads them whole, and reads the others whole, charged to the
// bytes in flight (admission.readBody): one the budget cannot hold gets 503
// OVERLOADED. Its other refusals are GraphQL error responses with
// extensions.code BAD_REQUEST (as Apollo Server says it); the body is never
// echoed back.
func limitBody(maxBytes int64, admit *admission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tooLarge := func() {
			refuse(w, r, http.StatusRequestEntityTooLarge, codes.BadRequest, fmt.Sprintf("the request body is larger than %d bytes", maxBytes))
		}
		if r.ContentLength > maxBytes {
			tooLarge()
			return
		}
		if r.Body != nil && r.Method == http.MethodPost {
			body, held, err := admit.readBody(http.MaxBytesReader(w, r.Body, maxBytes), r.ContentLength, maxBytes)
			if err != nil {
				admit.release(held) // before the answer: its buffer is garbage now
				var tooBig *http.MaxBytesError
				switch {
				case errors.Is(err, errOverloaded):
					admit.refuse(w, r, telemetry.RefusedBodyBytes, "the server holds as many bytes of request bodies as it may at once (-max-inflight-body-bytes); retry later")
				case errors.As(err, &tooBig):
					tooLarge()
				default:
					refuse(w, r, http.StatusBadRequest, codes.BadRequest, "the request body could not be read")
				}
				return
			}
			if held > 0 {
				defer admit.release(held)
			}
			r.Body = &bufferedBody{Reader: bytes.NewReader(body), data: body}
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
			refuse(w, r, http.StatusRequestHeaderFieldsTooLarge, codes.BadRequest, fmt.Sprintf("the Authorization header is longer than %d bytes", maxBytes))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// DefaultAllowedHosts are the hosts a default credential answers when the
// operator names none: the loopback ones.
var DefaultAllowedHosts = []string{"localhost", "127.0.0.1", "::1"}

// guardDefaultCredential refuses, with 403, a request that would be served
// with the server's own credential (it sends no Authorization) and names a
// Host the operator does not allow: a web page that points a name of its
// own at this server (DNS rebinding) must not use the server's token.
// "*" allows any host.
func guardDefaultCredential(fallback string, allowed []string, next http.Handler) http.Handler {
	if fallback == "" || slices.Contains(allowed, "*") {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" && !hostAllowed(r.Host, allowed) {
			refuse(w, r, http.StatusForbidden, codes.Forbidden,
				"this server answers with its own credential only at the hosts it allows (-allowed-hosts); send an Authorization of your own")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func hostAllowed(hostport string, allowed []string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	for _, a := range allowed {
		if strings.EqualFold(host, strings.Trim(a, "[]")) {
			return true
		}
	}
	return false
}

// bufferedBody is a body limitBody has read whole: the transport takes its
// bytes rather than copy them again.
type bufferedBody struct {
	*bytes.Reader
	data []byte
}

func (*bufferedBody) Close() error { return nil }

// refuse answers a request with one GraphQL error and no data, as JSON, and
// notes its code in the request's log line.
func refuse(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	if rec := telemetry.RecordOf(r.Context()); rec != nil {
		rec.AddErrorCode(code)
	}
	w.Header().Set("Content-Type", mediaJSON+"; charset=utf-8")
	noStore(w.Header())
	w.WriteHeader(status)
	writeJSON(w, map[string]any{
		"errors": []any{map[string]any{"message": message, "extensions": map[string]any{"code": code}}},
	})
}

// acceptOnly refuses, with the error contract, what no transport serves:
// gqlgen would answer "transport not supported" in plain text. GraphQL over
// HTTP is GET, and POST with a JSON body; OPTIONS is CORS's and gqlgen's.
func acceptOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodOptions:
		case http.MethodPost:
			if media, _, err := parseMedia(r.Header.Get("Content-Type")); err != nil || media != mediaJSON {
				w.Header().Set("Accept-Post", mediaJSON)
				refuse(w, r, http.StatusUnsupportedMediaType, codes.UnsupportedMediaType,
					"a POST to /graphql must send its parameters as application/json")
				return
			}
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			refuse(w, r, http.StatusMethodNotAllowed, codes.MethodNotAllowed, r.Method+" is not a method of GraphQL over HTTP; use GET or POST")
			return
		}
		next.ServeHTTP(w, r)
	})
}
