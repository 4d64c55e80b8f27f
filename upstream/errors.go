package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Kinds of failure, for errors.Is. An *Error wraps one of them, except when
// the upstream answered with an HTTP error (see Error.StatusCode).
var (
	// ErrInvalidArgument: an id or name the spec does not allow; nothing was sent.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrUnavailable: connections refused or reset, or 5xx answers, after retries.
	ErrUnavailable = errors.New("upstream unavailable")
	// ErrTimeout: the upstream did not answer in time.
	ErrTimeout = errors.New("upstream timed out")
	// ErrBadResponse: an answer that is not what the spec says it is.
	ErrBadResponse = errors.New("upstream answer does not follow its spec")
	// ErrOutcomeUnknown: a write may have reached the upstream, but no answer
	// came back, so whether it took effect is unknown. It is not resent.
	ErrOutcomeUnknown = errors.New("upstream outcome unknown")
	// ErrRateLimited: the upstream refused the call for its rate limit (429),
	// or asked this credential to wait past the caller's deadline.
	ErrRateLimited = errors.New("upstream rate limit")
	// ErrCallLimit: the request has made as many calls as it may; not sent.
	ErrCallLimit = errors.New("upstream call limit reached")
)

// Error is a failed call. Its text names the operation and never holds a
// URL, a header or a token.
type Error struct {
	Op         string     // the spec's operationId
	Kind       error      // one of the Err* kinds above; nil for other HTTP error answers
	StatusCode int        // HTTP status of the answer; 0 when none came
	Code       int        // error.code of the answer's body, when it had one
	Message    string     // error.message of the answer's body, when it had one
	RateLimit  *RateLimit // the rate-limit headers of the answer, when it sent them
	Err        error      // the cause, when there is one
	// OutcomeUnknown: a write may have reached the upstream, and whether it
	// took effect is unknown. errors.Is(err, ErrOutcomeUnknown) reports it.
	OutcomeUnknown bool
}

func (e *Error) Error() string {
	msg := e.Op + ": "
	switch {
	case e.StatusCode != 0:
		msg += fmt.Sprintf("upstream answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
		if e.Message != "" {
			msg += ": " + e.Message
		}
	case e.Kind != nil:
		msg += e.Kind.Error()
	}
	if e.OutcomeUnknown {
		msg += "; the change may or may not have been applied"
	}
	if e.Err != nil {
		msg += ": " + causeText(e.Err)
	}
	return msg
}

// Unwrap exposes both the kind and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.OutcomeUnknown {
		errs = append(errs, ErrOutcomeUnknown)
	}
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// Transient says whether the same call may well succeed if made again later.
func (e *Error) Transient() bool {
	switch {
	case errors.Is(e.Kind, ErrUnavailable), errors.Is(e.Kind, ErrTimeout), errors.Is(e.Kind, ErrRateLimited):
		return true
	}
	return false
}

// IsTransient reports whether err is an *Error that may pass if retried later.
func IsTransient(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Transient()
}

// StatusCode is the HTTP status of the upstream answer behind err, or 0.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// causeText is the text of a transport error without the URL that
// net/http puts in front of it, nor the addresses that net puts in it
// ("read tcp 10.0.0.5:4711->104.18.0.1:443: ..."): callers show this text.
func causeText(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "lookup: " + dns.Err
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		text := op.Err.Error()
		if !strings.HasPrefix(text, op.Op+":") {
			text = op.Op + ": " + text
		}
		return text
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return err.Error()
}

func invalidArgument(op, name, reason string) error {
	return &Error{Op: op, Kind: ErrInvalidArgument, Err: fmt.Errorf("%s %s", name, reason)}
}

func badResponse(op string, cause error) error {
	return &Error{Op: op, Kind: ErrBadResponse, Err: cause}
}

func errMissing(what string) error {
	return fmt.Errorf("the answer has no %s", what)
}

// transportError classifies a call that got no answer.
func transportError(ctx context.Context, op string, idempotent bool, err error) error {
	e := &Error{Op: op, Err: err}
	var nerr net.Error
	var held *RateLimitHoldError
	var open *CircuitOpenError
	switch {
	case errors.As(err, &held):
		e.Kind = ErrRateLimited
		e.RateLimit = &RateLimit{Reset: held.Until, RetryAfter: time.Until(held.Until)}
		return e // never sent
	case errors.As(err, &open):
		e.Kind = ErrUnavailable
		return e // never sent
	case errors.Is(ctx.Err(), context.Canceled):
		e.Kind = context.Canceled
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.As(err, &nerr) && nerr.Timeout():
		e.Kind = ErrTimeout
	default:
		e.Kind = ErrUnavailable
	}
	// A write that may have reached the upstream may have been applied.
	e.OutcomeUnknown = !idempotent && !neverSent(err)
	return e
}

// err reads an upstream error answer: the spec's Error envelope, and the
// rate-limit headers.
func (a *answer) err(op string, idempotent bool) error {
	e := &Error{Op: op, StatusCode: a.status, RateLimit: a.rateLimit}
	var envelope struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(a.data, &envelope) == nil && envelope.Error != nil {
		e.Code, e.Message = envelope.Error.Code, truncate(envelope.Error.Message, 500)
	}
	switch {
	case a.status == http.StatusTooManyRequests:
		e.Kind = ErrRateLimited
	case a.status >= 500:
		e.Kind = ErrUnavailable
		e.OutcomeUnknown = !idempotent
	}
	return e
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
