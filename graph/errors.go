package graph

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gitbook-graphql/facade/graph/model"
	"github.com/gitbook-graphql/facade/upstream"
)

// Error codes: every error a client sees carries one in extensions.code,
// beside gqlgen's GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED.
const (
	CodeNotFound            = "NOT_FOUND"
	CodeUnauthenticated     = "UNAUTHENTICATED"
	CodeForbidden           = "FORBIDDEN"
	CodeBadUserInput        = "BAD_USER_INPUT"
	CodeRateLimited         = "RATE_LIMITED"
	CodeUpstreamUnavailable = "UPSTREAM_UNAVAILABLE"
	CodeUpstreamTimeout     = "UPSTREAM_TIMEOUT"
	CodeUpstreamBadResponse = "UPSTREAM_BAD_RESPONSE"
	CodeInternal            = "INTERNAL_SERVER_ERROR"
	// CodeTooComplex is gqlgen's code for an operation past the complexity
	// limit; a request that reaches its call limit while running gets it too.
	CodeTooComplex = "COMPLEXITY_LIMIT_EXCEEDED"
)

// inputError is an argument refused before any call.
type inputError struct {
	arg, reason string
}

func (e *inputError) Error() string { return "argument " + e.arg + ": " + e.reason }

// ErrorPresenter gives every resolver error its code and a message that is
// safe to show: upstream errors say what failed without URLs or tokens, and
// errors of our own making say nothing of our internals.
func ErrorPresenter(ctx context.Context, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	if gqlErr.Err == nil {
		return gqlErr // gqlgen's own: parse, validation and coercion errors
	}
	code, message, ext := classify(gqlErr.Err)
	if code == CodeInternal {
		slog.ErrorContext(ctx, "resolver failed", "error", gqlErr.Err)
	}
	if message != "" {
		gqlErr.Message = message
	}
	errcode.Set(gqlErr, code)
	for k, v := range ext {
		gqlErr.Extensions[k] = v
	}
	return gqlErr
}

// classify maps an error to its code, the message to show, and extensions.
func classify(err error) (code, message string, ext map[string]any) {
	var input *inputError
	if errors.As(err, &input) {
		return CodeBadUserInput, input.Error(), nil
	}
	var unknown *model.UnknownValueError
	if errors.As(err, &unknown) {
		return CodeUpstreamBadResponse, unknown.Error(), map[string]any{"upstreamValue": unknown.Shown()}
	}
	var uerr *upstream.Error
	if !errors.As(err, &uerr) {
		switch {
		case errors.Is(err, upstream.ErrBadResponse):
			return CodeUpstreamBadResponse, err.Error(), nil
		case errors.Is(err, context.DeadlineExceeded):
			return CodeUpstreamTimeout, "the request's deadline passed before the upstream answered", nil
		}
		return CodeInternal, "internal error", nil
	}
	message = uerr.Error()
	ext = map[string]any{}
	if uerr.StatusCode != 0 {
		ext["upstreamStatus"] = uerr.StatusCode
	}
	if uerr.OutcomeUnknown {
		ext["outcome"] = "unknown" // a write that may or may not have been applied
	}
	switch {
	case errors.Is(uerr.Kind, upstream.ErrCallLimit):
		return CodeTooComplex, message, ext
	case errors.Is(uerr.Kind, upstream.ErrInvalidArgument):
		return CodeBadUserInput, message, ext
	case errors.Is(uerr.Kind, upstream.ErrBadResponse):
		return CodeUpstreamBadResponse, message, ext
	case errors.Is(uerr.Kind, upstream.ErrTimeout), errors.Is(uerr.Kind, context.Canceled):
		return CodeUpstreamTimeout, message, ext
	case errors.Is(uerr.Kind, upstream.ErrRateLimited):
		if rl := uerr.RateLimit; rl != nil && rl.RetryAfter > 0 {
			ext["retryAfter"] = int(math.Ceil(rl.RetryAfter.Seconds()))
		}
		return CodeRateLimited, message, ext
	case errors.Is(uerr.Kind, upstream.ErrUnavailable):
		return CodeUpstreamUnavailable, message, ext
	}
	switch uerr.StatusCode {
	case http.StatusNotFound:
		return CodeNotFound, message, ext
	case http.StatusUnauthorized:
		return CodeUnauthenticated, message, ext
	case http.StatusForbidden:
		return CodeForbidden, message, ext
	}
	// Other 4xx: the upstream refused what the caller asked for.
	return CodeBadUserInput, message, ext
}

// Recover turns a resolver's panic into an INTERNAL_SERVER_ERROR; the stack
// goes to the log, not to the caller.
func Recover(ctx context.Context, p any) error {
	slog.ErrorContext(ctx, "resolver panicked", "panic", p, "stack", string(debug.Stack()))
	err := gqlerror.Errorf("internal error")
	errcode.Set(err, CodeInternal)
	return err
}
