// Command specreduce cuts GitBook's OpenAPI documents down to the part the
// facade serves: the operations it calls and every schema they reach, keeping
// names, types, enums, required lists and value constraints, and dropping
// descriptions and examples.
//
// GitBook's API changes under the facade, which meets records of more than
// one version at once, so specreduce takes several versions of the spec
// (newest first) and writes each one reduced, under "versions", and their
// union, at the top: the contract the facade serves. The union has every
// operation, property and enum value that any version has, and requires a
// property only where every version that defines its schema requires it.
// The result, committed under testdata/, is what the contract tests and the
// enum generator read.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
)

// operations are the GitBook operations the facade calls. Each must be in
// at least one version; an older version may have only some of them.
var operations = []string{
	"getSpaceById",
	"listSpaceIntegrations",
	"listSpaceIntegrationsBlocks",
	"getOrganizationById",
	"getIntegrationByName",
	"installIntegrationOnSpace",
	"uninstallIntegrationFromSpace",
	// The walk from a token (issue 22).
	"getAuthenticatedUser",
	"listOrganizationsForAuthenticatedUser",
	"listSpacesInOrganizationById",
	"listOrganizationInstallations",
	"listIntegrations",
	"listIntegrationInstallations",
	"getIntegrationInstallationById",
	"listIntegrationInstallationSpaces",
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

// versions collects -version flags: "label=file[,file...]", where the files
// are documents of one version of the spec (GitBook's older spec came as one
// document per operation).
type versions []version

type version struct {
	label string
	files []string
}

func (v *versions) String() string { return fmt.Sprint(*v) }

func (v *versions) Set(s string) error {
	label, files, ok := strings.Cut(s, "=")
	if !ok || label == "" || files == "" {
		return fmt.Errorf("want label=file[,file...], got %q", s)
	}
	*v = append(*v, version{label, strings.Split(files, ",")})
	return nil
}

func main() {
	var vs versions
	flag.Var(&vs, "version", "one version of the spec, newest first: label=file[,file...] (repeatable)")
	out := flag.String("out", "", "reduced document to write")
	flag.Parse()
	if err := run(vs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "specreduce:", err)
		os.Exit(1)
	}
}

func run(vs versions, out string) error {
	if len(vs) == 0 {
		return fmt.Errorf("no -version given")
	}
	var reduced []map[string]any
	var sources []any
	for _, v := range vs {
		r, err := reduceVersion(v)
		if err != nil {
			return fmt.Errorf("%s: %w", v.label, err)
		}
		reduced = append(reduced, r)
		sources = append(sources, v.label)
	}
	contract := map[string]any{"operations": map[string]any{}, "schemas": map[string]any{}}
	for _, r := range reduced {
		contract = union(contract, r).(map[string]any)
	}
	ops := contract["operations"].(map[string]any)
	for _, id := range operations {
		if _, ok := ops[id]; !ok {
			return fmt.Errorf("operation %s is in no version", id)
		}
	}
	versionList := make([]any, len(reduced))
	for i, r := range reduced {
		r["source"] = sources[i]
		versionList[i] = r
	}
	enc, err := json.MarshalIndent(map[string]any{
		"sources":    sources,
		"operations": contract["operations"],
		"schemas":    contract["schemas"],
		"versions":   versionList,
	}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(enc, '\n'), 0o644)
}

// apiDoc is the part of an OpenAPI document that specreduce reads.
type apiDoc struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas    map[string]any `json:"schemas"`
		Parameters map[string]any `json:"parameters"`
		Responses  map[string]any `json:"responses"`
	} `json:"components"`
}

// reduceVersion reduces the documents of one version to the operations the
// facade calls that they define.
func reduceVersion(v version) (map[string]any, error) {
	r := reducer{map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}}
	var docs []apiDoc
	for _, file := range v.files {
		raw, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var doc apiDoc
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		// The documents of one version share their components.
		for _, m := range []struct{ from, to map[string]any }{
			{doc.Components.Schemas, r.allSchemas}, {doc.Components.Parameters, r.allParameters}, {doc.Components.Responses, r.allResponses},
		} {
			for name, c := range m.from {
				m.to[name] = c
			}
		}
		docs = append(docs, doc)
	}
	ops := map[string]any{}
	for _, doc := range docs {
		if err := r.operations(doc, ops); err != nil {
			return nil, err
		}
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("none of the operations %v in %v", operations, v.files)
	}
	for _, name := range extraSchemas {
		if _, ok := r.allSchemas[name]; ok {
			r.schemaRef(name)
		}
	}
	return map[string]any{"operations": ops, "schemas": r.schemas}, nil
}

func (r reducer) operations(doc apiDoc, ops map[string]any) error {
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
			if !slices.Contains(operations, id) {
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
	return nil
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
