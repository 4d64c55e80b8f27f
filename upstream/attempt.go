package upstream

import (
	"context"
	"net/http"
)

// An attempt's context says which call it belongs to and which attempt it
// is. The context is all that go-retryablehttp's CheckRetry is given of a
// call (no request, and no answer when the attempt failed), and the guard,
// one RoundTripper under every call, sees only the request: so both facts
// travel in it. Neither is ever changed: the operation is set when the call
// starts, and each retry's context is derived anew, with its number, by
// PrepareRetry, the hook go-retryablehttp calls on its own fresh copy of
// each retry's request.

type operationKey struct{}

type attemptKey struct{}

func withOperation(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, operationKey{}, op)
}

// OperationOf names the operationId of the call ctx belongs to, or "".
func OperationOf(ctx context.Context) string {
	op, _ := ctx.Value(operationKey{}).(string)
	return op
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
