package gitbooksim_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

// reducedSpec is testdata/gitbook-openapi.reduced.json: the operations the
// facade calls, and the schemas of each version of the spec it serves.
type reducedSpec struct {
	Operations map[string]struct {
		Responses map[string]map[string]any `json:"responses"`
	} `json:"operations"`
	Versions []struct {
		Schemas map[string]map[string]any `json:"schemas"`
	} `json:"versions"`
}

// loadSpec reads the reduced spec, and each version's schemas, newest
// first.
func loadSpec(t *testing.T) (reducedSpec, []map[string]map[string]any) {
	t.Helper()
	data, err := os.ReadFile("../testdata/gitbook-openapi.reduced.json")
	if err != nil {
		t.Fatal(err)
	}
	var s reducedSpec
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	var versions []map[string]map[string]any
	for _, v := range s.Versions {
		versions = append(versions, v.Schemas)
	}
	return s, versions
}

// specChecker holds a value to a schema: the properties it requires and
// the JSON types it names, through $ref, allOf and oneOf. Each object named
// by a $ref may hold to that schema in any version, as GitBook's records
// are of either (the demo serves some in the older shape). Enum values are
// left out: a value one version lists the other may not.
type specChecker struct {
	versions []map[string]map[string]any // newest first
	errs     []string
}

func (c *specChecker) check(path string, v any, schema map[string]any) {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		var first []string
		for _, schemas := range c.versions {
			s, ok := schemas[name]
			if !ok {
				continue
			}
			sub := &specChecker{versions: c.versions}
			if sub.check(path, v, s); len(sub.errs) == 0 {
				return
			} else if first == nil {
				first = sub.errs
			}
		}
		if first == nil {
			first = []string{path + ": no schema " + name}
		}
		c.errs = append(c.errs, first...)
		return
	}
	for _, s := range list(schema["allOf"]) {
		c.check(path, v, s)
	}
	if one := list(schema["oneOf"]); len(one) > 0 {
		var why []string
		for _, s := range one {
			sub := &specChecker{versions: c.versions}
			if sub.check(path, v, s); len(sub.errs) == 0 {
				why = nil
				break
			}
			why = append(why, strings.Join(sub.errs, "; "))
		}
		if why != nil {
			c.errs = append(c.errs, fmt.Sprintf("%s: matches no oneOf: %s", path, strings.Join(why, " | ")))
		}
	}
	if typ, ok := schema["type"].(string); ok && !hasType(v, typ) {
		c.errs = append(c.errs, fmt.Sprintf("%s: %T, want %s", path, v, typ))
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for _, r := range asSlice(schema["required"]) {
			if _, ok := v[r.(string)]; !ok {
				c.errs = append(c.errs, path+": no "+r.(string))
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for k, e := range v {
			if s, ok := props[k].(map[string]any); ok {
				c.check(path+"."+k, e, s)
			}
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, e := range v {
				c.check(fmt.Sprintf("%s[%d]", path, i), e, items)
			}
		}
	}
}

func list(v any) []map[string]any {
	var out []map[string]any
	for _, e := range asSlice(v) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func hasType(v any, typ string) bool {
	switch typ {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	}
	return true
}

// Every answer of the simulator holds to the spec: the walk's, and the
// operations before it, as the demo administrator reads them. An answer
// may hold to either version, as GitBook's records do.
func TestAnswersHoldToTheSpec(t *testing.T) {
	spec, versions := loadSpec(t)
	srv := newServer(t, gitbooksim.Options{})
	calls := []struct{ op, method, path, body string }{
		{"getAuthenticatedUser", http.MethodGet, "/user", ""},
		{"listOrganizationsForAuthenticatedUser", http.MethodGet, "/orgs", ""},
		{"listSpacesInOrganizationById", http.MethodGet, "/orgs/acme/spaces", ""},
		{"listSpacesInOrganizationById", http.MethodGet, "/orgs/open-source-collective/spaces", ""},
		{"listOrganizationInstallations", http.MethodGet, "/orgs/acme/installations", ""},
		{"listOrganizationInstallations", http.MethodGet, "/orgs/northwind/installations", ""},
		{"listIntegrations", http.MethodGet, "/integrations?limit=1000", ""},
		{"listIntegrationInstallations", http.MethodGet, "/integrations/acme-status/installations", ""},
		{"getIntegrationInstallationById", http.MethodGet, "/integrations/slack/installations/inst-acme-slack", ""},
		{"listIntegrationInstallationSpaces", http.MethodGet, "/integrations/slack/installations/inst-acme-slack/spaces", ""},
		{"listIntegrationInstallationSpaces", http.MethodGet, "/integrations/slack/installations/inst-acme-slack/spaces?extended=true", ""},
		{"getSpaceById", http.MethodGet, "/spaces/acme-api-reference", ""},
		{"getOrganizationById", http.MethodGet, "/orgs/acme", ""},
		{"getIntegrationByName", http.MethodGet, "/integrations/slack", ""},
		{"listSpaceIntegrations", http.MethodGet, "/spaces/acme-developer-portal/integrations?limit=1000", ""},
		{"listSpaceIntegrationsBlocks", http.MethodGet, "/spaces/acme-developer-portal/integration-blocks", ""},
		{"installIntegrationOnSpace", http.MethodPost, "/integrations/slack/installations/inst-acme-slack/spaces", `{"space":"acme-api-reference"}`},
	}
	seen := map[string]bool{}
	for _, c := range calls {
		seen[c.op] = true
		a := call(t, srv, c.method, gitbooksim.DemoToken, c.path, c.body)
		status := fmt.Sprint(a.status)
		schema, ok := spec.Operations[c.op].Responses[status]
		if !ok {
			t.Errorf("%s %s: status %s, which %s does not answer (%s)", c.method, c.path, status, c.op, a.body)
			continue
		}
		var v any
		if err := json.Unmarshal(a.body, &v); err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		ch := &specChecker{versions: versions}
		if ch.check("answer", v, schema); len(ch.errs) > 0 {
			sort.Strings(ch.errs)
			t.Errorf("%s %s does not hold to the spec:\n  %s", c.method, c.path, strings.Join(ch.errs, "\n  "))
		}
	}
	for op := range spec.Operations {
		if !seen[op] && op != "uninstallIntegrationFromSpace" { // 204: no body
			t.Errorf("%s is not checked", op)
		}
	}
}

// The checker itself refuses what the spec does not allow.
func TestSpecCheckerRefuses(t *testing.T) {
	spec, versions := loadSpec(t)
	schema := spec.Operations["getIntegrationInstallationById"].Responses["200"]
	srv := newServer(t, gitbooksim.Options{})
	for name, doctor := range map[string]func(m map[string]any){
		"no status":           func(m map[string]any) { delete(m, "status") },
		"spaces a string":     func(m map[string]any) { m["spaces"] = "3" },
		"target without org":  func(m map[string]any) { m["target"] = map[string]any{} },
		"urls without app":    func(m map[string]any) { delete(m["urls"].(map[string]any), "app") },
		"externalIds objects": func(m map[string]any) { m["externalIds"] = []any{map[string]any{}} },
	} {
		m := get(t, srv, gitbooksim.DemoToken, "/integrations/slack/installations/inst-acme-slack").object(t)
		doctor(m)
		ch := &specChecker{versions: versions}
		if ch.check("answer", m, schema); len(ch.errs) == 0 {
			t.Errorf("%s: held to the spec", name)
		}
	}
}
