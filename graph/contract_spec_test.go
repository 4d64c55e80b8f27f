package graph_test

// How the contract tests (contract_test.go) read the schema as served and
// the reduced spec, what they let a value be, and the helpers they report
// with.

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
