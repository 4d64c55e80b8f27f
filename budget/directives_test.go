package budget_test

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/gitbook-graphql/facade/graph"
	"github.com/gitbook-graphql/facade/graph/generated"
	"github.com/gitbook-graphql/facade/httpapi"
)

// Resolvers that make no call: what they return came embedded in the
// answer of the field above them. Where it did not, that field's weight
// counts it.
var resolvedWithoutCalls = map[string]string{
	"IntegrationInstallation.integration": "lists of installations embed it; Query.installation and " +
		"fetch__IntegrationInstallation, which read one by key without it, weigh 2",
	"IntegrationSpaceInstallation.space": "listIntegrationInstallationSpaces embeds it; " +
		"installIntegrationOnSpace, whose answer may hold only its ID, weighs 2",
}

// connectionSize is the @listSize every connection carries: `first` sizes
// its nodes and edges, and without `first`, where the facade walks up to
// 1000, the estimate takes 50 (as the facade's own limit does). `first` is
// optional, which Apollo Router refuses unless requireOneSlicingArgument is
// false.
const connectionSize = `@listSize(assumedSize: 50, slicingArguments: ["first"], sizedFields: ["nodes", "edges"], requireOneSlicingArgument: false)`

// The served schema states the facade's pricing with @cost and @listSize
// (which the budget reads), for every field: a field that can make a call
// has its weight, a field with a weight can make one, a list whose items
// cost calls has a size, and every object costs nothing itself. A calling
// field added without its directive fails here.
func TestDirectivesPriceEveryCall(t *testing.T) {
	resolvers := resolverFields()
	if len(resolvers) < 20 {
		t.Fatalf("found only %d resolved fields: %v", len(resolvers), resolvers)
	}
	problems, checked := directiveProblems(httpapi.Schema(), resolvers)
	for _, p := range problems {
		t.Error(p)
	}
	if checked < 300 {
		t.Errorf("checked only %d fields", checked)
	}
}

// Gateways cannot count spaces(ids:)'s ids: the size they take is the most
// the field accepts, so that no estimate is below the calls.
func TestSpacesListSizeIsTheMostIDs(t *testing.T) {
	f := httpapi.Schema().Query.Fields.ForName("spaces")
	want := fmt.Sprintf("@listSize(assumedSize: %d)", graph.MaxSpaceIDs)
	if got := printDirective(f.Directives.ForName("listSize")); got != want {
		t.Errorf("Query.spaces: %s, want %s", got, want)
	}
	if d := f.Arguments.ForName("ids").Description; !strings.Contains(d, fmt.Sprintf("At most %d ids", graph.MaxSpaceIDs)) {
		t.Errorf("ids does not say its bound: %q", d)
	}
}

// Each way of getting the directives wrong is seen.
func TestDirectiveProblemsAreSeen(t *testing.T) {
	resolvers := resolverFields()
	drop := func(name string) func(ast.DirectiveList) ast.DirectiveList {
		return func(l ast.DirectiveList) ast.DirectiveList {
			return slices.DeleteFunc(slices.Clone(l), func(d *ast.Directive) bool { return d.Name == name })
		}
	}
	add := func(src string) func(ast.DirectiveList) ast.DirectiveList {
		return func(l ast.DirectiveList) ast.DirectiveList {
			doc, err := parser.ParseSchema(&ast.Source{Input: "type T " + src + " { f: Int }"})
			if err != nil {
				t.Fatal(err)
			}
			return append(slices.Clone(l), doc.Definitions[0].Directives...)
		}
	}
	for _, tc := range []struct {
		typ, field string
		change     func(ast.DirectiveList) ast.DirectiveList
		want       string
	}{
		{"Space", "organization", drop("cost"), "Space.organization is resolved (it may call GitBook) but has no @cost"},
		{"Space", "title", add("@cost(weight: 1)"), "Space.title weighs 1, but is read from its object's model"},
		{"IntegrationSpaceInstallation", "space", add("@cost(weight: 1)"), "IntegrationSpaceInstallation.space weighs 1, though it makes no call"},
		{"Space", "", drop("cost"), "type Space lacks @cost(weight: 0)"},
		{"Query", "", add("@cost(weight: 0)"), "Query has @cost"},
		{"Space", "integrationBlocks", drop("listSize"), "list Space.integrationBlocks, whose items cost calls, has no @listSize(assumedSize:)"},
		{"Query", "spaces", drop("listSize"), "list Query.spaces, whose items cost calls, has no @listSize(assumedSize:)"},
		{"Space", "imports", add("@listSize(assumedSize: 3)"), "Space.imports has @listSize, but is not a list whose items cost calls"},
		{"Organization", "spaces", drop("listSize"), "connection Organization.spaces: no @listSize"},
		{"Organization", "spaces", drop("cost"), "connection Organization.spaces weighs 0"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			problems, _ := directiveProblems(changed(httpapi.Schema(), tc.typ, tc.field, tc.change), resolvers)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, tc.want) }) {
				t.Errorf("not seen; problems: %q", problems)
			}
		})
	}
}

// changed is s with the directives of one type (field "") or one of its
// fields changed, leaving s as it was.
func changed(s *ast.Schema, typeName, field string, change func(ast.DirectiveList) ast.DirectiveList) *ast.Schema {
	c := *s
	c.Types = maps.Clone(s.Types)
	def := *s.Types[typeName]
	c.Types[typeName] = &def
	if field == "" {
		def.Directives = change(def.Directives)
		return &c
	}
	def.Fields = slices.Clone(def.Fields)
	for i, f := range def.Fields {
		if f.Name == field {
			copied := *f
			copied.Directives = change(f.Directives)
			def.Fields[i] = &copied
		}
	}
	return &c
}

// directiveProblems checks every field of s against the rules, and says
// how many it checked.
func directiveProblems(s *ast.Schema, resolvers map[string]bool) (problems []string, checked int) {
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	reachesCall := callsBelow(s)
	for _, def := range s.Types {
		if def.Kind != ast.Object || def.BuiltIn || strings.HasPrefix(def.Name, "__") || isFederationRuntime(def.Position) {
			continue
		}
		root := def.Name == "Query" || def.Name == "Mutation"
		switch w, ok := weight(def.Directives); {
		case root && ok:
			report("%s has @cost: the root types are no field's type, and weigh nothing", def.Name)
		case !root && (!ok || w != 0):
			report("type %s lacks @cost(weight: 0): gateways count 1 for an object that costs no call", def.Name)
		}
		for _, f := range def.Fields {
			if isFederationRuntime(f.Position) {
				continue
			}
			checked++
			name := def.Name + "." + f.Name
			w, weighed := weight(f.Directives)
			resolved := resolvers[name]
			why, free := resolvedWithoutCalls[name]
			switch {
			case weighed && w < 0:
				report("%s has a @cost without a weight of 0 or more", name)
			case resolved && free && weighed && w > 0:
				report("%s weighs %d, though it makes no call: %s", name, w, why)
			case resolved && !free && (!weighed || w < 1):
				report("%s is resolved (it may call GitBook) but has no @cost(weight: N ≥ 1)", name)
			case !resolved && weighed && w > 0:
				report("%s weighs %d, but is read from its object's model: it cannot make a call", name, w)
			case free && !resolved:
				report("%s is listed as resolved without calls, but has no resolver", name)
			}

			size := f.Directives.ForName("listSize")
			if target := s.Types[f.Type.Name()]; isConnection(target) {
				if w != 1 {
					report("connection %s weighs %d, not 1 (a call a page)", name, w)
				}
				// gqlparser prints lists without a space after the comma.
				if got, want := printDirective(size), strings.ReplaceAll(connectionSize, `", "`, `","`); got != want {
					report("connection %s: %s, want %s", name, got, want)
				}
				if f.Arguments.ForName("first") == nil {
					report("connection %s takes no first", name)
				}
				continue
			}
			if isConnection(def) {
				continue // nodes and edges: sized by the field that returns the connection
			}
			if f.Type.Elem != nil && (w > 0 || reachesCall[f.Type.Name()]) {
				if size == nil || size.Arguments.ForName("assumedSize") == nil {
					report("list %s, whose items cost calls, has no @listSize(assumedSize:)", name)
				}
			} else if size != nil {
				report("%s has @listSize, but is not a list whose items cost calls", name)
			}
		}
	}
	for name := range resolvedWithoutCalls {
		if !resolvers[name] {
			report("%s is listed as resolved without calls, but is no resolver", name)
		}
	}
	return problems, checked
}

// resolverFields are the fields with a resolver in graph/ ("Type.field"):
// the fields that can call GitBook (the others read their object's model).
func resolverFields() map[string]bool {
	s := httpapi.Schema()
	fields := map[string]bool{}
	root := reflect.TypeFor[generated.ResolverRoot]()
	for i := range root.NumMethod() {
		typeName := root.Method(i).Name
		def := s.Types[typeName]
		if def == nil {
			continue // Entity: the federation runtime's _entities, priced in Go
		}
		methods := root.Method(i).Type.Out(0)
		for j := range methods.NumMethod() {
			method := strings.ToLower(methods.Method(j).Name)
			for _, f := range def.Fields {
				if strings.ReplaceAll(strings.ToLower(f.Name), "_", "") == method {
					fields[typeName+"."+f.Name] = true
				}
			}
		}
	}
	return fields
}

// callsBelow says, for each type, whether a field below it can make a
// call, so that a list of it must say its size.
func callsBelow(s *ast.Schema) map[string]bool {
	calls := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, def := range s.Types {
			if calls[name] || def.Kind != ast.Object {
				continue
			}
			for _, f := range def.Fields {
				if w, _ := weight(f.Directives); w > 0 || calls[f.Type.Name()] {
					calls[name], changed = true, true
					break
				}
			}
		}
	}
	return calls
}

func weight(l ast.DirectiveList) (int, bool) {
	d := l.ForName("cost")
	if d == nil {
		return 0, false
	}
	a := d.Arguments.ForName("weight")
	if a == nil || a.Value.Kind != ast.IntValue {
		return -1, true
	}
	v, err := strconv.Atoi(a.Value.Raw)
	if err != nil {
		return -1, true
	}
	return v, true
}

// isConnection: a Relay connection, whose nodes and edges `first` sizes.
func isConnection(def *ast.Definition) bool {
	return def != nil && def.Kind == ast.Object && def.Fields.ForName("nodes") != nil &&
		def.Fields.ForName("edges") != nil && def.Fields.ForName("pageInfo") != nil
}

// isFederationRuntime: what gqlgen's federation plugin adds (_entities,
// _service, _Service, Entity), priced in Go where it calls.
func isFederationRuntime(p *ast.Position) bool {
	return p != nil && p.Src != nil && (p.Src.BuiltIn || strings.HasPrefix(p.Src.Name, "federation/"))
}

func printDirective(d *ast.Directive) string {
	if d == nil {
		return "no @listSize"
	}
	args := make([]string, len(d.Arguments))
	for i, a := range d.Arguments {
		args[i] = a.Name + ": " + a.Value.String()
	}
	return "@" + d.Name + "(" + strings.Join(args, ", ") + ")"
}
