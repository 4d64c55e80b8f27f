// Package codes is every extensions.code the facade gives an error, in one
// place: the resolvers' (graph), the HTTP layer's (httpapi) and gqlgen's own
// that the facade reuses. The README's table of errors lists the same codes;
// a test keeps the two together.
package codes

import "github.com/99designs/gqlgen/graphql/errcode"

const (
	// Upstream answers, as the resolvers map them.
	NotFound            = "NOT_FOUND"
	Unauthenticated     = "UNAUTHENTICATED"
	Forbidden           = "FORBIDDEN"
	BadUserInput        = "BAD_USER_INPUT"
	RateLimited         = "RATE_LIMITED"
	UpstreamUnavailable = "UPSTREAM_UNAVAILABLE"
	UpstreamTimeout     = "UPSTREAM_TIMEOUT"
	// RequestTimeout: the request's deadline passed before a field was
	// resolved, with no upstream call of its own waiting (see package
	// answer).
	RequestTimeout      = "REQUEST_TIMEOUT"
	UpstreamBadResponse = "UPSTREAM_BAD_RESPONSE"
	Internal            = "INTERNAL_SERVER_ERROR"
	// TooComplex is gqlgen's code for an operation past the complexity
	// limit; a request that reaches its call limit while running gets it too.
	TooComplex = "COMPLEXITY_LIMIT_EXCEEDED"

	// Refusals of the HTTP request itself, before GraphQL.
	BadRequest           = "BAD_REQUEST"
	UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	MethodNotAllowed     = "METHOD_NOT_ALLOWED"
	// Overloaded is a request refused because the process already holds
	// as many requests, or bytes of request bodies, as it may.
	Overloaded = "OVERLOADED"
	// The trusted documents list refuses (package trusted), in Apollo
	// Router's words: an id the list does not hold, and any other text.
	PersistedQueryNotInList = "PERSISTED_QUERY_NOT_IN_LIST"
	QueryNotInSafelist      = "QUERY_NOT_IN_SAFELIST"
	// Bounds on one answer.
	ResponseTooLarge = "RESPONSE_TOO_LARGE"
	TooManyErrors    = "TOO_MANY_ERRORS"

	// gqlgen's own, kept as it gives them.
	ParseFailed            = errcode.ParseFailed
	ValidationFailed       = errcode.ValidationFailed
	PersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND" // gqlgen's APQ extension
)

// Facade is every code of the facade's own making, the ones the README's
// table of errors explains.
var Facade = []string{
	NotFound, Unauthenticated, Forbidden, BadUserInput, RateLimited, TooComplex,
	BadRequest, PersistedQueryNotInList, QueryNotInSafelist, TooManyErrors, ResponseTooLarge, UnsupportedMediaType, MethodNotAllowed, Overloaded,
	UpstreamUnavailable, UpstreamTimeout, RequestTimeout, UpstreamBadResponse,
}
