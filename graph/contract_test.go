package graph_test

// The contract tests hold the GraphQL schema (schema/*.graphqls) against
// GitBook's reduced OpenAPI spec (testdata/gitbook-openapi.reduced.json), so
// that the two cannot drift apart unnoticed. Where they differ on purpose,
// a table below says so, one line of reason per entry; an entry that no
// longer describes a difference fails the test as stale.

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	gql "github.com/vektah/gqlparser/v2/ast"

	"github.com/gitbook-graphql/facade/graph/generated"
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
	{"Space", "internal_poweredByV2"}:             "internal to GitBook, not part of the public contract",
	{"Space", "internal_singleWebsocket"}:         "internal to GitBook, not part of the public contract",
	{"Organization", "internal_billingMigration"}: "internal to GitBook, not part of the public contract",
}

// graphQLOnly are fields of the checked types that no spec property of
// their name stands behind.
var graphQLOnly = map[prop]string{
	{"Space", "integrations"}:                 "listSpaceIntegrations' answer, held to the spec by listShape",
	{"Space", "integrationBlocks"}:            "listSpaceIntegrationsBlocks' answer, held to the spec by operations",
	{"SpaceIntegrationBlocks", "integration"}: "the Integration that `name` names, resolved",
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
	{"Space", "organization"}:                       "resolved Organization, which may fail to load on its own",
	{"IntegrationSpaceInstallation", "integration"}: "resolved Integration, which may fail to load on its own",
	{"IntegrationSpaceInstallation", "space"}:       "resolved Space, which may fail to load on its own",
	{"Integration", "blocks"}:                       "optional in REST; absent means none, so an empty list",
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
}

// checkedByName are spec schemas that must each be checked against the
// GraphQL type of the same name.
var checkedByName = []string{"Space", "Organization", "Integration", "IntegrationBlock"}

// listShape maps listSpaceIntegrations' answer (the spec's List, allOf
// its `items`) onto IntegrationConnection, a Relay connection.
var listShape = []listEntry{
	{"items", "array", "nodes", "[Integration!]!", "the page's items"},
	{"items", "array", "edges.node", "Integration!", "each item, next to its cursor"},
	{"count", "number", "totalCount", "Int", "Relay's name; a count is whole; null when the upstream omits it"},
	{"next", "object", "pageInfo.hasNextPage", "Boolean!", "whether the answer has a `next`"},
	{"next.page", "string", "pageInfo.endCursor", "String", "a facade cursor that carries the page token"},
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
	// Integration is held to the spec through getIntegrationByName: check
	// it once, and report here only what the List shape adds.
	c := check(t)
	c.missing, c.nullability, c.types = nil, nil, nil
	s, spec := c.schema, c.spec
	answer := spec.response(t, "listSpaceIntegrations", "200")
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
			t.Errorf("listSpaceIntegrations' answer has %s, which listShape does not map", p)
		}
	}
	conn := s.Types["IntegrationConnection"]
	for _, e := range listShape {
		sh, ok := spec.path(answer, e.spec)
		if !ok {
			t.Errorf("listShape: spec has no %s in listSpaceIntegrations' answer", e.spec)
			continue
		}
		i := slices.IndexFunc(sh.alts, func(a alt) bool { return a.typ == e.kind })
		if i < 0 {
			t.Errorf("listShape: spec %s is %s, listShape says %s", e.spec, sh, e.kind)
			continue
		}
		f := fieldPath(s, conn, e.field)
		if f == nil {
			t.Errorf("listShape: IntegrationConnection has no %s", e.field)
			continue
		}
		if got := f.Type.String(); got != e.typ {
			t.Errorf("listShape: IntegrationConnection.%s is %s, listShape says %s", e.field, got, e.typ)
		}
		// The items are held to the spec like any answer; the other entries
		// are derived values, which the table alone describes.
		if e.kind == "array" {
			items := sh
			if f.Type.Elem == nil {
				items = spec.shapeOf(sh.alts[i].items)
			}
			c.typ("IntegrationConnection."+e.field, prop{"IntegrationConnection", e.field}, f.Type, items)
		}
	}
	report(t, c.missing, c.nullability, c.types)
}

// --- Loading ---------------------------------------------------------------

func load(t *testing.T) (*gql.Schema, *specDoc) {
	t.Helper()
	// The schema as served: schema/*.graphqls with the federation
	// definitions gqlgen adds.
	s := generated.NewExecutableSchema(generated.Config{}).Schema()
	raw, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	var spec specDoc
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatalf("%s: %v", specFile, err)
	}
	var doc any
	_ = json.Unmarshal(raw, &doc)
	for _, ref := range refs(doc) {
		if _, ok := spec.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")]; !ok {
			t.Fatalf("%s: $ref %s names no schema", specFile, ref)
		}
	}
	return s, &spec
}

// refs lists every $ref in a decoded JSON document.
func refs(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if ref, ok := e.(string); ok && k == "$ref" {
				out = append(out, ref)
			}
			out = append(out, refs(e)...)
		}
	case []any:
		for _, e := range v {
			out = append(out, refs(e)...)
		}
	}
	return out
}

type specDoc struct {
	Operations map[string]struct {
		Responses map[string]*node `json:"responses"`
	} `json:"operations"`
	Schemas map[string]*node `json:"schemas"`
}

// node is a JSON Schema as the reduced spec keeps it.
type node struct {
	Ref        string           `json:"$ref"`
	Type       types            `json:"type"`
	Format     string           `json:"format"`
	Enum       []any            `json:"enum"`
	Nullable   bool             `json:"nullable"`
	Deprecated bool             `json:"deprecated"`
	Required   []string         `json:"required"`
	Properties map[string]*node `json:"properties"`
	Items      *node            `json:"items"`
	OneOf      []*node          `json:"oneOf"`
	AnyOf      []*node          `json:"anyOf"`
	AllOf      []*node          `json:"allOf"`
}

// types is `type`, a name or (OpenAPI 3.1) a list of names.
type types []string

func (ts *types) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*ts = types{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(ts))
}

func (d *specDoc) response(t *testing.T, op, status string) *node {
	t.Helper()
	n := d.Operations[op].Responses[status]
	if n == nil {
		t.Fatalf("spec has no %s answer to %s", status, op)
	}
	return n
}

// --- Shapes: what the spec lets a value be ----------------------------------

// A shape is what a value may be: null or not, and its alternatives, with
// $ref followed and oneOf/anyOf spread out (allOf is merged into one).
type shape struct {
	nullable bool
	alts     []alt
}

// An alt is one JSON type a value may have.
type alt struct {
	typ      string // string, boolean, integer, number, array, object; "" for any
	format   string
	enum     []string
	items    *node
	props    map[string][]*node // object: its properties, from every allOf part
	required map[string]bool
	from     string // the $ref it was reached through, if any
	key      string // identifies the object, to check it once per GraphQL type
}

func (s shape) String() string {
	var parts []string
	for _, a := range s.alts {
		p := a.typ
		if p == "" {
			p = "any"
		}
		if a.format != "" {
			p += "(" + a.format + ")"
		}
		if len(a.enum) > 0 {
			p += " enum"
		}
		parts = append(parts, p)
	}
	if s.nullable {
		parts = append(parts, "null")
	}
	return strings.Join(parts, "|")
}

func (d *specDoc) shapeOf(ns ...*node) shape {
	var s shape
	for _, n := range ns {
		d.add(&s, n, "", 0)
	}
	return s
}

func (d *specDoc) add(s *shape, n *node, from string, depth int) {
	if n == nil || depth > 32 {
		return
	}
	if n.Ref != "" {
		name := strings.TrimPrefix(n.Ref, "#/components/schemas/")
		d.add(s, d.Schemas[name], name, depth+1) // load saw that it exists
		return
	}
	s.nullable = s.nullable || n.Nullable
	if len(n.OneOf)+len(n.AnyOf) > 0 {
		for _, sub := range append(slices.Clip(n.OneOf), n.AnyOf...) {
			d.add(s, sub, from, depth+1)
		}
		return
	}
	if len(n.AllOf) > 0 {
		merged := alt{typ: "object", props: map[string][]*node{}, required: map[string]bool{}, from: from, key: fmt.Sprintf("%p", n)}
		for _, part := range n.AllOf {
			props, required := d.shapeOf(part).object()
			for name, ns := range props {
				merged.props[name] = append(merged.props[name], ns...)
			}
			for name := range required {
				merged.required[name] = true
			}
		}
		s.alts = append(s.alts, merged)
		return
	}
	ts := n.Type
	if len(ts) == 0 && n.Properties != nil {
		ts = types{"object"}
	}
	if len(ts) == 0 {
		s.alts = append(s.alts, alt{from: from})
	}
	for _, typ := range ts {
		if typ == "null" {
			s.nullable = true
			continue
		}
		a := alt{typ: typ, format: n.Format, items: n.Items, from: from, key: fmt.Sprintf("%p", n)}
		for _, v := range n.Enum {
			switch v := v.(type) {
			case nil:
				s.nullable = true
			case float64:
				a.enum = append(a.enum, strconv.FormatFloat(v, 'f', -1, 64))
			default:
				a.enum = append(a.enum, fmt.Sprint(v))
			}
		}
		if typ == "object" {
			a.props, a.required = map[string][]*node{}, map[string]bool{}
			for name, p := range n.Properties {
				a.props[name] = []*node{p}
			}
			for _, r := range n.Required {
				a.required[r] = true
			}
		}
		s.alts = append(s.alts, a)
	}
}

// isEnum says whether every alternative is a string enum.
func (s shape) isEnum() bool {
	for _, a := range s.alts {
		if a.typ != "string" || len(a.enum) == 0 {
			return false
		}
	}
	return len(s.alts) > 0
}

// object merges the object alternatives: every property any of them has,
// required where all of them require it.
func (s shape) object() (props map[string][]*node, required map[string]bool) {
	props, required = map[string][]*node{}, map[string]bool{}
	var objects []alt
	for _, a := range s.alts {
		if a.typ == "object" {
			objects = append(objects, a)
		}
	}
	for _, a := range objects {
		for name, ns := range a.props {
			props[name] = append(props[name], ns...)
		}
	}
	for name := range props {
		required[name] = len(objects) > 0
		for _, a := range objects {
			required[name] = required[name] && a.required[name]
		}
	}
	return props, required
}

// path finds a dotted property path below n.
func (d *specDoc) path(n *node, path string) (shape, bool) {
	s := d.shapeOf(n)
	for _, name := range strings.Split(path, ".") {
		props, _ := s.object()
		ns, ok := props[name]
		if !ok {
			return shape{}, false
		}
		s = d.shapeOf(ns...)
	}
	return s, true
}

func fieldPath(s *gql.Schema, def *gql.Definition, path string) *gql.FieldDefinition {
	var f *gql.FieldDefinition
	for _, name := range strings.Split(path, ".") {
		if def == nil {
			return nil
		}
		if f = def.Fields.ForName(name); f == nil {
			return nil
		}
		def = s.Types[f.Type.Name()]
	}
	return f
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

// --- Helpers ----------------------------------------------------------------

func report(t *testing.T, lists ...[]string) {
	t.Helper()
	for _, list := range lists {
		for _, msg := range list {
			t.Error(msg)
		}
	}
}

// stale fails for table entries that no difference needed.
func stale(t *testing.T, c *checker, table string, entries map[prop]string) {
	t.Helper()
	for _, p := range sorted(entries) {
		if !c.used[table][p] {
			t.Errorf("%s names %s (%q), but the spec and the schema do not differ there: drop the entry", table, p, entries[p])
		}
	}
}

func sameNames(t *testing.T, what string, got []string, against string, want []string) {
	t.Helper()
	for _, n := range got {
		if !slices.Contains(want, n) {
			t.Errorf("%s has %s, which %s lacks", what, n, against)
		}
	}
	for _, n := range want {
		if !slices.Contains(got, n) {
			t.Errorf("%s has %s, which %s lacks", against, n, what)
		}
	}
}

func presence(required, nullable bool) string {
	switch {
	case required && nullable:
		return "required but may be null"
	case required:
		return "required and never null"
	default:
		return "optional"
	}
}

func nonNullOrNot(nonNull bool) string {
	if nonNull {
		return "non-null"
	}
	return "nullable"
}

func sorted[K interface {
	comparable
	fmt.Stringer
}, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
