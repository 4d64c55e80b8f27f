package gitbooksim_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// A publisher, a customer that installed the publisher's integration, and
// an outsider: who may read which installation.
const (
	publisher = "gb_publisher" // administers pub, which publishes widget
	customer  = "gb_customer"  // administers cust, which installed widget
	member    = "gb_member"    // reads pub: no administrator of it
	outsider  = "gb_outsider"  // in no organization
)

func installationsData() *gitbooksim.Dataset {
	org := func(id string) upstream.Organization {
		return upstream.Organization{Object: "organization", ID: id, Title: id}
	}
	space := func(id, org string) upstream.Space {
		return upstream.Space{Object: "space", ID: id, Title: id, Organization: org}
	}
	integration := func(name, owner string, v upstream.IntegrationVisibility) upstream.Integration {
		return upstream.Integration{Object: "integration", Name: name, Title: name, Owner: upstream.Organization{ID: owner}, Visibility: v}
	}
	return &gitbooksim.Dataset{
		Organizations: []upstream.Organization{org("pub"), org("cust")},
		Spaces:        []upstream.Space{space("pub-docs", "pub"), space("cust-docs", "cust"), space("cust-api", "cust"), space("cust-blog", "cust")},
		Integrations: []upstream.Integration{
			integration("widget", "pub", upstream.IntegrationVisibilityPublic),
			integration("secret", "cust", upstream.IntegrationVisibilityPrivate),
			integration("hidden", "pub", upstream.IntegrationVisibilityUnlisted),
		},
		Installations: []gitbooksim.Installation{
			{ID: "inst-pub-widget", Integration: "widget", Organization: "pub", Spaces: []string{"pub-docs"}},
			{ID: "inst-cust-widget", Integration: "widget", Organization: "cust", Spaces: []string{"cust-docs"},
				Status: upstream.IntegrationInstallationStatusPaused, Configuration: json.RawMessage(`{"channel":"#docs"}`), ExternalIDs: []string{"T123"}},
			{ID: "inst-cust-secret", Integration: "secret", Organization: "cust", AllSpaces: true},
		},
		Users: []gitbooksim.User{
			{Token: publisher, Roles: map[string]upstream.MemberRole{"pub": upstream.MemberRoleAdmin}},
			{Token: customer, Roles: map[string]upstream.MemberRole{"cust": upstream.MemberRoleAdmin}},
			{Token: member, Roles: map[string]upstream.MemberRole{"pub": upstream.MemberRoleRead}},
			{Token: outsider},
		},
	}
}

func ids(t *testing.T, a answer, key func(map[string]any) string) []string {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d %s", a.status, a.body)
	}
	out := []string{}
	for _, it := range a.object(t)["items"].([]any) {
		out = append(out, key(it.(map[string]any)))
	}
	return out
}

// listIntegrationInstallations is the integration's owner's alone; one
// installation is read by its organization's members and by the owner.
func TestIntegrationInstallationsByWhoAsks(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{Data: installationsData()})
	const list = "/integrations/widget/installations"
	if got := ids(t, get(t, srv, publisher, list), byKey("id")); !slices.Equal(got, []string{"inst-pub-widget", "inst-cust-widget"}) {
		t.Errorf("widget's installations to its publisher: %v", got)
	}
	for _, token := range []string{customer, member, outsider} {
		assertEnvelope(t, get(t, srv, token, list), http.StatusForbidden, "You do not have permission to list the installations of this integration")
	}
	// A private integration does not exist for those outside its owner.
	assertEnvelope(t, get(t, srv, outsider, "/integrations/secret/installations"), http.StatusNotFound, "Integration not found")
	if got := ids(t, get(t, srv, publisher, list+"?externalId=T123"), byKey("id")); !slices.Equal(got, []string{"inst-cust-widget"}) {
		t.Errorf("externalId T123: %v", got)
	}

	const one = "/integrations/widget/installations/inst-cust-widget"
	for token, status := range map[string]int{publisher: http.StatusOK, customer: http.StatusOK, member: http.StatusNotFound, outsider: http.StatusNotFound} {
		if a := get(t, srv, token, one); a.status != status {
			t.Errorf("%s reads %s: %d, want %d", token, one, a.status, status)
		} else if status == http.StatusNotFound {
			assertEnvelope(t, a, status, "Installation not found")
		}
	}
	// The installation's name is part of its address.
	assertEnvelope(t, get(t, srv, customer, "/integrations/secret/installations/inst-cust-widget"), http.StatusNotFound, "Installation not found")

	// The publisher reads the installation but not the customer's spaces.
	const spaces = one + "/spaces?extended=true"
	if got := ids(t, get(t, srv, publisher, spaces), byKey("installation")); len(got) != 0 {
		t.Errorf("the publisher sees the customer's spaces: %v", got)
	}
	if got := ids(t, get(t, srv, customer, spaces), func(m map[string]any) string { return m["space"].(map[string]any)["id"].(string) }); !slices.Equal(got, []string{"cust-docs"}) {
		t.Errorf("the customer's spaces with widget: %v", got)
	}
}

// An installation is answered as the spec's IntegrationInstallation, from
// what the dataset says of it.
func TestInstallationRecord(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{Data: installationsData()})
	var got upstream.IntegrationInstallation
	if err := json.Unmarshal(get(t, srv, customer, "/integrations/widget/installations/inst-cust-widget").body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != upstream.IntegrationInstallationStatusPaused || string(got.Configuration) != `{"channel":"#docs"}` ||
		!slices.Equal(got.ExternalIDs, []string{"T123"}) || got.Spaces == nil || *got.Spaces != 1 ||
		got.SpaceSelection != upstream.IntegrationInstallationSpaceSelectionSelected || got.Target.Organization != "cust" {
		t.Errorf("inst-cust-widget: %+v", got)
	}
	if got.URLs.Location != "https://api.gitbook.com/v1/integrations/widget/installations/inst-cust-widget" || got.URLs.App == "" ||
		got.URLs.PublicEndpoint == "" || got.URLs.PublicContentEndpoint == nil || got.CreatedAt.IsZero() {
		t.Errorf("inst-cust-widget's urls and times: %+v", got)
	}
	var plain upstream.IntegrationInstallation
	if err := json.Unmarshal(get(t, srv, publisher, "/integrations/widget/installations/inst-pub-widget").body, &plain); err != nil {
		t.Fatal(err)
	}
	if plain.Status != upstream.IntegrationInstallationStatusActive || string(plain.Configuration) != `{}` || plain.ExternalIDs == nil {
		t.Errorf("an installation the dataset says little of: %+v", plain)
	}
}

// An installation on every space is enabled on each of its organization's
// spaces; leaving one out turns it into a selection of the rest.
func TestInstallationOnAllSpaces(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{Data: installationsData()})
	const inst = "/integrations/secret/installations/inst-cust-secret"
	rec := get(t, srv, customer, inst).object(t)
	if rec["space_selection"] != "all" || rec["spaces"] != float64(3) {
		t.Errorf("an installation on all spaces: space_selection %v, spaces %v", rec["space_selection"], rec["spaces"])
	}
	if got := ids(t, get(t, srv, customer, inst+"/spaces"), byKey("space")); !slices.Equal(got, []string{"cust-docs", "cust-api", "cust-blog"}) {
		t.Errorf("its spaces: %v", got)
	}
	if got := ids(t, get(t, srv, customer, "/spaces/cust-api/integrations"), byKey("name")); !slices.Contains(got, "secret") {
		t.Errorf("cust-api's integrations: %v", got)
	}
	if a := call(t, srv, http.MethodDelete, customer, inst+"/spaces/cust-api", ""); a.status != http.StatusNoContent {
		t.Fatalf("uninstall: %d %s", a.status, a.body)
	}
	rec = get(t, srv, customer, inst).object(t)
	if rec["space_selection"] != "selected" || rec["spaces"] != float64(2) {
		t.Errorf("after leaving one out: space_selection %v, spaces %v", rec["space_selection"], rec["spaces"])
	}
	if got := ids(t, get(t, srv, customer, inst+"/spaces"), byKey("space")); !slices.Equal(got, []string{"cust-docs", "cust-blog"}) {
		t.Errorf("its spaces after leaving one out: %v", got)
	}
}
