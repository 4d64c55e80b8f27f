package telemetry

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

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
