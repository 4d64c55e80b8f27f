// Command specreduce cuts GitBook's OpenAPI document down to the part the
// facade serves: the operations it calls and every schema they reach, keeping
// names, types, enums, required lists and value constraints, and dropping
// descriptions and examples. The result, committed under testdata/, is what
// the contract tests and the enum generator read.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

// operations are the GitBook operations the facade calls.
var operations = []string{
	"getSpaceById",
	"listSpaceIntegrations",
	"listSpaceIntegrationsBlocks",
	"getOrganizationById",
	"getIntegrationByName",
	"installIntegrationOnSpace",
	"uninstallIntegrationFromSpace",
}

// extraSchemas are reached by no operation's 200 answer but are part of the
// contract all the same (the error envelope).
var extraSchemas = []string{"Error"}

// kept are the JSON Schema keywords that say what a value is; everything else
// (descriptions, examples, titles, vendor extensions) is dropped.
var kept = map[string]bool{
	"type": true, "format": true, "enum": true, "required": true, "properties": true,
	"items": true, "$ref": true, "oneOf": true, "allOf": true, "anyOf": true,
	"additionalProperties": true, "pattern": true, "minLength": true, "maxLength": true,
	"minItems": true, "maxItems": true, "minimum": true, "maximum": true, "nullable": true,
	"deprecated": true, "uniqueItems": true, "default": true,
}

func main() {
	in := flag.String("in", "", "OpenAPI document (JSON)")
	out := flag.String("out", "", "reduced document to write")
	source := flag.String("source", "", "where the document came from, recorded in the output")
	flag.Parse()
	if err := run(*in, *out, *source); err != nil {
		fmt.Fprintln(os.Stderr, "specreduce:", err)
		os.Exit(1)
	}
}

func run(in, out, source string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas    map[string]any `json:"schemas"`
			Parameters map[string]any `json:"parameters"`
			Responses  map[string]any `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	r := reducer{doc.Components.Schemas, doc.Components.Parameters, doc.Components.Responses, map[string]any{}}

	ops := map[string]any{}
	for path, item := range doc.Paths {
		// Parameters declared on the path apply to each of its operations.
		var shared []any
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &shared); err != nil {
				return fmt.Errorf("%s: parameters: %w", path, err)
			}
		}
		for method, body := range item {
			var op map[string]any
			if method == "parameters" || json.Unmarshal(body, &op) != nil {
				continue // not an operation: parameters, summary, servers…
			}
			id, _ := op["operationId"].(string)
			if !contains(operations, id) {
				continue
			}
			own, _ := op["parameters"].([]any)
			ops[id] = map[string]any{
				"method":      strings.ToUpper(method),
				"path":        path,
				"parameters":  r.parameters(append(append([]any{}, shared...), own...)),
				"requestBody": r.content(op["requestBody"]),
				"responses":   r.responses(op["responses"]),
			}
		}
	}
	for _, id := range operations {
		if _, ok := ops[id]; !ok {
			return fmt.Errorf("operation %s not in %s", id, in)
		}
	}
	for _, name := range extraSchemas {
		r.schemaRef(name)
	}
	enc, err := json.MarshalIndent(map[string]any{
		"source":     source,
		"operations": ops,
		"schemas":    r.schemas,
	}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(enc, '\n'), 0o644)
}

type reducer struct {
	allSchemas, allParameters, allResponses map[string]any
	schemas                                 map[string]any
}

// parameters resolves and reduces a parameter list; a later parameter with
// the same name and location (the operation's own) replaces an earlier one
// (the path's), as OpenAPI says.
func (r reducer) parameters(list []any) []any {
	out := []any{}
	at := map[string]int{}
	for _, p := range list {
		pm, _ := p.(map[string]any)
		if ref, ok := pm["$ref"].(string); ok {
			pm, _ = r.allParameters[strings.TrimPrefix(ref, "#/components/parameters/")].(map[string]any)
		}
		key := fmt.Sprint(pm["in"], "/", pm["name"])
		if i, seen := at[key]; seen {
			out = append(out[:i], out[i+1:]...)
			for k, j := range at {
				if j > i {
					at[k] = j - 1
				}
			}
		}
		at[key] = len(out)
		out = append(out, map[string]any{
			"name":     pm["name"],
			"in":       pm["in"],
			"required": pm["required"] == true,
			"schema":   r.schema(pm["schema"]),
		})
	}
	sort.Slice(out, func(i, j int) bool {
		return fmt.Sprint(out[i].(map[string]any)["name"]) < fmt.Sprint(out[j].(map[string]any)["name"])
	})
	return out
}

func (r reducer) responses(v any) map[string]any {
	out := map[string]any{}
	m, _ := v.(map[string]any)
	for status, resp := range m {
		rm, _ := resp.(map[string]any)
		if ref, ok := rm["$ref"].(string); ok {
			rm, _ = r.allResponses[strings.TrimPrefix(ref, "#/components/responses/")].(map[string]any)
		}
		out[status] = r.content(rm)
	}
	return out
}

// content keeps the application/json schema of a body, or null for none.
func (r reducer) content(v any) any {
	m, _ := v.(map[string]any)
	c, _ := m["content"].(map[string]any)
	j, _ := c["application/json"].(map[string]any)
	if j == nil {
		return nil
	}
	return r.schema(j["schema"])
}

func (r reducer) schema(v any) any {
	switch s := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range s {
			switch {
			case k == "$ref":
				ref := val.(string)
				r.schemaRef(strings.TrimPrefix(ref, "#/components/schemas/"))
				out[k] = ref
			case k == "properties":
				props := map[string]any{}
				for name, p := range val.(map[string]any) {
					props[name] = r.schema(p)
				}
				out[k] = props
			case k == "additionalProperties":
				out[k] = r.schema(val)
			case kept[k]:
				out[k] = r.schema(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(s))
		for i, e := range s {
			out[i] = r.schema(e)
		}
		return out
	default:
		return v
	}
}

func (r reducer) schemaRef(name string) {
	if _, done := r.schemas[name]; done {
		return
	}
	r.schemas[name] = nil // mark before descending: schemas may refer to themselves
	r.schemas[name] = r.schema(r.allSchemas[name])
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
