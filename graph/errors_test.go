package graph_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

// failSpace fails every getSpaceById with f. Faults the retry policy does
// not retry keep these tests quick: 4xx, 500, and a 429 that asks for a
// wait longer than the policy waits for.
func failSpace(f gitbooksim.Fault) gitbooksim.FaultFunc {
	return gitbooksim.FailAlways("getSpaceById", f)
}

// Every upstream failure reaches the caller with its code, the upstream's
// status, and a message that names the operation and no URL or token.
func TestUpstreamFailuresHaveTheirCodes(t *testing.T) {
	cases := []struct {
		name  string
		fault gitbooksim.FaultFunc
		opts  []client.Option
		code  string
		ext   map[string]any
	}{
		{name: "401", opts: []client.Option{as("gb_nobody")}, code: "UNAUTHENTICATED", ext: map[string]any{"upstreamStatus": 401.0}},
		{name: "403", fault: failSpace(gitbooksim.Fault{Status: http.StatusForbidden}), code: "FORBIDDEN", ext: map[string]any{"upstreamStatus": 403.0}},
		{name: "404", fault: failSpace(gitbooksim.Fault{Status: http.StatusNotFound}), code: "NOT_FOUND", ext: map[string]any{"upstreamStatus": 404.0}},
		{name: "422", fault: failSpace(gitbooksim.Fault{Status: http.StatusUnprocessableEntity}), code: "BAD_USER_INPUT", ext: map[string]any{"upstreamStatus": 422.0}},
		{name: "429", fault: failSpace(gitbooksim.RateLimited(time.Minute)), code: "RATE_LIMITED", ext: map[string]any{"upstreamStatus": 429.0, "retryAfter": 60.0}},
		{name: "500", fault: failSpace(gitbooksim.Fault{Status: http.StatusInternalServerError}), code: "UPSTREAM_UNAVAILABLE", ext: map[string]any{"upstreamStatus": 500.0}},
		{name: "not JSON", fault: failSpace(gitbooksim.Fault{Body: "<html>"}), code: "UPSTREAM_BAD_RESPONSE", ext: map[string]any{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, setup{sim: gitbooksim.Options{Fault: c.fault}})
			var got struct{ Space *spaceAnswer }
			e := one(t, h.post(t, `{ space(id: "acme-handbook") { id } }`, &got, c.opts...), c.code, `["space"]`)
			if got.Space != nil {
				t.Errorf("space = %+v, want null", got.Space)
			}
			for k, v := range c.ext {
				if e.Extensions[k] != v {
					t.Errorf("extensions.%s = %v, want %v", k, e.Extensions[k], v)
				}
			}
			checkSafe(t, h, e)
			h.calls(t, map[string]int{"getSpaceById": 1})
		})
	}
}

// checkSafe fails when an error's message shows the upstream's address, a
// token, or a Go error's insides.
func checkSafe(t *testing.T, h *harness, e gqlError) {
	t.Helper()
	for _, secret := range []string{h.sim.URL, "127.0.0.1", "gb_", "Bearer", "goroutine", ".go:"} {
		if strings.Contains(e.Message, secret) {
			t.Errorf("the message %q shows %q", e.Message, secret)
		}
	}
	if !strings.HasPrefix(e.Message, "getSpaceById: ") {
		t.Errorf("the message %q does not name the operation", e.Message)
	}
}

// A 5xx the retry policy retries is not seen when a retry succeeds.
func TestARetriedFailureIsNotSeen(t *testing.T) {
	h := newHarness(t, setup{sim: gitbooksim.Options{
		Fault: gitbooksim.FailFirst("getSpaceById", 1, gitbooksim.Fault{Status: http.StatusServiceUnavailable}),
	}})
	var got struct{ Space *spaceAnswer }
	h.must(t, `{ space(id: "acme-handbook") { id title } }`, &got)
	if got.Space == nil || got.Space.Title != "Employee Handbook" {
		t.Errorf("space = %+v", got.Space)
	}
	h.calls(t, map[string]int{"getSpaceById": 2})
}

func TestAnUpstreamPastTheDeadlineIsATimeout(t *testing.T) {
	h := newHarness(t, setup{sim: gitbooksim.Options{Fault: failSpace(gitbooksim.Fault{Hang: true})}})
	var got struct{ Space *spaceAnswer }
	e := one(t, h.post(t, `{ space(id: "acme-handbook") { id } }`, &got, within(t, 200*time.Millisecond)), "UPSTREAM_TIMEOUT", `["space"]`)
	checkSafe(t, h, e)
	h.calls(t, map[string]int{"getSpaceById": 1})
}

// An enum value that no version of the spec lists breaks its own field, or
// its own element of a list, and nothing else.
func TestAnUnknownEnumValueIsNullAtItsField(t *testing.T) {
	h := newHarness(t, setup{sim: gitbooksim.Options{Fault: gitbooksim.FailAlways("getIntegrationByName", gitbooksim.Drift())}})
	var got struct {
		Integration *struct {
			Name, Title        string
			Target, Visibility *string
			Categories         []*string
		}
	}
	errs := h.post(t, `{ integration(name: "slack") { name title target visibility categories } }`, &got)
	want := map[string]string{
		`["integration","target"]`:       gitbooksim.DriftValues["target"],
		`["integration","visibility"]`:   gitbooksim.DriftValues["visibility"],
		`["integration","categories",1]`: gitbooksim.DriftValues["categories"],
	}
	if len(errs) != len(want) {
		t.Errorf("errors %+v, want one at each of %v", errs, want)
	}
	for _, e := range errs {
		if value, ok := want[e.at()]; !ok || e.code() != "UPSTREAM_BAD_RESPONSE" || e.Extensions["upstreamValue"] != value {
			t.Errorf("error %+v", e)
		}
	}
	in := got.Integration
	if in == nil || in.Name != "slack" || in.Title != "Slack" || in.Target != nil || in.Visibility != nil {
		t.Fatalf("integration = %+v", in)
	}
	if len(in.Categories) != 2 || in.Categories[0] == nil || *in.Categories[0] != "collaboration" || in.Categories[1] != nil {
		t.Errorf("categories = %v", in.Categories)
	}
	h.calls(t, map[string]int{"getIntegrationByName": 1})
}

// A request that reaches its call limit is told so, as an operation too
// complex to answer, and the call past the limit is not sent.
func TestTheCallLimitIsTooComplex(t *testing.T) {
	h := newHarness(t, setup{callLimit: 1})
	var got struct {
		Space        *spaceAnswer
		Organization *struct{ ID string }
	}
	errs := h.post(t, `{ space(id: "acme-handbook") { id } organization(id: "acme") { id } }`, &got)
	if len(errs) != 1 || errs[0].code() != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Fatalf("errors %+v, want one COMPLEXITY_LIMIT_EXCEEDED", errs)
	}
	if (got.Space == nil) == (got.Organization == nil) {
		t.Errorf("answer %+v, want one of the two", got)
	}
	if n := h.sim.CallCount(""); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

// Errors of the facade's own making show no detail: without the loader
// middleware a resolver has nothing to call with.
func TestAServerWithoutLoadersIsAnInternalError(t *testing.T) {
	h := newHarness(t, setup{noLoaders: true})
	e := one(t, h.post(t, `{ space(id: "acme-handbook") { id } }`, nil), "INTERNAL_SERVER_ERROR", `["space"]`)
	if e.Message != "internal error" {
		t.Errorf("message %q", e.Message)
	}
	if log := h.log.String(); !strings.Contains(log, "resolver failed") || !strings.Contains(log, "no loaders") {
		t.Errorf("the log does not hold the error:\n%s", log)
	}
	h.calls(t, nil)
}

// A panic while resolving is an INTERNAL_SERVER_ERROR at its field, with
// nothing of the panic in the message; the other fields answer.
func TestAPanicIsAnInternalError(t *testing.T) {
	h := newHarness(t, setup{server: func(s *handler.Server) {
		s.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
			if fc := graphql.GetFieldContext(ctx); fc.Object == "Space" && fc.Field.Name == "emoji" {
				panic("a secret detail")
			}
			return next(ctx)
		})
	}})
	var got struct {
		Space        *struct{ Emoji string }
		Organization *struct{ Title string }
	}
	e := one(t, h.post(t, `{ space(id: "acme-handbook") { emoji } organization(id: "acme") { title } }`, &got),
		"INTERNAL_SERVER_ERROR", `["space","emoji"]`)
	if e.Message != "internal error" {
		t.Errorf("message %q", e.Message)
	}
	if got.Space != nil || got.Organization == nil || got.Organization.Title != "Acme Inc." {
		t.Errorf("answer %+v", got)
	}
	// The panic and its stack go to the log.
	if log := h.log.String(); !strings.Contains(log, "a secret detail") || !strings.Contains(log, "goroutine") {
		t.Errorf("the log does not hold the panic:\n%s", log)
	}
}
