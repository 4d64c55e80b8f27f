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

	"github.com/gitbook-graphql/facade/codes"
	"github.com/gitbook-graphql/facade/graph/model"
	"github.com/gitbook-graphql/facade/upstream"
)

// inputError is an argument refused before any call.
type inputError struct {
	arg, reason string
}

func (e *inputError) Error() string { return "argument " + e.arg + ": " + e.reason }

// Errors is the resolvers' error handling, for gqlgen's SetErrorPresenter
// and SetRecoverFunc: what a client sees of an error, and what the log
// keeps of the ones of our own making.
type Errors struct {
	// Logger gets internal errors and panics. Default: slog.Default().
	Logger *slog.Logger
}

func (e Errors) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.Default()
	}
	return e.Logger
}

// Present gives every resolver error its code and a message that is safe
// to show: upstream errors say what failed without URLs or tokens, and
// errors of our own making say nothing of our internals.
func (e Errors) Present(ctx context.Context, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	if gqlErr.Err == nil {
		return gqlErr // gqlgen's own: parse, validation and coercion errors
	}
	code, message, ext := classify(gqlErr.Err)
	if code == codes.Internal {
		e.logger().ErrorContext(ctx, "resolver failed", "error", gqlErr.Err)
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
		return codes.BadUserInput, input.Error(), nil
	}
	var unknown *model.UnknownValueError
	if errors.As(err, &unknown) {
		return codes.UpstreamBadResponse, unknown.Error(), map[string]any{"upstreamValue": unknown.Shown()}
	}
	var uerr *upstream.Error
	if !errors.As(err, &uerr) {
		switch {
		case errors.Is(err, upstream.ErrBadResponse):
			return codes.UpstreamBadResponse, err.Error(), nil
		case errors.Is(err, context.DeadlineExceeded):
			return codes.UpstreamTimeout, "the request's deadline passed before the upstream answered", nil
		}
		return codes.Internal, "internal error", nil
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
		return codes.TooComplex, message, ext
	case errors.Is(uerr.Kind, upstream.ErrInvalidArgument):
		return codes.BadUserInput, message, ext
	case errors.Is(uerr.Kind, upstream.ErrBadResponse):
		return codes.UpstreamBadResponse, message, ext
	case errors.Is(uerr.Kind, upstream.ErrTimeout), errors.Is(uerr.Kind, context.Canceled):
		return codes.UpstreamTimeout, message, ext
	case errors.Is(uerr.Kind, upstream.ErrRateLimited):
		if rl := uerr.RateLimit; rl != nil && rl.RetryAfter > 0 {
			ext["retryAfter"] = int(math.Ceil(rl.RetryAfter.Seconds()))
		}
		return codes.RateLimited, message, ext
	case errors.Is(uerr.Kind, upstream.ErrUnavailable):
		return codes.UpstreamUnavailable, message, ext
	}
	switch uerr.StatusCode {
	case http.StatusNotFound:
		return codes.NotFound, message, ext
	case http.StatusUnauthorized:
		return codes.Unauthenticated, message, ext
	case http.StatusForbidden:
		return codes.Forbidden, message, ext
	}
	// Other 4xx: the upstream refused what the caller asked for.
	return codes.BadUserInput, message, ext
}

// Recover turns a resolver's panic into an INTERNAL_SERVER_ERROR; the stack
// goes to the log, not to the caller.
func (e Errors) Recover(ctx context.Context, p any) error {
	e.logger().ErrorContext(ctx, "resolver panicked", "panic", p, "stack", string(debug.Stack()))
	err := gqlerror.Errorf("internal error")
	errcode.Set(err, codes.Internal)
	return err
}
