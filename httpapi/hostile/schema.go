package hostile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gitbook-graphql/facade/httpapi"
)

// Documents over the served schema: every field of a type (the widest
// answer a selection can ask of one object), and documents generated from
// bytes (Generate), valid by construction, for the fuzzer.

// Ids of the demo data the shapes and the generator ask for: the space
// with the most integrations first.
var (
	demoSpaces       = []string{"acme-developer-portal", "acme-handbook", "oss-governance", "northwind-runbooks"}
	demoOrgs         = []string{"acme", "open-source-collective", "northwind"}
	demoIntegrations = []string{"slack", "github", "jira", "figma"}
)

// EveryField is a selection of every field of the type named, and of the
// objects under it down to depth, that needs no argument: the most one
// object of it can answer with the calls its parent made. Fields that take
// arguments are left out, and so are connections: each pages a list of its
// own, a call per item that holds one, which the call limit prices.
func EveryField(typeName string, depth int) string {
	var b strings.Builder
	everyField(&b, httpapi.Schema(), httpapi.Schema().Types[typeName], depth)
	return b.String()
}

func everyField(b *strings.Builder, s *ast.Schema, def *ast.Definition, depth int) {
	b.WriteString("{")
	for _, f := range def.Fields {
		if strings.HasPrefix(f.Name, "__") || slices.ContainsFunc(f.Arguments, func(a *ast.ArgumentDefinition) bool { return a.Type.NonNull }) {
			continue
		}
		if strings.HasSuffix(f.Type.Name(), "Connection") {
			continue
		}
		inner := s.Types[f.Type.Name()]
		switch {
		case inner == nil:
			continue
		case inner.Kind == ast.Object:
			if depth == 0 {
				continue
			}
			var sub strings.Builder
			everyField(&sub, s, inner, depth-1)
			if sub.Len() > len("{ }") { // an object of objects alone has nothing left at the bottom
				b.WriteString(" " + f.Name + " " + sub.String())
			}
		case inner.Kind == ast.Interface || inner.Kind == ast.Union:
			b.WriteString(" " + f.Name + " { __typename }")
		default:
			b.WriteString(" " + f.Name)
		}
	}
	b.WriteString(" }")
}

// Generate builds a GraphQL query over the served schema from program,
// each byte a choice: how many selections, which field of the type (with
// its required arguments, ids often repeated), an alias, a fragment that
// may be deferred, introspection. It is valid but for what the limits
// refuse (too many fields, aliases or directives; too many upstream calls),
// so that the fuzzer explores what documents cost when they run, not how
// they are refused. Half the requests take @defer's parts.
func Generate(program []byte) Request {
	g := &generator{schema: httpapi.Schema(), program: program}
	g.b.WriteString("query")
	g.selections(g.schema.Query, 0)
	r := Request{Query: g.b.String()}
	if g.next()%2 == 0 {
		r.Header = map[string]string{"Accept": MultipartAccept}
	}
	return r
}

// MultipartAccept asks for @defer's parts as Apollo Client does.
const MultipartAccept = "multipart/mixed;deferSpec=20220824, application/json"

type generator struct {
	schema  *ast.Schema
	program []byte
	at      int
	aliases int
	b       strings.Builder
}

// next is the program's next byte; 0 once it has run out, which closes
// every selection set as soon as it can.
func (g *generator) next() int {
	if g.at >= len(g.program) {
		return 0
	}
	g.at++
	return int(g.program[g.at-1])
}

const maxGeneratedDepth = 6

func (g *generator) selections(def *ast.Definition, depth int) {
	g.b.WriteString(" {")
	n := 1 + g.next()%4
	if depth >= maxGeneratedDepth {
		n = 1
	}
	for range n {
		switch choice := g.next() % 8; {
		case choice == 6 && depth < maxGeneratedDepth:
			g.b.WriteString(" ...")
			if c := g.next(); c%2 == 0 {
				fmt.Fprintf(&g.b, " @defer(label: \"l%d\")", c)
			} else if c%3 == 0 {
				g.b.WriteString(" @defer")
			}
			g.selections(def, depth+1)
		case choice == 7 && def == g.schema.Query:
			g.introspection()
		default:
			g.field(def, depth)
		}
	}
	g.b.WriteString(" }")
}

func (g *generator) field(def *ast.Definition, depth int) {
	fields := def.Fields
	if len(fields) == 0 {
		g.b.WriteString(" __typename")
		return
	}
	f := fields[g.next()%len(fields)]
	if strings.HasPrefix(f.Name, "__") {
		g.b.WriteString(" __typename")
		return
	}
	g.b.WriteString(" ")
	if g.next()%4 == 0 {
		fmt.Fprintf(&g.b, "a%d: ", g.aliases)
		g.aliases++
	}
	g.b.WriteString(f.Name)
	g.arguments(f)
	inner := g.schema.Types[f.Type.Name()]
	if inner == nil || inner.Kind == ast.Scalar || inner.Kind == ast.Enum {
		return
	}
	if depth >= maxGeneratedDepth || inner.Kind == ast.Interface || inner.Kind == ast.Union {
		g.b.WriteString(" { __typename }")
		return
	}
	g.selections(inner, depth+1)
}

// arguments gives f its required arguments, and sometimes the others it
// knows how to fill.
func (g *generator) arguments(f *ast.FieldDefinition) {
	var args []string
	for _, a := range f.Arguments {
		if !a.Type.NonNull && g.next()%3 != 0 {
			continue
		}
		if v := g.value(a); v != "" {
			args = append(args, a.Name+": "+v)
		}
	}
	if len(args) > 0 {
		g.b.WriteString("(" + strings.Join(args, ", ") + ")")
	}
}

func (g *generator) value(a *ast.ArgumentDefinition) string {
	pick := func(from []string) string { return fmt.Sprintf("%q", from[g.next()%len(from)]) }
	switch {
	case a.Name == "representations":
		n := 1 + g.next()%12
		reps := make([]string, n)
		for i := range reps {
			reps[i] = fmt.Sprintf(`{__typename: "Space", id: %s}`, pick(demoSpaces))
		}
		return "[" + strings.Join(reps, ", ") + "]"
	case a.Type.Elem != nil: // ids: often the same one, many times
		n := 1 + g.next()%24
		ids := make([]string, n)
		for i := range ids {
			ids[i] = pick(demoSpaces[:1+g.next()%2])
		}
		return "[" + strings.Join(ids, ", ") + "]"
	case a.Type.Name() == "Int":
		return fmt.Sprint(g.next() % 60)
	case a.Type.Name() == "Boolean":
		return "true"
	case a.Name == "name" || a.Name == "integration":
		return pick(demoIntegrations)
	case strings.Contains(strings.ToLower(a.Name), "organization") || a.Name == "id" && g.next()%4 == 0:
		return pick(demoOrgs)
	case a.Type.Name() == "ID" || a.Type.Name() == "String":
		if a.Name == "after" {
			return "" // a cursor is the server's own to make
		}
		return pick(demoSpaces)
	}
	return ""
}

// introspection asks __schema or __type for what they hold, types and
// fields nested.
func (g *generator) introspection() {
	if g.next()%2 == 0 {
		g.b.WriteString(` __type(name: "Space") { name fields { name type { name ofType { name } } } }`)
		return
	}
	g.b.WriteString(" __schema { types { name")
	if g.next()%2 == 0 {
		g.b.WriteString(" fields { name args { name } type { name kind } }")
	}
	g.b.WriteString(" } }")
}
