package upstream

import (
	"context"
	"net/http"
)

// An attempt's context says which call it belongs to, whose credential it
// carries, and which attempt it is. The context is all that go-retryablehttp's CheckRetry is given of a
// call (no request, and no answer when the attempt failed), and the guard,
// one RoundTripper under every call, sees only the request: so both facts
// travel in it. Neither is ever changed: the operation is set when the call
// starts, and each retry's context is derived anew, with its number, by
// PrepareRetry, the hook go-retryablehttp calls on its own fresh copy of
// each retry's request.

type operationKey struct{}

type attemptKey struct{}

// call is what an attempt's context carries of its call. The credential
// is the client's own hash of the Authorization header it sends, so the
// guard need not hash the header again on every attempt.
type call struct {
	op         string
	credential Credential
}

func withCall(ctx context.Context, op string, credential Credential) context.Context {
	return context.WithValue(ctx, operationKey{}, &call{op: op, credential: credential})
}

// OperationOf names the operationId of the call ctx belongs to, or "".
func OperationOf(ctx context.Context) string {
	if c, ok := ctx.Value(operationKey{}).(*call); ok {
		return c.op
	}
	return ""
}

// credentialOf is the credential of the call req belongs to: the client's,
// or for a request sent some other way, the hash of its header.
func credentialOf(req *http.Request) Credential {
	if c, ok := req.Context().Value(operationKey{}).(*call); ok {
		return c.credential
	}
	return CredentialOf(req.Header.Get("Authorization"))
}

// credentialOfContext is the credential of the call ctx belongs to, for
// CheckRetry, which is given no request; every call the client makes says
// it (anonymous otherwise).
func credentialOfContext(ctx context.Context) Credential {
	if c, ok := ctx.Value(operationKey{}).(*call); ok {
		return c.credential
	}
	return anonymous
}

// attemptOf numbers the attempt ctx belongs to: 0 for a call's first.
func attemptOf(ctx context.Context) int {
	n, _ := ctx.Value(attemptKey{}).(int)
	return n
}

// numberRetry is go-retryablehttp's PrepareRetry hook: it gives the retry's
// request a context that numbers it one past the attempt before. The
// request is go-retryablehttp's fresh copy for this retry, so replacing its
// context in place races with nothing still reading the last attempt's.
func numberRetry(req *http.Request) error {
	ctx := req.Context()
	*req = *req.WithContext(context.WithValue(ctx, attemptKey{}, attemptOf(ctx)+1))
	return nil
}
