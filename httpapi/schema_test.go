package httpapi_test

import (
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/httpapi"
)

// No directive sits at a location the GraphQL spec lacks (which
// graphql-core 3 refuses; conformance/introspection.test.mjs builds the
// schema with it).
func TestDirectivesSitWhereTheSpecSays(t *testing.T) {
	f := newFacade(t, setup{})

	// The spec's directive locations (October 2021), executable and type system.
	spec := []string{"QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD",
		"INLINE_FRAGMENT", "VARIABLE_DEFINITION", "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION",
		"ARGUMENT_DEFINITION", "INTERFACE", "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION"}
	var got struct {
		Schema struct {
			Directives []struct {
				Name      string
				Locations []string
			}
		} `json:"__schema"`
	}
	f.do(t, `{ __schema { directives { name locations } } }`).decode(t, &got)
	if len(got.Schema.Directives) == 0 {
		t.Fatal("no directives")
	}
	for _, d := range got.Schema.Directives {
		for _, l := range d.Locations {
			if !slices.Contains(spec, l) {
				t.Errorf("@%s on %s, which the spec does not have", d.Name, l)
			}
		}
	}
}

var update = flag.Bool("update", false, "rewrite schema/client.graphql")

// schema/client.graphql is the served schema as it is now.
func TestClientSDLIsCurrent(t *testing.T) {
	const file = "../schema/client.graphql"
	sdl := httpapi.ClientSDL()
	if *update {
		if err := os.WriteFile(file, []byte(sdl), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(committed) != sdl {
		t.Errorf("%s is stale: run go test ./httpapi -run TestClientSDLIsCurrent -update", file)
	}
	for _, federation := range []string{"@link", "@key", "@cost", "@listSize", "_entities", "_service", "@defer"} {
		if strings.Contains(sdl, federation) {
			t.Errorf("the client SDL holds %s", federation)
		}
	}
}
