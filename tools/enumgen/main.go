// Command enumgen writes the GitBook enums, as the reduced OpenAPI document
// defines them (every value of every version it holds), three times: as Go
// types for the upstream client, as GraphQL enums for the schema, and as the
// Go types that serve those enums (graph/model), with the table from each
// REST value to its GraphQL value. All come from the same table below, so
// the REST values the client speaks and the GraphQL values clients see
// cannot drift.
//
// A REST value that is not a legal GraphQL name keeps its spelling with each
// illegal character replaced by '_' ("space:content:read" becomes
// space_content_read, "share-link" share_link), and gains a leading '_' when
// it starts with a digit. enumgen refuses a table where that mapping would
// make two values collide.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"os"
	"regexp"
	"strings"
)

// An enum names one GraphQL and Go type and says where the spec defines its
// values: JSON pointers below #/schemas, where '*' walks every element of a
// oneOf/allOf list. Values are collected through $ref, oneOf, anyOf and allOf.
type enum struct {
	Name    string
	Sources []string
}

var enums = []enum{
	{"ContentVisibility", []string{"ContentVisibility"}},
	{"SpaceEditMode", []string{"SpaceEditMode"}},
	{"SpaceType", []string{"Space/properties/type"}},
	{"TranslationLanguage", []string{"TranslationLanguage"}},
	{"MemberRole", []string{"MemberRole"}},
	{"DefaultLevel", []string{"DefaultLevel"}},
	{"MergeRulesConfigurationType", []string{
		"MergeRulesConfigurationInherit/properties/type",
		"MergeRulesConfigurationRules/properties/type",
		"MergeRulesConfigurationNone/properties/type",
	}},
	{"MergeRuleType", []string{"MergeRule/oneOf/*/properties/rule"}},
	{"GitSyncInstallationStatus", []string{"GitSyncInstallationStatus"}},
	{"GitSyncProvider", []string{"GitSyncProvider"}},
	{"GitSyncOperationState", []string{"GitSyncOperationState"}},
	{"GitSyncOperationDirection", []string{"GitSyncOperationDirection"}},
	{"ContentImportRunStatus", []string{"ContentImportRun/properties/status"}},
	{"ContentImportSourceType", []string{"ContentImportSource/oneOf/*/properties/type"}},
	{"ContentImportPageType", []string{"ContentImportRun/properties/pages/items/properties/type"}},
	{"ContentImportPageStatus", []string{"ContentImportRun/properties/pages/items/properties/status"}},
	{"VisitorAuthBackend", []string{
		"VisitorAuthCustomBackend/properties/backend",
		"VisitorAuthIntegrationBackend/properties/backend",
	}},
	{"OrganizationType", []string{"OrganizationType"}},
	{"OrganizationUseCase", []string{"OrganizationUseCase"}},
	{"OrganizationCommunityType", []string{"OrganizationCommunityType"}},
	{"OrganizationTrialDecision", []string{"Organization/properties/trial/properties/decision"}},
	{"SitePointerType", []string{"SitePointer/properties/type"}},
	{"BillingProduct", []string{"BillingProduct"}},
	{"BillingInterval", []string{"BillingInterval"}},
	{"BillingCreditsBundle", []string{"BillingCreditsBundle"}},
	{"BillingTrialStatus", []string{"BillingTrialStatus"}},
	{"BlockSource", []string{"BlockSource"}},
	{"IntegrationTarget", []string{"IntegrationTarget"}},
	{"IntegrationVisibility", []string{"IntegrationVisibility"}},
	{"IntegrationScope", []string{"IntegrationScope"}},
	{"IntegrationCategory", []string{"IntegrationCategory"}},
	{"IntegrationInstallationStatus", []string{"IntegrationInstallationStatus"}},
	{"IntegrationInstallationSpaceSelection", []string{"IntegrationInstallationSpaceSelection"}},
	{"IntegrationInstallationSiteSelection", []string{"IntegrationInstallationSiteSelection"}},
}

func main() {
	spec := flag.String("spec", "", "reduced OpenAPI document")
	goOut := flag.String("go", "", "Go file to write")
	goPkg := flag.String("pkg", "upstream", "package of the Go file")
	gqlOut := flag.String("graphql", "", "GraphQL schema file to write")
	modelOut := flag.String("model", "", "Go file of the GraphQL enums' model types to write")
	flag.Parse()
	if err := run(*spec, *goOut, *goPkg, *gqlOut, *modelOut); err != nil {
		fmt.Fprintln(os.Stderr, "enumgen:", err)
		os.Exit(1)
	}
}

type resolved struct {
	enum
	Values []string // REST values, in spec order
}

func run(specPath, goOut, goPkg, gqlOut, modelOut string) error {
	raw, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	var doc struct {
		Schemas map[string]any `json:"schemas"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	var all []resolved
	for _, e := range enums {
		var values []string
		for _, src := range e.Sources {
			nodes, err := lookup(doc.Schemas, src)
			if err != nil {
				return fmt.Errorf("%s: %w", e.Name, err)
			}
			for _, n := range nodes {
				collect(doc.Schemas, n, &values)
			}
		}
		if len(values) == 0 {
			return fmt.Errorf("%s: no values at %v", e.Name, e.Sources)
		}
		seen := map[string]string{}
		for _, v := range values {
			name := GraphQLName(v)
			if prev, dup := seen[name]; dup {
				return fmt.Errorf("%s: %q and %q both map to %s", e.Name, prev, v, name)
			}
			seen[name] = v
		}
		all = append(all, resolved{e, values})
	}
	goSrc, err := goFile(goPkg, specPath, all)
	if err != nil {
		return err
	}
	if err := os.WriteFile(goOut, goSrc, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(gqlOut, graphqlFile(specPath, all), 0o644); err != nil {
		return err
	}
	modelSrc, err := modelFile(goPkg, specPath, all)
	if err != nil {
		return err
	}
	return os.WriteFile(modelOut, modelSrc, 0o644)
}

// lookup resolves a pointer below #/schemas, with '*' over list elements.
func lookup(schemas map[string]any, pointer string) ([]any, error) {
	nodes := []any{map[string]any(schemas)}
	for _, part := range strings.Split(pointer, "/") {
		var next []any
		for _, n := range nodes {
			switch v := n.(type) {
			case map[string]any:
				if c, ok := v[part]; ok {
					next = append(next, c)
				}
			case []any:
				if part == "*" {
					next = append(next, v...)
				}
			}
		}
		if len(next) == 0 {
			return nil, fmt.Errorf("nothing at %s (stopped at %q)", pointer, part)
		}
		nodes = next
	}
	return nodes, nil
}

func collect(schemas map[string]any, node any, values *[]string) {
	m, ok := node.(map[string]any)
	if !ok {
		return
	}
	if ref, ok := m["$ref"].(string); ok {
		collect(schemas, schemas[strings.TrimPrefix(ref, "#/components/schemas/")], values)
	}
	for _, key := range []string{"oneOf", "anyOf", "allOf"} {
		list, _ := m[key].([]any)
		for _, sub := range list {
			collect(schemas, sub, values)
		}
	}
	list, _ := m["enum"].([]any)
	for _, v := range list {
		s := fmt.Sprint(v)
		if f, ok := v.(float64); ok {
			s = fmt.Sprintf("%.0f", f) // numbers in an enum: keep every digit
		}
		if !containsString(*values, s) {
			*values = append(*values, s)
		}
	}
}

var illegal = regexp.MustCompile(`[^_0-9A-Za-z]`)

// GraphQLName maps a REST enum value to a legal GraphQL enum value.
func GraphQLName(rest string) string {
	name := illegal.ReplaceAllString(rest, "_")
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		name = "_" + name
	}
	switch name {
	case "true", "false", "null":
		name = "_" + name
	}
	return name
}

// goName turns a REST value into the suffix of a Go constant name.
func goName(rest string) string {
	var b strings.Builder
	upper := true
	for _, r := range rest {
		switch {
		case r >= 'a' && r <= 'z':
			if upper {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			upper = false
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	return b.String()
}

func goFile(pkg, specPath string, all []resolved) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by tools/enumgen from %s; DO NOT EDIT.\n\n", baseName(specPath))
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	for _, e := range all {
		fmt.Fprintf(&b, "// %s is the spec's %s.\ntype %s string\n\n", e.Name, strings.Join(e.Sources, " | "), e.Name)
		b.WriteString("const (\n")
		for _, v := range e.Values {
			fmt.Fprintf(&b, "\t%s%s %s = %q\n", e.Name, goName(v), e.Name, v)
		}
		b.WriteString(")\n\n")
		fmt.Fprintf(&b, "// %sValues lists the values of %s in the spec's order.\n", e.Name, e.Name)
		fmt.Fprintf(&b, "var %sValues = []%s{", e.Name, e.Name)
		for i, v := range e.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s%s", e.Name, goName(v))
		}
		b.WriteString("}\n\n")
	}
	return format.Source(b.Bytes())
}

// upstreamImport is the import path of the upstream package, whose enum
// types the model's constructors take.
const upstreamImport = "github.com/gitbook-graphql/facade/upstream"

// modelFile writes the Go types of the GraphQL enums. Each holds a GraphQL
// value; one that GitBook sent and the schema does not list is kept, marked
// unknown, and reports itself as a field error when served (see
// graph/model/enum.go), so it breaks its own field and nothing more.
func modelFile(upstreamPkg, specPath string, all []resolved) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by tools/enumgen from %s; DO NOT EDIT.\n\n", baseName(specPath))
	b.WriteString("package model\n\n")
	fmt.Fprintf(&b, "import (\n\t\"context\"\n\t\"io\"\n\n\t%s %q\n)\n\n", upstreamPkg, upstreamImport)
	for _, e := range all {
		lower := strings.ToLower(e.Name[:1]) + e.Name[1:]
		fmt.Fprintf(&b, "// %s is the GraphQL enum %s: GitBook's %s.\ntype %s string\n\n", e.Name, e.Name, strings.Join(e.Sources, " | "), e.Name)
		b.WriteString("const (\n")
		for _, v := range e.Values {
			fmt.Fprintf(&b, "\t%s%s %s = %q\n", e.Name, goName(v), e.Name, GraphQLName(v))
		}
		b.WriteString(")\n\n")
		fmt.Fprintf(&b, "var %sOfREST = map[%s.%s]%s{\n", lower, upstreamPkg, e.Name, e.Name)
		for _, v := range e.Values {
			fmt.Fprintf(&b, "\t%s.%s%s: %s%s,\n", upstreamPkg, e.Name, goName(v), e.Name, goName(v))
		}
		b.WriteString("}\n\n")
		fmt.Fprintf(&b, "// %sOf maps GitBook's value; one the schema does not list is kept, unknown.\n", e.Name)
		fmt.Fprintf(&b, "func %sOf(v %s.%s) %s {\n", e.Name, upstreamPkg, e.Name, e.Name)
		fmt.Fprintf(&b, "\tif g, ok := %sOfREST[v]; ok {\n\t\treturn g\n\t}\n", lower)
		fmt.Fprintf(&b, "\treturn %s(unknownEnumValue(string(v)))\n}\n\n", e.Name)
		fmt.Fprintf(&b, "// IsValid says whether e is a value of the schema's %s.\n", e.Name)
		fmt.Fprintf(&b, "func (e %s) IsValid() bool {\n\tswitch e {\n\tcase ", e.Name)
		for i, v := range e.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s%s", e.Name, goName(v))
		}
		b.WriteString(":\n\t\treturn true\n\t}\n\treturn false\n}\n\n")
		fmt.Fprintf(&b, "func (e %s) String() string { return string(e) }\n\n", e.Name)
		fmt.Fprintf(&b, "// MarshalGQLContext writes e, or reports a value the schema does not list.\n")
		fmt.Fprintf(&b, "func (e %s) MarshalGQLContext(ctx context.Context, w io.Writer) error {\n", e.Name)
		fmt.Fprintf(&b, "\treturn marshalEnum(ctx, w, %q, string(e), e.IsValid())\n}\n\n", e.Name)
		fmt.Fprintf(&b, "// UnmarshalGQLContext reads a value of %s from a caller.\n", e.Name)
		fmt.Fprintf(&b, "func (e *%s) UnmarshalGQLContext(_ context.Context, v any) error {\n", e.Name)
		fmt.Fprintf(&b, "\ts, err := enumInput(%q, v)\n", e.Name)
		fmt.Fprintf(&b, "\tif err == nil && !%s(s).IsValid() {\n\t\terr = notAValue(%q, s)\n\t}\n", e.Name, e.Name)
		b.WriteString("\tif err != nil {\n\t\treturn err\n\t}\n")
		fmt.Fprintf(&b, "\t*e = %s(s)\n\treturn nil\n}\n\n", e.Name)
	}
	return format.Source(b.Bytes())
}

func graphqlFile(specPath string, all []resolved) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Code generated by tools/enumgen from %s; DO NOT EDIT.\n", baseName(specPath))
	b.WriteString("# Each value is the REST value, with characters that GraphQL names cannot hold\n")
	b.WriteString("# replaced by '_' (and a leading '_' before a digit); such values say their\n")
	b.WriteString("# REST spelling in their description.\n")
	for _, e := range all {
		fmt.Fprintf(&b, "\n\"\"\"GitBook's `%s`.\"\"\"\nenum %s {\n", strings.Join(e.Sources, "` | `"), e.Name)
		for _, v := range e.Values {
			name := GraphQLName(v)
			if name != v {
				fmt.Fprintf(&b, "  \"REST value `%s`.\"\n", v)
			}
			fmt.Fprintf(&b, "  %s\n", name)
		}
		b.WriteString("}\n")
	}
	return b.Bytes()
}

func baseName(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
