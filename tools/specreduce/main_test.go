package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// reduce runs the reducer on testdata/openapi.json, a hand-written document
// with every operation the facade calls, one it does not, and the keywords
// the reducer must keep or drop.
func reduce(t *testing.T) (raw []byte, doc map[string]any) {
	t.Helper()
	return reduceVersions(t, version{"fixture", []string{"testdata/openapi.json"}})
}

func reduceVersions(t *testing.T, vs ...version) (raw []byte, doc map[string]any) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "reduced.json")
	if err := run(vs, out); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return raw, doc
}

func TestReduceKeepsTheClosureOfTheOperations(t *testing.T) {
	_, doc := reduce(t)
	if !reflect.DeepEqual(doc["sources"], []any{"fixture"}) {
		t.Errorf("sources = %v, want [fixture]", doc["sources"])
	}
	ops := doc["operations"].(map[string]any)
	if got := sortedKeys(ops); !slices.Equal(got, sorted(operations)) {
		t.Errorf("operations = %v, want %v", got, sorted(operations))
	}
	// Reached through responses, parameters, allOf, oneOf, anyOf, items,
	// additionalProperties, a components/responses $ref, a schema's own
	// $ref to itself; Error is always kept. Unused is only reached from an
	// operation the facade does not call.
	want := []string{
		"Addon", "BillingProduct", "ContentVisibility", "EntityId", "Error", "Integration",
		"List", "NotFoundError", "Organization", "Space", "Tree",
	}
	if got := sortedKeys(doc["schemas"].(map[string]any)); !slices.Equal(got, want) {
		t.Errorf("schemas = %v, want %v", got, want)
	}

	get := ops["getSpaceById"].(map[string]any)
	wantGet := map[string]any{
		"method": "GET",
		"path":   "/spaces/{spaceId}",
		"parameters": []any{ // sorted by name; the $ref resolved
			map[string]any{"name": "spaceId", "in": "path", "required": true,
				"schema": map[string]any{"$ref": "#/components/schemas/EntityId"}},
			map[string]any{"name": "verbose", "in": "query", "required": false,
				"schema": map[string]any{"type": "boolean", "default": false}},
		},
		"requestBody": nil,
		"responses": map[string]any{
			"200": map[string]any{"$ref": "#/components/schemas/Space"},
			"404": map[string]any{"$ref": "#/components/schemas/NotFoundError"},
		},
	}
	if !reflect.DeepEqual(get, wantGet) {
		t.Errorf("getSpaceById =\n%s\nwant\n%s", indent(get), indent(wantGet))
	}
	uninstall := ops["uninstallIntegrationFromSpace"].(map[string]any)
	if uninstall["requestBody"] != nil || uninstall["responses"].(map[string]any)["204"] != nil {
		t.Errorf("uninstallIntegrationFromSpace: a body that is not JSON, or none, should be null: %s", indent(uninstall))
	}
}

func TestReduceKeepsWhatAValueIsAndDropsTheProse(t *testing.T) {
	_, doc := reduce(t)
	schemas := doc["schemas"].(map[string]any)
	// Types, formats, enums, required lists, constraints, nullable,
	// deprecated and $ref stay; title, description, example(s) and vendor
	// extensions go, but a property named "description" stays.
	wantSpace := map[string]any{
		"type":     "object",
		"required": []any{"id", "title", "visibility"},
		"properties": map[string]any{
			"id":          map[string]any{"type": "string"},
			"title":       map[string]any{"type": "string", "maxLength": 50.0, "minLength": 1.0, "pattern": `\S`},
			"description": map[string]any{"type": "string", "nullable": true},
			"visibility":  map[string]any{"$ref": "#/components/schemas/ContentVisibility"},
			"createdAt":   map[string]any{"type": "string", "format": "date-time", "deprecated": true},
			"count":       map[string]any{"type": "number", "minimum": 0.0, "maximum": 100.0},
			"tags": map[string]any{"type": "array", "items": map[string]any{"type": "string"},
				"maxItems": 5.0, "uniqueItems": true},
			"owner": map[string]any{"oneOf": []any{
				map[string]any{"$ref": "#/components/schemas/Organization"}, map[string]any{"type": "null"}}},
			"meta": map[string]any{"type": "object",
				"additionalProperties": map[string]any{"$ref": "#/components/schemas/Addon"}},
			"tree": map[string]any{"$ref": "#/components/schemas/Tree"},
		},
	}
	if !reflect.DeepEqual(schemas["Space"], wantSpace) {
		t.Errorf("Space =\n%s\nwant\n%s", indent(schemas["Space"]), indent(wantSpace))
	}
	wantVisibility := map[string]any{"type": "string", "enum": []any{"public", "share-link", "in-collection"}}
	if !reflect.DeepEqual(schemas["ContentVisibility"], wantVisibility) {
		t.Errorf("ContentVisibility = %s, want %s", indent(schemas["ContentVisibility"]), indent(wantVisibility))
	}
	wantBody := map[string]any{"type": "object", "required": []any{"space"},
		"properties": map[string]any{"space": map[string]any{"type": "string"}}}
	install := doc["operations"].(map[string]any)["installIntegrationOnSpace"].(map[string]any)
	if !reflect.DeepEqual(install["requestBody"], wantBody) {
		t.Errorf("installIntegrationOnSpace requestBody = %s, want %s", indent(install["requestBody"]), indent(wantBody))
	}

	// Nowhere in a schema, outside a properties map, is there prose.
	for name, s := range schemas {
		for _, kw := range keywords(s) {
			if !kept[kw] {
				t.Errorf("schema %s keeps keyword %q", name, kw)
			}
		}
	}
}

func TestReduceIsDeterministic(t *testing.T) {
	first, _ := reduce(t)
	for range 3 {
		if again, _ := reduce(t); !bytes.Equal(first, again) {
			t.Fatal("two runs on the same document wrote different bytes")
		}
	}
}

func TestReduceFailsWithoutAnOperation(t *testing.T) {
	raw, err := os.ReadFile("testdata/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "openapi.json")
	broken := bytes.Replace(raw, []byte(`"getOrganizationById"`), []byte(`"getOrganization"`), 1)
	if err := os.WriteFile(in, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	err = run(versions{{"broken", []string{in}}}, filepath.Join(t.TempDir(), "out.json"))
	if err == nil || !strings.Contains(err.Error(), "getOrganizationById") {
		t.Errorf("run = %v, want an error naming getOrganizationById", err)
	}
}

// Two versions: the contract is their union, and each is kept as it was.
func TestReduceServesEveryVersion(t *testing.T) {
	_, doc := reduceVersions(t,
		version{"newer", []string{"testdata/openapi.json"}},
		version{"older", []string{"testdata/older.json"}})
	if !reflect.DeepEqual(doc["sources"], []any{"newer", "older"}) {
		t.Errorf("sources = %v", doc["sources"])
	}
	vs := doc["versions"].([]any)
	if len(vs) != 2 {
		t.Fatalf("versions: %d, want 2", len(vs))
	}
	_, alone := reduce(t)
	newer := vs[0].(map[string]any)
	if !reflect.DeepEqual(newer["schemas"], alone["schemas"]) || !reflect.DeepEqual(newer["operations"], alone["operations"]) {
		t.Error("the newer version, reduced beside another, differs from it reduced alone")
	}
	older := vs[1].(map[string]any)
	if got := sortedKeys(older["operations"].(map[string]any)); !slices.Equal(got, []string{"getSpaceById"}) {
		t.Errorf("older operations = %v, want only getSpaceById", got)
	}

	schemas := doc["schemas"].(map[string]any)
	space := schemas["Space"].(map[string]any)
	// Required only where both require: id. title (newer only), count and
	// emoji (older only) and visibility (newer only) are optional.
	if got := space["required"]; !reflect.DeepEqual(got, []any{"id"}) {
		t.Errorf("Space.required = %v, want [id]", got)
	}
	props := space["properties"].(map[string]any)
	for _, name := range []string{"id", "title", "emoji", "count", "visibility", "tags", "owner"} {
		if props[name] == nil {
			t.Errorf("Space.%s: missing from the union", name)
		}
	}
	// Constraints are the newer's.
	if got := props["title"].(map[string]any)["maxLength"]; got != 50.0 {
		t.Errorf("Space.title.maxLength = %v, want the newer's 50", got)
	}
	// Every value of either, the newer's order first.
	if got := schemas["ContentVisibility"].(map[string]any)["enum"]; !reflect.DeepEqual(got, []any{"public", "share-link", "in-collection", "private"}) {
		t.Errorf("ContentVisibility.enum = %v", got)
	}
	// A property named "required" is a property, not a required list.
	org := schemas["Organization"].(map[string]any)
	if org["properties"].(map[string]any)["required"] == nil {
		t.Errorf("Organization lost its property named required: %s", indent(org))
	}
	// oneOf merged variant by variant.
	if got := len(props["owner"].(map[string]any)["oneOf"].([]any)); got != 2 {
		t.Errorf("Space.owner.oneOf has %d variants, want 2", got)
	}
}

// keywords lists the JSON Schema keywords used in s, without the property
// names of properties maps.
func keywords(s any) []string {
	var out []string
	switch v := s.(type) {
	case map[string]any:
		for k, e := range v {
			out = append(out, k)
			if k == "properties" {
				for _, p := range e.(map[string]any) {
					out = append(out, keywords(p)...)
				}
			} else if k != "enum" && k != "required" && k != "default" {
				out = append(out, keywords(e)...)
			}
		}
	case []any:
		for _, e := range v {
			out = append(out, keywords(e)...)
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sorted(list []string) []string {
	return slices.Sorted(slices.Values(list))
}

func indent(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// The committed contract is the union of the versions it holds: an edit by
// hand to either part, or a union rule changed without regenerating, fails.
func TestCommittedContractIsTheUnionOfItsVersions(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/gitbook-openapi.reduced.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	versions, _ := doc["versions"].([]any)
	if len(versions) < 2 {
		t.Fatalf("%d versions, want the two the facade serves", len(versions))
	}
	contract := map[string]any{"operations": map[string]any{}, "schemas": map[string]any{}}
	for _, v := range versions {
		r := v.(map[string]any)
		contract = union(contract, map[string]any{"operations": r["operations"], "schemas": r["schemas"]}).(map[string]any)
	}
	for _, part := range []string{"operations", "schemas"} {
		if !reflect.DeepEqual(contract[part], doc[part]) {
			t.Errorf("the committed %s are not the union of the versions'; run scripts/update-openapi-testdata.sh", part)
		}
	}
}
