package graph_test

// The contract tests hold the GraphQL schema (schema/*.graphqls) against
// GitBook's reduced OpenAPI spec (testdata/gitbook-openapi.reduced.json), so
// that the two cannot drift apart unnoticed. Where they differ on purpose,
// a table below says so, one line of reason per entry; an entry that no
// longer describes a difference fails the test as stale.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	gql "github.com/vektah/gqlparser/v2/ast"
)

// specFile holds every version of GitBook's spec the facade serves and, at
// its top, their union: the contract (tools/specreduce). A property or enum
// value of any version is in the union, so it must be in the schema.
const (
	specFile = "../testdata/gitbook-openapi.reduced.json"
)

// prop names a spec property by the GraphQL type it lands on; the GraphQL
// field has the property's name.
type prop struct{ Type, Name string }

func (p prop) String() string { return p.Type + "." + p.Name }

// omitted are spec properties with no GraphQL field, on purpose.
var omitted = map[prop]string{
	{"Space", "object"}:                           "GraphQL's __typename says the type",
	{"Organization", "object"}:                    "GraphQL's __typename says the type",
	{"Integration", "object"}:                     "GraphQL's __typename says the type",
	{"ContentImportRun", "object"}:                "GraphQL's __typename says the type",
	{"User", "object"}:                            "GraphQL's __typename says the type",
	{"Space", "internal_poweredByV2"}:             "internal to GitBook, not part of the public contract",
	{"Space", "internal_singleWebsocket"}:         "internal to GitBook, not part of the public contract",
	{"Organization", "internal_billingMigration"}: "internal to GitBook, not part of the public contract",
}

// graphQLOnly are fields of the checked types that no spec property of
// their name stands behind.
var graphQLOnly = map[prop]string{
	{"Space", "integrations"}:                         "listSpaceIntegrations' answer, held to the spec by listShape",
	{"Space", "integrationBlocks"}:                    "listSpaceIntegrationsBlocks' answer, held to the spec by operations",
	{"SpaceIntegrationBlocks", "integration"}:         "the Integration that `name` names, resolved",
	{"Integration", "id"}:                             "its name, as the id clients' caches key it by",
	{"IntegrationContentSource", "sourceId"}:          "GitBook's id of the content source; `id` is `<integration>/<sourceId>`, unique for clients' caches",
	{"IntegrationBlock", "blockId"}:                   "GitBook's id of the block; `id` is `<integration>/<blockId>`, unique for clients' caches",
	{"Organization", "spaces"}:                        "listSpacesInOrganizationById's answer, held to the spec by listShapes",
	{"Organization", "installations"}:                 "listOrganizationInstallations' answer, held to the spec by listShapes",
	{"Integration", "installations"}:                  "listIntegrationInstallations' answer, held to the spec by listShapes",
	{"IntegrationInstallation", "key"}:                "`<integration>/<id>`, what GitBook reads an installation by: federation's @key and Relay's refetch id",
	{"IntegrationInstallation", "organization"}:       "the Organization that `target.organization` names, resolved",
	{"IntegrationInstallation", "integration"}:        "the Integration installed, which the REST record does not name",
	{"IntegrationInstallation", "spaceInstallations"}: "listIntegrationInstallationSpaces' answer, held to the spec by listShapes",
}

// retyped are properties whose GraphQL type is deliberately not the spec's.
var retyped = map[prop]string{
	{"Space", "organization"}:                       "REST's organization ID, resolved to the Organization",
	{"IntegrationSpaceInstallation", "integration"}: "REST's integration name, resolved to the Integration",
	{"IntegrationSpaceInstallation", "space"}:       "REST's space ID (or space), resolved to the Space",
	{"Integration", "contentSecurityPolicy"}:        "a string or an object of directives, served as one header value",
	{"OrganizationBilling", "usageAddons"}:          "a map, which GraphQL cannot type: a list of its entries by name",
}

// renulled are properties whose GraphQL nullability deliberately differs
// from "required and not null in the spec" = "non-null in GraphQL".
var renulled = map[prop]string{
	{"Space", "organization"}:                                   "resolved Organization, which may fail to load on its own",
	{"IntegrationSpaceInstallation", "integration"}:             "resolved Integration, which may fail to load on its own",
	{"IntegrationSpaceInstallation", "space"}:                   "resolved Space, which may fail to load on its own",
	{"Integration", "blocks"}:                                   "optional in REST; absent means none, so an empty list",
	{"IntegrationInstallation", "spaces"}:                       "a count: null when an answer lacks it, never an invented 0",
	{"IntegrationInstallationAppUrls", "publicContentEndpoint"}: "newer than the rest of the record, as in Integration.urls: null for records without it",
}

// operations are the GitBook answers the facade serves and the GraphQL
// field that serves each; listSpaceIntegrations has listShape instead.
// uninstallIntegrationFromSpace answers 204, with no body to compare.
var operations = []struct {
	op, status string
	field      prop
}{
	{"getSpaceById", "200", prop{"Query", "space"}},
	{"getOrganizationById", "200", prop{"Query", "organization"}},
	{"getIntegrationByName", "200", prop{"Query", "integration"}},
	{"listSpaceIntegrationsBlocks", "200", prop{"Space", "integrationBlocks"}},
	{"installIntegrationOnSpace", "201", prop{"Mutation", "installIntegrationOnSpace"}},
	{"getAuthenticatedUser", "200", prop{"Query", "viewer"}},
	{"getIntegrationInstallationById", "200", prop{"Query", "installation"}},
}

// checkedByName are spec schemas that must each be checked against the
// GraphQL type of the same name.
var checkedByName = []string{"Space", "Organization", "Integration", "IntegrationBlock"}

// listShape maps the spec's List (allOf its `items`) onto a Relay
// connection; %s is the connection's node type.
var listShape = []listEntry{
	{"items", "array", "nodes", "[%s!]!", "the page's items"},
	{"items", "array", "edges.node", "%s!", "each item, next to its cursor"},
	{"count", "number", "totalCount", "Int", "Relay's name; a count is whole; null when the upstream omits it"},
	{"next", "object", "pageInfo.hasNextPage", "Boolean!", "whether the answer has a `next`"},
	{"next.page", "string", "pageInfo.endCursor", "String", "a facade cursor that carries the page token"},
}

// listShapes are the paged operations the facade serves and the connection
// that serves each. item, when set, is the property of each item that is
// the node: listOrganizationInstallations' items pair an installation with
// its integration, which the node serves as its `integration`.
var listShapes = []struct {
	op, conn, node, item string
}{
	{"listSpaceIntegrations", "IntegrationConnection", "Integration", ""},
	{"listIntegrations", "IntegrationConnection", "Integration", ""},
	{"listOrganizationsForAuthenticatedUser", "OrganizationConnection", "Organization", ""},
	{"listSpacesInOrganizationById", "SpaceConnection", "Space", ""},
	{"listOrganizationInstallations", "IntegrationInstallationConnection", "IntegrationInstallation", "installation"},
	{"listIntegrationInstallations", "IntegrationInstallationConnection", "IntegrationInstallation", ""},
	{"listIntegrationInstallationSpaces", "IntegrationSpaceInstallationConnection", "IntegrationSpaceInstallation", ""},
}

type listEntry struct {
	spec, kind string // a property path in the answer, and its JSON type
	field, typ string // a field path on IntegrationConnection, and its type
	why        string
}

func TestContractProperties(t *testing.T) {
	c := check(t)
	report(t, c.missing)
	stale(t, c, "omitted", omitted)
	stale(t, c, "graphQLOnly", graphQLOnly)
	for _, name := range checkedByName {
		if !slices.Contains(c.checkedAs[name], name) {
			t.Errorf("spec schema %s was not checked against GraphQL type %s (checked against %v)", name, name, c.checkedAs[name])
		}
	}
}

func TestContractNullability(t *testing.T) {
	c := check(t)
	report(t, c.nullability)
	stale(t, c, "renulled", renulled)
}

func TestContractTypes(t *testing.T) {
	c := check(t)
	report(t, c.types)
	stale(t, c, "retyped", retyped)
}

func TestContractListShape(t *testing.T) {
	// The items' types are held to the spec through the operations that
	// answer them one by one: check them once, and report here only what
	// the List shape adds.
	c := check(t)
	c.missing, c.nullability, c.types = nil, nil, nil
	s, spec := c.schema, c.spec
	for _, list := range listShapes {
		answer := spec.response(t, list.op, "200")
		// Every property of the answer, one level down into objects, is mapped.
		props, _ := spec.shapeOf(answer).object()
		var paths []string
		for _, name := range keys(props) {
			paths = append(paths, name)
			sub, _ := spec.shapeOf(props[name]...).object()
			for _, subName := range keys(sub) {
				paths = append(paths, name+"."+subName)
			}
		}
		for _, p := range paths {
			if !slices.ContainsFunc(listShape, func(e listEntry) bool { return e.spec == p }) {
				t.Errorf("%s's answer has %s, which listShape does not map", list.op, p)
			}
		}
		conn := s.Types[list.conn]
		for _, e := range listShape {
			typ := e.typ
			if strings.Contains(typ, "%s") {
				typ = fmt.Sprintf(typ, list.node)
			}
			sh, ok := spec.path(answer, e.spec)
			if !ok {
				t.Errorf("listShape: spec has no %s in %s's answer", e.spec, list.op)
				continue
			}
			i := slices.IndexFunc(sh.alts, func(a alt) bool { return a.typ == e.kind })
			if i < 0 {
				t.Errorf("listShape: %s's %s is %s, listShape says %s", list.op, e.spec, sh, e.kind)
				continue
			}
			f := fieldPath(s, conn, e.field)
			if f == nil {
				t.Errorf("listShape: %s has no %s", list.conn, e.field)
				continue
			}
			if got := f.Type.String(); got != typ {
				t.Errorf("listShape: %s.%s is %s, listShape says %s", list.conn, e.field, got, typ)
			}
			// The items are held to the spec like any answer; the other
			// entries are derived values, which the table alone describes.
			if e.kind != "array" {
				continue
			}
			items := spec.shapeOf(sh.alts[i].items)
			if list.item != "" {
				itemProps, _ := items.object()
				items = spec.shapeOf(itemProps[list.item]...)
			}
			if f.Type.Elem != nil {
				// A list field: its elements are the items.
				c.typ(list.conn+"."+e.field, prop{list.conn, e.field}, f.Type.Elem, items)
			} else {
				c.typ(list.conn+"."+e.field, prop{list.conn, e.field}, f.Type, items)
			}
		}
	}
	report(t, c.missing, c.nullability, c.types)
}

// --- The check ----------------------------------------------------------------

// checker walks the spec's answers alongside the GraphQL types that serve
// them and collects what does not match, by kind of requirement.
type checker struct {
	schema *gql.Schema
	spec   *specDoc

	missing, nullability, types []string
	used                        map[string]map[prop]bool // table -> entries a difference needed
	checkedAs                   map[string][]string      // spec schema -> GraphQL types checked against
	done                        map[string]bool
}

func newChecker(s *gql.Schema, spec *specDoc) *checker {
	return &checker{schema: s, spec: spec, used: map[string]map[prop]bool{}, checkedAs: map[string][]string{}, done: map[string]bool{}}
}

func check(t *testing.T) *checker {
	t.Helper()
	s, spec := load(t)
	c := newChecker(s, spec)
	for _, o := range operations {
		def := s.Types[o.field.Type]
		f := (*gql.FieldDefinition)(nil)
		if def != nil {
			f = def.Fields.ForName(o.field.Name)
		}
		if f == nil {
			t.Fatalf("operations: GraphQL has no %s", o.field)
		}
		// The field's own nullability is the error channel, not the spec's.
		c.typ(o.field.String(), o.field, f.Type, spec.shapeOf(spec.response(t, o.op, o.status)))
	}
	return c
}

func (c *checker) use(table string, p prop) {
	if c.used[table] == nil {
		c.used[table] = map[prop]bool{}
	}
	c.used[table][p] = true
}

// object checks one GraphQL object type against the spec's object(s).
func (c *checker) object(path string, def *gql.Definition, s shape) {
	var ids []string
	for _, a := range s.alts {
		ids = append(ids, a.key)
		if a.from != "" && !slices.Contains(c.checkedAs[a.from], def.Name) {
			c.checkedAs[a.from] = append(c.checkedAs[a.from], def.Name)
		}
	}
	key := def.Name + " " + strings.Join(ids, ",")
	if c.done[key] {
		return
	}
	c.done[key] = true

	props, required := s.object()
	seen := map[string]bool{}
	for _, name := range keys(props) {
		p := prop{def.Name, name}
		at := path + "." + name
		f := def.Fields.ForName(name)
		if _, ok := omitted[p]; ok {
			c.use("omitted", p)
			if seen[name] = f != nil; seen[name] {
				c.missing = append(c.missing, fmt.Sprintf("omitted names %s, but GraphQL has the field", p))
			}
			continue
		}
		if f == nil {
			c.missing = append(c.missing, fmt.Sprintf("%s (at %s): spec property has no GraphQL field; add it, or name it in omitted with a reason", p, at))
			continue
		}
		seen[name] = true
		sh := c.spec.shapeOf(props[name]...)
		if slices.ContainsFunc(props[name], func(n *node) bool { return n.Deprecated }) && f.Directives.ForName("deprecated") == nil {
			c.types = append(c.types, fmt.Sprintf("%s (at %s): deprecated in the spec, not @deprecated in GraphQL", p, at))
		}
		// Non-null is a promise: every version requires the property, never
		// null, and it is no enum (GitBook adds values without notice, and an
		// unknown one is served as null at its own field).
		wantNonNull := required[name] && !sh.nullable && !sh.isEnum()
		if f.Type.NonNull != wantNonNull {
			if _, ok := renulled[p]; ok {
				c.use("renulled", p)
			} else {
				c.nullability = append(c.nullability, fmt.Sprintf("%s (at %s): spec is %s, so GraphQL should be %s, not %s",
					p, at, presence(required[name], sh.nullable), nonNullOrNot(wantNonNull), f.Type))
			}
		}
		types, nulls := len(c.types), len(c.nullability)
		c.typ(at, p, f.Type, sh)
		if _, ok := retyped[p]; ok && len(c.types) > types {
			c.use("retyped", p)
			c.types, c.nullability = c.types[:types], c.nullability[:nulls]
		}
	}
	for _, f := range def.Fields {
		p := prop{def.Name, f.Name}
		if seen[f.Name] || strings.HasPrefix(f.Name, "__") {
			continue
		}
		if _, ok := graphQLOnly[p]; ok {
			c.use("graphQLOnly", p)
			continue
		}
		c.missing = append(c.missing, fmt.Sprintf("%s (at %s): GraphQL field has no spec property; name it in graphQLOnly with a reason", p, path))
	}
}

// typ checks a GraphQL type against every alternative the spec allows.
func (c *checker) typ(path string, p prop, t *gql.Type, s shape) {
	if kind := c.kind(t); kind == "object" {
		for _, a := range s.alts {
			if want := expect(a); want != "object" {
				c.types = append(c.types, fmt.Sprintf("%s (at %s): spec %s, GraphQL %s: want %s", p, path, s, t, want))
				return
			}
		}
		c.object(path, c.schema.Types[t.Name()], s)
		return
	}
	for _, a := range s.alts {
		if why := c.matches(path, p, t, a); why != "" {
			c.types = append(c.types, fmt.Sprintf("%s (at %s): spec %s, GraphQL %s: %s", p, path, s, t, why))
		}
	}
}

// expect says what GraphQL type may hold one spec alternative: a scalar's
// name, or "enum", "list", "object".
func expect(a alt) string {
	switch {
	case a.typ == "string" && a.format == "date-time":
		return "DateTime"
	case a.typ == "string" && len(a.enum) > 0:
		return "enum" // then the GraphQL enum must hold every REST value
	case a.typ == "string":
		return "String or ID"
	case a.typ == "array":
		return "list"
	case a.typ == "object" && len(a.props) > 0:
		return "object"
	case a.typ == "object" || a.typ == "":
		return "JSON" // a map or a free-form value
	}
	return map[string]string{"boolean": "Boolean", "integer": "Int", "number": "Float"}[a.typ]
}

// kind is what expect calls a GraphQL type.
func (c *checker) kind(t *gql.Type) string {
	if t.Elem != nil {
		return "list"
	}
	def := c.schema.Types[t.Name()]
	switch {
	case def == nil:
		return "undefined"
	case def.Kind == gql.Enum:
		return "enum"
	case def.Kind == gql.Object:
		return "object"
	case def.Name == "String" || def.Name == "ID":
		return "String or ID"
	}
	return def.Name
}

// matches says why a GraphQL type cannot hold one spec alternative, or "".
func (c *checker) matches(path string, p prop, t *gql.Type, a alt) string {
	if want, got := expect(a), c.kind(t); want != got {
		return "want " + want
	}
	switch {
	case t.Elem != nil:
		items := c.spec.shapeOf(a.items)
		if want := !items.nullable && !items.isEnum(); t.Elem.NonNull != want {
			why := map[bool]string{true: "may be null", false: "are never null"}[items.nullable]
			if items.isEnum() {
				why = "are enum values, which may be unknown"
			}
			c.nullability = append(c.nullability, fmt.Sprintf("%s (at %s[]): spec items %s, so GraphQL items should be %s, not %s",
				p, path, why, nonNullOrNot(want), t.Elem))
		}
		c.typ(path+"[]", p, t.Elem, items)
	case len(a.enum) > 0:
		def := c.schema.Types[t.Name()]
		var lacking []string
		for _, v := range a.enum {
			if def.EnumValues.ForName(graphQLName(v)) == nil {
				lacking = append(lacking, v)
			}
		}
		if lacking != nil {
			return fmt.Sprintf("enum %s lacks REST values %q", def.Name, lacking)
		}
	}
	return ""
}
