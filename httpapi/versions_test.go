package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/internal/logbuf"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
)

// GitBook serves records of more than one version of its spec at once, and
// adds enum values and properties without notice. These tests hold the
// facade to what a caller receives then.

// integrationFields is every field of Integration whose value comes from
// GitBook, enums and the version-only property among them.
const integrationFields = `name title version target visibility verified scopes categories
	urls { location app assets publicEndpoint publicContentEndpoint } owner { id title plan auditLogs }`

type integrationAnswer struct {
	Name       string
	Target     *string
	Visibility *string
	Scopes     []*string
	Categories []*string
	Urls       struct {
		PublicEndpoint        *string
		PublicContentEndpoint *string
	}
	Owner struct {
		ID   string
		Plan *string
	}
}

// olderOrganization is an organization's properties that an older version
// of the spec lacks.
type olderOrganization struct {
	AuditLogs *bool
	Billing   map[string]any
}

func TestRecordsOfTheOlderVersionAnswerInFull(t *testing.T) {
	f := newFacade(t, setup{})
	var got struct {
		Space struct {
			Integrations struct {
				TotalCount int
				Nodes      []integrationAnswer
			}
		}
		Spaces []struct {
			ID           string
			Integrations struct{ Nodes []integrationAnswer }
		}
		Northwind, Acme olderOrganization
	}
	f.do(t, `query($all: [ID!]!) {
		space(id: "acme-developer-portal") { integrations { totalCount nodes { `+integrationFields+` } } }
		spaces(ids: $all) { id integrations { nodes { `+integrationFields+` } } }
		northwind: organization(id: "northwind") { auditLogs billing { interval canChangeInterval canUseSAML creditsBundle aiCreditAlertThreshold } }
		acme: organization(id: "acme") { auditLogs billing { interval canChangeInterval canUseSAML creditsBundle aiCreditAlertThreshold } }
	}`, variables(map[string]any{"all": demoSpaceIDs()})).decode(t, &got)
	if len(got.Spaces) != len(demoSpaceIDs()) {
		t.Fatalf("%d spaces answered, want every one", len(got.Spaces))
	}

	t.Run("integrations", func(t *testing.T) {
		nodes := got.Space.Integrations.Nodes
		if len(nodes) != got.Space.Integrations.TotalCount || len(nodes) == 0 {
			t.Fatalf("%d integrations of %d", len(nodes), got.Space.Integrations.TotalCount)
		}
		for _, s := range got.Spaces {
			nodes = append(nodes, s.Integrations.Nodes...)
		}
		olderIntegrationsAnswerInFull(t, nodes)
	})
	t.Run("organizations", func(t *testing.T) { olderOrganizationsAnswerInFull(t, got.Northwind, got.Acme) })
}

// olderIntegrationsAnswerInFull checks the integrations of every demo
// space: the Git sync ones are of the older version.
func olderIntegrationsAnswerInFull(t *testing.T, nodes []integrationAnswer) {
	t.Helper()
	gitsync := map[string]int{}
	for _, in := range nodes {
		if in.Target == nil || in.Visibility == nil || in.Owner.Plan == nil || in.Urls.PublicEndpoint == nil {
			t.Errorf("%s: a field every version has is null: %+v", in.Name, in)
		}
		// The Git sync integrations are older records: in the gitsync
		// category, and without publicContentEndpoint.
		older := in.Name == "github" || in.Name == "gitlab"
		if slices.ContainsFunc(in.Categories, func(c *string) bool { return c != nil && *c == "gitsync" }) != older {
			t.Errorf("%s: categories %v", in.Name, deref(in.Categories))
		}
		if older {
			gitsync[in.Name]++
		}
		if older != (in.Urls.PublicContentEndpoint == nil) {
			t.Errorf("%s: publicContentEndpoint = %v; want null exactly for the older records", in.Name, in.Urls.PublicContentEndpoint)
		}
	}
	// github is on four spaces (the portal twice: alone and in spaces), and
	// gitlab on northwind-runbooks.
	if gitsync["github"] != 5 || gitsync["gitlab"] != 1 {
		t.Errorf("integrations in the gitsync category: %v", gitsync)
	}
}

// olderOrganizationsAnswerInFull checks an organization of the older
// version: the 0.202.0 properties are null, not false; a newer one has them.
func olderOrganizationsAnswerInFull(t *testing.T, northwind, acme olderOrganization) {
	t.Helper()
	if northwind.AuditLogs != nil {
		t.Errorf("northwind auditLogs = %v, want null", *northwind.AuditLogs)
	}
	for _, p := range []string{"canChangeInterval", "canUseSAML", "creditsBundle", "aiCreditAlertThreshold"} {
		if v, ok := northwind.Billing[p]; !ok || v != nil {
			t.Errorf("northwind billing.%s = %v, want null", p, v)
		}
	}
	if northwind.Billing["interval"] != "monthly" {
		t.Errorf("northwind billing.interval = %v", northwind.Billing["interval"])
	}
	want := map[string]any{"interval": "yearly", "canChangeInterval": true, "canUseSAML": true, "creditsBundle": "_135001500", "aiCreditAlertThreshold": 80.0}
	if fmt.Sprint(acme.Billing) != fmt.Sprint(want) || acme.AuditLogs == nil {
		t.Errorf("acme billing = %v, auditLogs %v; want %v and a value", acme.Billing, acme.AuditLogs, want)
	}
}

// driftQuery reads what drift changes: a space's visibility, every field of
// its integrations, and the categories of every demo space's integrations.
const driftQuery = `query($all: [ID!]!) {
		space(id: "acme-developer-portal") { title visibility integrations { totalCount nodes { ` + integrationFields + ` } } }
		spaces(ids: $all) { id title integrations { nodes { name categories } } }
	}`

type driftAnswer struct {
	Space struct {
		Title        string
		Visibility   *string
		Integrations struct {
			TotalCount int
			Nodes      []integrationAnswer
		}
	}
	Spaces []struct {
		ID           string
		Title        string
		Integrations struct {
			Nodes []struct {
				Name       string
				Categories []*string
			}
		}
	}
}

func TestUnknownValuesBreakOnlyThemselves(t *testing.T) {
	registry := prometheus.NewRegistry()
	var logs logbuf.Buffer
	f := newFacade(t, setup{
		sim: gitbooksim.Options{Fault: gitbooksim.FailAlways("", gitbooksim.Drift())},
		config: func(c *httpapi.Config) {
			c.MaxErrors = 1000 // one per unknown value, all of them
			c.Registry = registry
			c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
		},
	})
	all := variables(map[string]any{"all": demoSpaceIDs()})
	clean := newFacade(t, setup{}).do(t, driftQuery, all)
	if len(clean.Errors) > 0 {
		t.Fatalf("without drift: %+v", clean.Errors)
	}
	var want driftAnswer
	clean.decode(t, &want)

	const requests = 3
	for range requests {
		r := f.do(t, driftQuery, all)
		var got driftAnswer
		if err := json.Unmarshal(r.Data, &got); err != nil {
			t.Fatalf("%v: %s", err, r.Data)
		}
		driftedAnswerIsWhole(t, r, got, want)
		unknownValuesAreNull(t, got, want)
		driftErrorsNameTheirOwnValue(t, r, got)
	}

	// Counted by type and field; logged once per distinct value.
	scrape := f.do(t, "", get("/metrics")).body
	portal := len(want.Space.Integrations.Nodes)
	for _, metric := range []string{
		fmt.Sprintf(`gitbook_upstream_unknown_values_total{field="Space.visibility",type="ContentVisibility"} %d`, requests),
		fmt.Sprintf(`gitbook_upstream_unknown_values_total{field="Integration.scopes",type="IntegrationScope"} %d`, requests*portal),
		fmt.Sprintf(`gitbook_upstream_unknown_values_total{field="Organization.plan",type="BillingProduct"} %d`, requests*portal),
	} {
		if !bytes.Contains(scrape, []byte(metric)) {
			t.Errorf("/metrics lacks %s", metric)
		}
	}
	warnings := strings.Count(logs.String(), "the schema does not list")
	// Space.visibility, and five fields of Integration: each one value.
	if warnings != 6 {
		t.Errorf("%d warnings logged, want 6 (one per distinct value and field):\n%s", warnings, logs.String())
	}
	if !strings.Contains(logs.String(), `"value":"future-category"`) {
		t.Errorf("the warning does not name the value:\n%s", logs.String())
	}
}

// driftedAnswerIsWhole checks that the answer under drift holds every
// integration of every space, each with its fields.
func driftedAnswerIsWhole(t *testing.T, r response, got, want driftAnswer) {
	t.Helper()
	nodes := got.Space.Integrations.Nodes
	if got.Space.Title != "Developer Portal" || len(nodes) != len(want.Space.Integrations.Nodes) || len(nodes) != got.Space.Integrations.TotalCount {
		t.Fatalf("space %q with %d integrations (total %d), want %d: %s", got.Space.Title, len(nodes), got.Space.Integrations.TotalCount, len(want.Space.Integrations.Nodes), r.Data)
	}
	if len(got.Spaces) != len(want.Spaces) {
		t.Fatalf("%d spaces, want %d", len(got.Spaces), len(want.Spaces))
	}
	for i, s := range got.Spaces {
		if s.Title == "" || len(s.Integrations.Nodes) != len(want.Spaces[i].Integrations.Nodes) {
			t.Errorf("space %s: %d integrations, want %d", s.ID, len(s.Integrations.Nodes), len(want.Spaces[i].Integrations.Nodes))
		}
	}
}

// unknownValuesAreNull checks that the unknown values are null and the
// known values beside them stay.
func unknownValuesAreNull(t *testing.T, got, want driftAnswer) {
	t.Helper()
	if got.Space.Visibility != nil {
		t.Errorf("space visibility = %q, want null", *got.Space.Visibility)
	}
	for i, in := range got.Space.Integrations.Nodes {
		w := want.Space.Integrations.Nodes[i]
		if in.Name != w.Name || in.Target != nil || in.Visibility != nil || in.Owner.Plan != nil {
			t.Errorf("integration %d: %+v, want %s with null target, visibility and owner plan", i, in, w.Name)
		}
		if len(in.Scopes) != len(w.Scopes)+1 || in.Scopes[len(w.Scopes)] != nil || !sameStrings(in.Scopes[:len(w.Scopes)], w.Scopes) {
			t.Errorf("%s: scopes %v, want %v then null", in.Name, deref(in.Scopes), deref(w.Scopes))
		}
		if len(in.Categories) != len(w.Categories)+1 || in.Categories[len(w.Categories)] != nil || !sameStrings(in.Categories[:len(w.Categories)], w.Categories) {
			t.Errorf("%s: categories %v, want %v then null", in.Name, deref(in.Categories), deref(w.Categories))
		}
	}
}

// driftErrorsNameTheirOwnValue checks that there is an error per unknown
// value served, each naming its own field or element, and nothing wider.
func driftErrorsNameTheirOwnValue(t *testing.T, r response, got driftAnswer) {
	t.Helper()
	own := regexp.MustCompile(`^(space\.visibility|space\.integrations\.nodes\.\d+\.(target|visibility|owner\.plan|scopes\.\d+|categories\.\d+)|spaces\.\d+\.integrations\.nodes\.\d+\.categories\.\d+)$`)
	wantErrors := 1 + 5*len(got.Space.Integrations.Nodes)
	for _, s := range got.Spaces {
		wantErrors += len(s.Integrations.Nodes)
	}
	if len(r.Errors) != wantErrors {
		t.Errorf("%d errors, want %d (one per unknown value served)", len(r.Errors), wantErrors)
	}
	for _, e := range r.Errors {
		path := pathString(e.Path)
		if !own.MatchString(path) || e.Extensions["code"] != "UPSTREAM_BAD_RESPONSE" || e.Extensions["upstreamValue"] == nil {
			t.Errorf("error at %s: %+v", path, e)
		}
	}
}

// demoSpaceIDs are every space of the demo data.
func demoSpaceIDs() []string {
	var ids []string
	for _, s := range gitbooksim.DemoData().Spaces {
		ids = append(ids, s.ID)
	}
	return ids
}

func pathString(path []any) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".")
}

func deref(vs []*string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		if v == nil {
			out[i] = "<null>"
		} else {
			out[i] = *v
		}
	}
	return out
}

func sameStrings(a, b []*string) bool { return slices.Equal(deref(a), deref(b)) }
