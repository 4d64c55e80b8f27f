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
// federation extension (`extend schema @link(...)`) and what it imports,
// which are for gateways (`@key`, and `@cost` and `@listSize` with their
// definitions), and without what the federation runtime adds (`_entities`,
// `_service`), which gqlparser prints as built in.
// schema/client.graphql holds it; a test keeps the file current.
func ClientSDL() string {
	s := *servedSchema()
	s.SchemaDirectives = nil
	s.Directives = make(map[string]*ast.DirectiveDefinition, len(servedSchema().Directives))
	for name, d := range servedSchema().Directives {
		if !forGateways(name) {
			s.Directives[name] = d
		}
	}
	s.Types = make(map[string]*ast.Definition, len(servedSchema().Types))
	for name, def := range servedSchema().Types {
		s.Types[name] = withoutGatewayDirectives(def)
	}
	var b strings.Builder
	b.WriteString("# The facade's schema for client tools, printed from the served schema:\n# do not edit (go test ./httpapi -run TestClientSDLIsCurrent -update).\n")
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchema(&s)
	return b.String()
}

// forGateways says whether a directive is the federation's, imported for
// gateways, which clients' tools need not know.
func forGateways(name string) bool { return name == "key" || name == "cost" || name == "listSize" }

// withoutGatewayDirectives is def, as a copy, less forGateways' directives on
// it and its fields.
func withoutGatewayDirectives(def *ast.Definition) *ast.Definition {
	drop := func(l ast.DirectiveList) ast.DirectiveList {
		return slices.DeleteFunc(slices.Clone(l), func(d *ast.Directive) bool { return forGateways(d.Name) })
	}
	plain := *def
	plain.Directives = drop(def.Directives)
	plain.Fields = make(ast.FieldList, len(def.Fields))
	for i, f := range def.Fields {
		field := *f
		field.Directives = drop(f.Directives)
		plain.Fields[i] = &field
	}
	return &plain
}

// Schema is the schema clients see, for what builds documents over it
// (package hostile's shapes and generator).
func Schema() *ast.Schema { return servedSchema() }
