// Package gitbooksim is a simulated GitBook API, as net/http/httptest is a
// simulated network: a real HTTP server on loopback that answers the
// operations of the reduced spec with the spec's shapes and error envelope.
//
// It scopes every answer by the caller's token (a member sees the spaces and
// organizations of the organizations it belongs to, with permissions of its
// role), counts calls per operation, records their timing, and can add
// latency and inject faults: error statuses, rate limits, resets, hangs and
// malformed bodies. The facade's tests use it as their upstream and its
// -demo mode serves it with DemoData.
package gitbooksim
