package upstream_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

func TestInstallThenUninstall(t *testing.T) {
	srv, c := setup(t)
	const (
		space = "acme-developer-portal"
		name  = "okta"
		inst  = "inst-acme-okta"
	)
	if slices.Contains(installedOn(t, c, space), name) {
		t.Fatalf("%s is installed on %s before the test", name, space)
	}

	srv.ResetStats()
	got, err := c.InstallIntegrationOnSpace(t.Context(), name, inst, space)
	if err != nil {
		t.Fatal(err)
	}
	loc := "https://api.gitbook.com/v1/integrations/okta/installations/inst-acme-okta/spaces/" + space
	public := "https://integrations.gitbook.com/v1/integrations/okta/installations/inst-acme-okta/spaces/" + space
	want := &upstream.IntegrationSpaceInstallation{
		Integration: name, Installation: inst, Status: upstream.IntegrationInstallationStatusActive,
		Configuration: []byte(`{}`), ExternalIDs: []string{},
		URLs:  upstream.IntegrationInstallationURLs{Location: loc, PublicEndpoint: public, PublicContentEndpoint: public + "/content"},
		Space: upstream.SpaceRef{ID: space},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("installation (-want +got):\n%s", diff)
	}
	calls := srv.Calls()
	if len(calls) != 1 || calls[0].Op != "installIntegrationOnSpace" || calls[0].Method != http.MethodPost ||
		calls[0].Path != "/v1/integrations/okta/installations/inst-acme-okta/spaces" || len(calls[0].Query) != 0 ||
		calls[0].Authorization != demoAuth || calls[0].Status != http.StatusCreated {
		t.Errorf("install calls = %+v", calls)
	}
	if !slices.Contains(installedOn(t, c, space), name) {
		t.Errorf("%s is not listed on %s after installing it", name, space)
	}

	srv.ResetStats()
	if err := c.UninstallIntegrationFromSpace(t.Context(), name, inst, space); err != nil {
		t.Fatal(err)
	}
	calls = srv.Calls()
	if len(calls) != 1 || calls[0].Op != "uninstallIntegrationFromSpace" || calls[0].Method != http.MethodDelete ||
		calls[0].Path != "/v1/integrations/okta/installations/inst-acme-okta/spaces/"+space ||
		calls[0].Authorization != demoAuth || calls[0].Status != http.StatusNoContent {
		t.Errorf("uninstall calls = %+v", calls)
	}
	if slices.Contains(installedOn(t, c, space), name) {
		t.Errorf("%s is still listed on %s after uninstalling it", name, space)
	}

	// Uninstalling again: the upstream says it is not installed.
	err = c.UninstallIntegrationFromSpace(t.Context(), name, inst, space)
	if e := asError(t, srv, err); e.StatusCode != http.StatusNotFound || e.OutcomeUnknown {
		t.Errorf("second uninstall = %+v, want a plain 404", e)
	}
}

func TestInstallDecodesAWholeSpace(t *testing.T) {
	srv, c := setup(t)
	// The spec allows the installation's space as an id or as a whole Space.
	srv.SetFault(gitbooksim.FailAlways("installIntegrationOnSpace", gitbooksim.Fault{Status: http.StatusCreated, Body: `{
		"integration": "okta", "installation": "inst-acme-okta", "status": "active", "configuration": {"a": 1},
		"externalIds": ["x"], "urls": {"location": "l", "publicEndpoint": "p", "publicContentEndpoint": "pc"},
		"space": {"object": "space", "id": "acme-handbook", "title": "Employee Handbook", "organization": "acme",
			"createdAt": "2024-01-15T09:30:00Z", "updatedAt": "2024-01-15T09:30:00Z", "defaultLevel": null,
			"mergeRules": {"type": "inherit"}, "urls": {"location": "l", "app": "a"}, "permissions": {"view": true}}
	}`}))
	got, err := c.InstallIntegrationOnSpace(t.Context(), "okta", "inst-acme-okta", "acme-handbook")
	if err != nil {
		t.Fatal(err)
	}
	if got.Space.ID != "acme-handbook" || got.Space.Space == nil || got.Space.Space.Title != "Employee Handbook" || got.Space.Space.DefaultLevel != nil {
		t.Errorf("space = %+v, want the whole space", got.Space)
	}
	if string(got.Configuration) != `{"a": 1}` || !slices.Equal(got.ExternalIDs, []string{"x"}) {
		t.Errorf("installation = %+v", got)
	}
}

func TestSpaceRef(t *testing.T) {
	var r upstream.SpaceRef
	if err := json.Unmarshal([]byte(`"acme-handbook"`), &r); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(upstream.SpaceRef{ID: "acme-handbook"}, r); diff != "" {
		t.Errorf("string form (-want +got):\n%s", diff)
	}
	if out, _ := json.Marshal(r); string(out) != `"acme-handbook"` {
		t.Errorf("string form encodes as %s", out)
	}

	if err := json.Unmarshal([]byte(` {"object": "space", "id": "acme-api-reference", "title": "API Reference", "organization": "acme"}`), &r); err != nil {
		t.Fatal(err)
	}
	if r.ID != "acme-api-reference" || r.Space == nil || r.Space.Title != "API Reference" || r.Space.Organization != "acme" {
		t.Errorf("object form = %+v", r)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var again upstream.SpaceRef
	if err := json.Unmarshal(out, &again); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, again); diff != "" {
		t.Errorf("object form round trip (-first +again):\n%s", diff)
	}

	// Decoding the string form after the object form forgets the object.
	if err := json.Unmarshal([]byte(`"acme-changelog"`), &r); err != nil {
		t.Fatal(err)
	}
	if r.ID != "acme-changelog" || r.Space != nil {
		t.Errorf("string after object = %+v", r)
	}

	for _, bad := range []string{`5`, `["x"]`, `{"id": 5}`, `true`} {
		var r upstream.SpaceRef
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("Unmarshal(%s) = %+v, want an error", bad, r)
		}
	}
}
