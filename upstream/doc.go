// Package upstream is a typed client for the part of the GitBook REST API
// that the facade serves (see testdata/gitbook-openapi.reduced.json).
//
// One method per operation, Go types that mirror the spec's schemas, and one
// error type for every way a call can fail. It knows REST and nothing of
// GraphQL. Reads are retried on failures that are likely to pass; writes are
// sent once, and again only when they provably never left. The retry policy
// is go-retryablehttp's own hooks (RetryPolicy); what every attempt did
// reaches the caller's metrics, traces and request records through one
// Observer.
package upstream

//go:generate go run ../tools/enumgen -spec ../testdata/gitbook-openapi.reduced.json -go enums_gen.go -graphql ../schema/enums.graphqls -model ../graph/model/enums_gen.go
