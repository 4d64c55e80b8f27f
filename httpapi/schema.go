package httpapi

import (
	"slices"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/gitbook-graphql/facade/graph/generated"
)

// servedSchema is the schema as clients see it, through validation and
// introspection: gqlgen's, less what its prelude offers wrongly:
// @deprecated may be placed on DIRECTIVE_DEFINITION, a location the GraphQL
// spec does not have, and graphql-core 3 (Python's gql) then refuses the
// whole introspection result.
//
// It is built once, as a copy: the generated schema itself stays as gqlgen
// made it (the contract tests read it).
var servedSchema = sync.OnceValue(func() *ast.Schema {
	generatedSchema := generated.NewExecutableSchema(generated.Config{}).Schema()
	s := *generatedSchema
	s.Directives = make(map[string]*ast.DirectiveDefinition, len(generatedSchema.Directives))
	for name, d := range generatedSchema.Directives {
		s.Directives[name] = d
	}
	if d, ok := s.Directives["deprecated"]; ok {
		spec := *d
		spec.Locations = slices.DeleteFunc(slices.Clone(d.Locations), func(l ast.DirectiveLocation) bool {
			return l == ast.LocationDirectiveDefinition
		})
		s.Directives["deprecated"] = &spec
	}
	return &s
})

// ClientSDL is the served schema as one SDL file, for tools that read a
// file rather than introspect (relay-compiler, codegen): without the
// federation extension (`extend schema @link(...)`) and the `@key`s it
// imports, which such tools do not know, and without what the federation
// runtime adds (`_entities`, `_service`), which gqlparser prints as built in.
// schema/client.graphql holds it; a test keeps the file current.
func ClientSDL() string {
	s := *servedSchema()
	s.SchemaDirectives = nil
	s.Types = make(map[string]*ast.Definition, len(servedSchema().Types))
	for name, def := range servedSchema().Types {
		if def.Directives.ForName("key") != nil {
			plain := *def
			plain.Directives = slices.DeleteFunc(slices.Clone(def.Directives), func(d *ast.Directive) bool { return d.Name == "key" })
			def = &plain
		}
		s.Types[name] = def
	}
	var b strings.Builder
	b.WriteString("# The facade's schema for client tools, printed from the served schema:\n# do not edit (go test ./httpapi -run TestClientSDLIsCurrent -update).\n")
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchema(&s)
	return b.String()
}

// Schema is the schema clients see, for what builds documents over it
// (package hostile's shapes and generator).
func Schema() *ast.Schema { return servedSchema() }
