package upstream_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// Organization permissions the simulator gives by role, as the spec's permissions objects.
var (
	orgAdmin = upstream.OrganizationPermissions{View: true, Access: true, Admin: true, OwnTeam: true, CreateContent: true,
		CreateOpenAPISpec: true, ViewBilling: true, ListMembers: true, ListTeams: true, ListIntegrations: true,
		ListInstallations: true, InstallIntegration: true}
	orgMember = upstream.OrganizationPermissions{View: true, Access: true, ListMembers: true, ListTeams: true}
)

func TestGetOrganization(t *testing.T) {
	srv, c := setup(t)
	data := gitbooksim.DemoData()
	for id, perms := range map[string]upstream.OrganizationPermissions{"acme": orgAdmin, "open-source-collective": orgMember, "northwind": orgMember} {
		want := organization(t, data, id)
		want.Permissions = perms
		got, err := c.GetOrganization(t.Context(), id)
		if err != nil {
			t.Fatalf("GetOrganization(%q): %v", id, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GetOrganization(%q) (-want +got):\n%s", id, diff)
		}
	}
	acme, _ := c.GetOrganization(t.Context(), "acme")
	if acme.Billing == nil || acme.Billing.CreditsBundle == nil || *acme.Billing.CreditsBundle != upstream.BillingCreditsBundle135001500 {
		t.Errorf("acme billing = %+v, want a credits bundle of 135001500", acme.Billing)
	}
	if got := srv.PathCounts(); got["GET /v1/orgs/acme"] != 2 || got["GET /v1/orgs/northwind"] != 1 || got["GET /v1/orgs/open-source-collective"] != 1 {
		t.Errorf("path counts = %v", got)
	}
	// DemoToken is no member of GitBook's own organization.
	_, err := c.GetOrganization(t.Context(), "gitbook")
	if e := asError(t, srv, err); e.StatusCode != http.StatusNotFound || e.Message != "Organization not found" {
		t.Errorf("GetOrganization(gitbook) = %+v, want a 404", e)
	}
}

func TestGetOrganizationDecodesCreditsBundleAsANumber(t *testing.T) {
	srv, c := setup(t)
	// The spec's enum lists the bundles as numbers; the simulator's own
	// encoding writes strings, so send the number form verbatim.
	srv.SetFault(gitbooksim.FailAlways("getOrganizationById", gitbooksim.Fault{Body: `{
		"object": "organization", "id": "acme", "title": "Acme Inc.", "createdAt": "2024-01-15T09:30:00Z",
		"emailDomains": [], "type": "business", "inviteLinks": true, "plan": "pro_2024",
		"mergeRules": {"type": "none"}, "urls": {"location": "l", "app": "a"}, "trial": {"status": "notapplicable", "count": 0},
		"permissions": {"view": true},
		"billing": {"interval": "yearly", "endDate": null, "creditsBundle": 6000040000, "aiCreditAlertThreshold": null,
			"pricing": {"members": {"plus_2024": {"monthly": 8, "yearly": 80}, "pro_2024": {"monthly": 12, "yearly": 120}},
				"sites": {"premium": {"monthly": 65, "yearly": 650}, "ultimate": {"monthly": 249, "yearly": 2490}}},
			"usageAddons": {}}
	}`}))
	o, err := c.GetOrganization(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if o.Billing == nil || o.Billing.CreditsBundle == nil || *o.Billing.CreditsBundle != upstream.BillingCreditsBundle6000040000 {
		t.Errorf("billing = %+v, want credits bundle 6000040000", o.Billing)
	}
	if o.Billing.EndDate != nil || o.Billing.AICreditAlertThreshold != nil {
		t.Errorf("billing = %+v, want null endDate and aiCreditAlertThreshold as nil", o.Billing)
	}
	if o.Billing.Pricing.Sites.Ultimate.Yearly != 2490 {
		t.Errorf("pricing = %+v", o.Billing.Pricing)
	}
}

func organization(t *testing.T, data *gitbooksim.Dataset, id string) *upstream.Organization {
	t.Helper()
	for _, o := range data.Organizations {
		if o.ID == id {
			return &o
		}
	}
	t.Fatalf("no organization %q in the demo data", id)
	return nil
}

func TestBillingCreditsBundle(t *testing.T) {
	for _, tc := range []struct {
		json string
		want upstream.BillingCreditsBundle
	}{
		{`"none"`, upstream.BillingCreditsBundleNone},
		{`135001500`, upstream.BillingCreditsBundle135001500},
		{`"135001500"`, upstream.BillingCreditsBundle135001500},
		{`240006000`, upstream.BillingCreditsBundle240006000},
		{`4200018000`, upstream.BillingCreditsBundle4200018000},
		{`6000040000`, upstream.BillingCreditsBundle6000040000},
		{` 6000040000 `, upstream.BillingCreditsBundle6000040000},
	} {
		var got upstream.BillingCreditsBundle
		if err := json.Unmarshal([]byte(tc.json), &got); err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.json, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Unmarshal(%s) = %q, want %q", tc.json, got, tc.want)
		}
	}
	for _, bad := range []string{`1.5`, `1e3`, `true`, `{}`, `[1]`, `99999999999999999999`} {
		var got upstream.BillingCreditsBundle
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("Unmarshal(%s) = %q, want an error", bad, got)
		}
	}
	// Within the billing object, null is no bundle.
	var b upstream.OrganizationBilling
	if err := json.Unmarshal([]byte(`{"creditsBundle": null}`), &b); err != nil || b.CreditsBundle != nil {
		t.Errorf("null bundle = %v, %v; want nil", b.CreditsBundle, err)
	}
	if err := json.Unmarshal([]byte(`{"creditsBundle": 240006000}`), &b); err != nil || b.CreditsBundle == nil || *b.CreditsBundle != upstream.BillingCreditsBundle240006000 {
		t.Errorf("numeric bundle = %v, %v", b.CreditsBundle, err)
	}
}

// Properties that one version of the spec lacks decode to nil when absent or
// null, so that they are served as null, and keep a false or empty value
// GitBook did send.
func TestVersionOnlyPropertiesKeepAbsenceApart(t *testing.T) {
	for _, tc := range []struct {
		json          string
		present, zero bool
	}{
		{`{}`, false, false},
		{`{"canChangeInterval": null, "canUseSAML": null, "publicContentEndpoint": null}`, false, false},
		{`{"canChangeInterval": false, "canUseSAML": false, "publicContentEndpoint": ""}`, true, true},
		{`{"canChangeInterval": true, "canUseSAML": true, "publicContentEndpoint": "https://x.example/c"}`, true, false},
	} {
		var b upstream.OrganizationBilling
		var u upstream.IntegrationURLs
		if err := json.Unmarshal([]byte(tc.json), &b); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(tc.json), &u); err != nil {
			t.Fatal(err)
		}
		for name, p := range map[string]any{"canChangeInterval": b.CanChangeInterval, "canUseSAML": b.CanUseSAML, "publicContentEndpoint": u.PublicContentEndpoint} {
			present := !reflect.ValueOf(p).IsNil()
			if present != tc.present {
				t.Errorf("%s: %s present = %v, want %v", tc.json, name, present, tc.present)
				continue
			}
			if present && reflect.ValueOf(p).Elem().IsZero() != tc.zero {
				t.Errorf("%s: %s = %v", tc.json, name, reflect.ValueOf(p).Elem())
			}
		}
	}
}
