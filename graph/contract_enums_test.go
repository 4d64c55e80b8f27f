package graph_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	gql "github.com/vektah/gqlparser/v2/ast"

	"github.com/gitbook-graphql/facade/graph/model"
	"github.com/gitbook-graphql/facade/upstream"
)

// The enum half of the contract tests: values, and the mapping of each.

func TestContractEnumValues(t *testing.T) {
	s, _ := load(t)
	var inSchema []string
	for name, def := range s.Types {
		if def.Kind == gql.Enum && !def.BuiltIn {
			inSchema = append(inSchema, name)
			if file := filepath.Base(def.Position.Src.Name); file != "enums.graphqls" {
				t.Errorf("enum %s is declared in %s, not in the generated enums.graphqls", name, file)
			}
		}
	}
	sameNames(t, "GraphQL enums", inSchema, "enumCases", keys(enumCases))
	sameNames(t, "upstream XxxValues lists", upstreamValueLists(t), "enumCases", keys(enumCases))

	for _, name := range keys(enumCases) {
		ec, def := enumCases[name], s.Types[name]
		if def == nil {
			continue // reported above
		}
		mapped := map[string]string{}
		for _, rest := range ec.rest {
			g := graphQLName(rest)
			if prev, dup := mapped[g]; dup {
				t.Errorf("%s: REST %q and %q both map to %s", name, prev, rest, g)
			}
			mapped[g] = rest
			if def.EnumValues.ForName(g) == nil {
				t.Errorf("%s: REST value %q maps to %s, which the GraphQL enum lacks", name, rest, g)
			}
		}
		for _, v := range def.EnumValues {
			if _, ok := mapped[v.Name]; !ok {
				t.Errorf("%s: GraphQL value %s stands for no REST value in upstream.%sValues", name, v.Name, name)
			}
		}
	}
}

func TestContractEnumMapping(t *testing.T) {
	s, _ := load(t)
	for _, name := range keys(answers) {
		if _, err := answers[name].via([]byte(answers[name].json)); err != nil {
			t.Fatalf("answers[%q] does not map: %v", name, err)
		}
	}
	for _, name := range keys(enumCases) {
		ec := enumCases[name]
		t.Run(name, func(t *testing.T) {
			for _, rest := range ec.rest {
				got, err := through(ec.answer, ec.path, rest)
				if err != nil {
					t.Errorf("REST %q: %v", rest, err)
				} else if want := graphQLName(rest); got != want {
					t.Errorf("REST %q: mapped to %q, want %q", rest, got, want)
				}
			}
			// A value GitBook might add one day maps to no value of the
			// GraphQL enum, so it cannot be served as one (enum.go serves it
			// as null with an error; the HTTP tests show it).
			const unknown = "members-only"
			got, err := through(ec.answer, ec.path, unknown)
			if err != nil {
				t.Errorf("REST %q: %v, want it mapped, unknown", unknown, err)
			} else if s.Types[name].EnumValues.ForName(got) != nil {
				t.Errorf("REST %q: mapped to %q, a value of %s", unknown, got, name)
			}
		})
	}
}

// graphQLName is the rule tools/enumgen names GraphQL enum values by,
// restated here so that the test does not take it from the code it checks.
func graphQLName(rest string) string {
	var b strings.Builder
	for _, r := range rest {
		if r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	name := b.String()
	if name == "" || '0' <= name[0] && name[0] <= '9' || name == "true" || name == "false" || name == "null" {
		name = "_" + name
	}
	return name
}

// upstreamValueLists names the enums of upstream/enums_gen.go by their
// XxxValues lists, read from the source so that a new list cannot hide.
func upstreamValueLists(t *testing.T) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "../upstream/enums_gen.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, decl := range f.Decls {
		if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
			for _, spec := range gd.Specs {
				for _, id := range spec.(*ast.ValueSpec).Names {
					if n, ok := strings.CutSuffix(id.Name, "Values"); ok {
						names = append(names, n)
					}
				}
			}
		}
	}
	return names
}

// --- Enum mapping -----------------------------------------------------------

// enumCases: every enum, its REST values as the upstream client knows them,
// and where one REST answer holds it. The models' JSON names are the
// GraphQL field names, which here are the REST property names too.
var enumCases = map[string]struct {
	rest   []string
	answer string // a key of answers
	path   string // where in the answer, and in the mapped model
}{
	"ContentVisibility":                     {strs(upstream.ContentVisibilityValues), "space", "visibility"},
	"SpaceEditMode":                         {strs(upstream.SpaceEditModeValues), "space", "editMode"},
	"SpaceType":                             {strs(upstream.SpaceTypeValues), "space", "type"},
	"TranslationLanguage":                   {strs(upstream.TranslationLanguageValues), "space", "language"},
	"DefaultLevel":                          {strs(upstream.DefaultLevelValues), "space", "defaultLevel"},
	"MergeRulesConfigurationType":           {strs(upstream.MergeRulesConfigurationTypeValues), "space", "mergeRules.type"},
	"MergeRuleType":                         {strs(upstream.MergeRuleTypeValues), "space", "mergeRules.rules.0.rule"},
	"GitSyncInstallationStatus":             {strs(upstream.GitSyncInstallationStatusValues), "space", "gitSync.installationStatus"},
	"GitSyncProvider":                       {strs(upstream.GitSyncProviderValues), "space", "gitSync.installationProvider"},
	"GitSyncOperationState":                 {strs(upstream.GitSyncOperationStateValues), "space", "gitSync.operation.state"},
	"GitSyncOperationDirection":             {strs(upstream.GitSyncOperationDirectionValues), "space", "gitSync.operation.direction"},
	"ContentImportRunStatus":                {strs(upstream.ContentImportRunStatusValues), "space", "imports.0.status"},
	"ContentImportSourceType":               {strs(upstream.ContentImportSourceTypeValues), "space", "imports.0.source.type"},
	"ContentImportPageType":                 {strs(upstream.ContentImportPageTypeValues), "space", "imports.0.pages.0.type"},
	"ContentImportPageStatus":               {strs(upstream.ContentImportPageStatusValues), "space", "imports.0.pages.0.status"},
	"VisitorAuthBackend":                    {strs(upstream.VisitorAuthBackendValues), "space", "visitorAuth.backend"},
	"OrganizationType":                      {strs(upstream.OrganizationTypeValues), "organization", "type"},
	"OrganizationUseCase":                   {strs(upstream.OrganizationUseCaseValues), "organization", "useCase"},
	"OrganizationCommunityType":             {strs(upstream.OrganizationCommunityTypeValues), "organization", "communityType"},
	"MemberRole":                            {strs(upstream.MemberRoleValues), "organization", "defaultRole"},
	"OrganizationTrialDecision":             {strs(upstream.OrganizationTrialDecisionValues), "organization", "trial.decision"},
	"BillingTrialStatus":                    {strs(upstream.BillingTrialStatusValues), "organization", "trial.status"},
	"SitePointerType":                       {strs(upstream.SitePointerTypeValues), "organization", "defaultContent.type"},
	"BlockSource":                           {strs(upstream.BlockSourceValues), "organization", "blocked.source"},
	"BillingProduct":                        {strs(upstream.BillingProductValues), "organization", "plan"},
	"BillingInterval":                       {strs(upstream.BillingIntervalValues), "organization", "billing.interval"},
	"BillingCreditsBundle":                  {strs(upstream.BillingCreditsBundleValues), "organization", "billing.creditsBundle"},
	"IntegrationTarget":                     {strs(upstream.IntegrationTargetValues), "integration", "target"},
	"IntegrationVisibility":                 {strs(upstream.IntegrationVisibilityValues), "integration", "visibility"},
	"IntegrationScope":                      {strs(upstream.IntegrationScopeValues), "integration", "scopes.0"},
	"IntegrationCategory":                   {strs(upstream.IntegrationCategoryValues), "integration", "categories.0"},
	"IntegrationInstallationStatus":         {strs(upstream.IntegrationInstallationStatusValues), "installation", "status"},
	"IntegrationInstallationSpaceSelection": {strs(upstream.IntegrationInstallationSpaceSelectionValues), "orgInstallation", "space_selection"},
	"IntegrationInstallationSiteSelection":  {strs(upstream.IntegrationInstallationSiteSelectionValues), "orgInstallation", "site_selection"},
}

// answers are REST answers that map without error, every enum the mapping
// reads set, and the mapping of each: decoded as the upstream client
// decodes, mapped, and encoded back as the model.
var answers = map[string]struct {
	json string
	via  func([]byte) (any, error)
}{
	"space": {`{"id": "space1", "visibility": "public", "defaultLevel": null,
		"mergeRules": {"type": "rules", "rules": [{"rule": "custom", "expression": "true"}]},
		"gitSync": {"installationId": "i1", "installationStatus": "active", "installationProvider": "github",
			"operation": {"state": "success", "direction": "export", "startedAt": "2024-01-15T09:30:00Z"}},
		"imports": [{"id": "run1", "status": "completed", "source": {"type": "website", "url": "https://example.com"},
			"pages": [{"id": "page1", "type": "page", "status": "complete"}]}],
		"visitorAuth": {"backend": "custom"}}`, mapAs(model.SpaceFromREST)},
	"organization": {organizationJSON, mapAs(model.OrganizationFromREST)},
	"integration": {`{"name": "slack", "target": "all", "visibility": "public", "scopes": [], "categories": [],
		"owner": ` + organizationJSON + `}`, mapAs(model.IntegrationFromREST)},
	"installation": {`{"integration": "slack", "installation": "inst1", "status": "active", "space": "space1"}`,
		mapAs(model.InstallationFromREST)},
	"orgInstallation": {`{"id": "inst1", "status": "active", "space_selection": "all", "site_selection": "selected",
		"target": {"organization": "org1"}}`, mapAs(func(in *upstream.IntegrationInstallation) *model.IntegrationInstallation {
		return model.IntegrationInstallationFromREST("slack", in)
	})},
}

const organizationJSON = `{"id": "org1", "type": "business", "plan": "free",
	"mergeRules": {"type": "none"}, "trial": {"status": "none", "count": 0},
	"defaultContent": {"type": "site", "site": "site1"}, "blocked": {"reason": "unpaid", "source": "internal"},
	"billing": {"interval": "monthly", "creditsBundle": null}}`

func mapAs[U, M any](fromREST func(*U) *M) func([]byte) (any, error) {
	return func(data []byte) (any, error) {
		var u U
		if err := json.Unmarshal(data, &u); err != nil {
			return nil, err
		}
		return fromREST(&u), nil
	}
}

// through sets the value at path in an answer, maps the answer and reads
// the model back at the same path.
func through(answer, path, value string) (string, error) {
	a := answers[answer]
	var doc any
	if err := json.Unmarshal([]byte(a.json), &doc); err != nil {
		return "", fmt.Errorf("answers[%q]: %w", answer, err)
	}
	var v any = value
	if _, err := strconv.ParseInt(value, 10, 64); err == nil {
		v = json.Number(value) // as the spec lists them (BillingCreditsBundle)
	}
	doc = setPath(doc, strings.Split(path, "."), v)
	data, _ := json.Marshal(doc)
	m, err := a.via(data)
	if err != nil {
		return "", err
	}
	out, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	var back any
	_ = json.Unmarshal(out, &back)
	for _, part := range strings.Split(path, ".") {
		switch b := back.(type) {
		case map[string]any:
			back = b[part]
		case []any:
			if i, _ := strconv.Atoi(part); i < len(b) {
				back = b[i]
			} else {
				back = nil
			}
		}
	}
	got, _ := back.(string)
	return got, nil
}

func setPath(doc any, path []string, value any) any {
	if len(path) == 0 {
		return value
	}
	switch d := doc.(type) {
	case []any:
		i, _ := strconv.Atoi(path[0])
		if i >= len(d) {
			d = append(d, nil)
		}
		d[i] = setPath(d[i], path[1:], value)
		return d
	case map[string]any:
		d[path[0]] = setPath(d[path[0]], path[1:], value)
		return d
	}
	return setPath(map[string]any{}, path, value)
}
