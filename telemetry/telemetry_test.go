package telemetry

import (
	"fmt"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestOperationLabelsAreBounded(t *testing.T) {
	b := &boundedNames{max: 3, seen: map[string]bool{}}
	for name, want := range map[string]string{"": "anonymous", "has space": "other", "x.y": "other", "A": "A"} {
		if got := b.label(name); got != want {
			t.Errorf("label(%q) = %q, want %q", name, got, want)
		}
	}
	for i := range 10 {
		b.label(fmt.Sprintf("Op%d", i))
	}
	if got := b.label("Op9"); got != "other" {
		t.Errorf("past the bound, a new name is %q", got)
	}
	if got := b.label("A"); got != "A" {
		t.Errorf("a name seen before the bound is %q", got)
	}
}

func TestRequestIDs(t *testing.T) {
	for id, ok := range map[string]bool{"abc-123_x.y": true, "": false, "has space": false, "a\nb": false, string(make([]byte, 129)): false} {
		if wellFormedRequestID(id) != ok {
			t.Errorf("wellFormedRequestID(%q) = %v", id, !ok)
		}
	}
	if a, b := newRequestID(), newRequestID(); a == b || len(a) != 32 {
		t.Errorf("generated ids %q, %q", a, b)
	}
}

func TestOutcome(t *testing.T) {
	errs := gqlerror.List{{Message: "x"}}
	for want, resp := range map[string]*graphql.Response{
		"success": {Data: []byte(`{"a":1}`)},
		"partial": {Data: []byte(`{"a":null}`), Errors: errs},
		"error":   {Errors: errs},
	} {
		if got := outcomeOf(resp); got != want {
			t.Errorf("outcomeOf(%s) = %s, want %s", resp.Data, got, want)
		}
	}
	if got := outcomeOf(&graphql.Response{Data: []byte("null"), Errors: errs}); got != "error" {
		t.Errorf("null data with errors: %s", got)
	}
}

func TestTracingIsOffWithoutOTELVariables(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		env  func(string) string
		want bool
	}{
		{env(), false},
		{env("OTEL_SERVICE_NAME", "x"), false},
		{env("OTEL_TRACES_EXPORTER", "otlp"), true},
		{env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"), true},
		{env("OTEL_TRACES_EXPORTER", "none"), false},
		{env("OTEL_TRACES_EXPORTER", "console", "OTEL_SDK_DISABLED", "true"), false},
	} {
		if got := tracingConfigured(tc.env); got != tc.want {
			t.Errorf("tracingConfigured = %v, want %v", got, tc.want)
		}
	}
}
