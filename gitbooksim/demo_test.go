package gitbooksim_test

import (
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// The demo data speaks both versions of the spec: older records lack the
// properties 0.202.0 added, and the Git sync integrations are in the
// gitsync category, which only the older version lists.
func TestDemoDataServesBothVersions(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	github := call(t, srv, http.MethodGet, gitbooksim.DemoToken, "/integrations/github", "").object(t)
	if got := github["categories"]; !slices.Equal(got.([]any), []any{"gitsync"}) {
		t.Errorf("github categories = %v, want [gitsync]", got)
	}
	if _, ok := github["urls"].(map[string]any)["publicContentEndpoint"]; ok {
		t.Error("github, an older record, has urls.publicContentEndpoint")
	}
	slack := call(t, srv, http.MethodGet, gitbooksim.DemoToken, "/integrations/slack", "").object(t)
	if _, ok := slack["urls"].(map[string]any)["publicContentEndpoint"]; !ok {
		t.Error("slack, a 0.202.0 record, lacks urls.publicContentEndpoint")
	}
	northwind := call(t, srv, http.MethodGet, gitbooksim.DemoToken, "/orgs/northwind", "").object(t)
	billing, _ := northwind["billing"].(map[string]any)
	if billing == nil {
		t.Fatalf("northwind has no billing: %v", northwind)
	}
	for _, p := range []string{"canChangeInterval", "canUseSAML", "creditsBundle", "aiCreditAlertThreshold"} {
		if _, ok := billing[p]; ok {
			t.Errorf("northwind, an older record, has billing.%s", p)
		}
	}
	if _, ok := northwind["auditLogs"]; ok {
		t.Error("northwind, an older record, has auditLogs")
	}
}

// The demo's records link up: every installation is of an integration its
// organization's members can read, on spaces of that organization; every
// organization a demo user belongs to has spaces and installations; some
// integrations are installed in more than one organization.
func TestDemoDataLinks(t *testing.T) {
	d := gitbooksim.DemoData()
	orgOf := map[string]string{}
	for _, s := range d.Spaces {
		orgOf[s.ID] = s.Organization
	}
	integrations := map[string]upstream.Integration{}
	for _, in := range d.Integrations {
		integrations[in.Name] = in
	}
	orgs := map[string][]string{} // integration → organizations it is installed in
	seen := map[string]bool{}
	for _, inst := range d.Installations {
		if seen[inst.ID] {
			t.Errorf("installation %s twice", inst.ID)
		}
		seen[inst.ID] = true
		in, ok := integrations[inst.Integration]
		if !ok {
			t.Errorf("%s: no integration %s", inst.ID, inst.Integration)
		}
		if in.Visibility == upstream.IntegrationVisibilityPrivate && in.Owner.ID != inst.Organization {
			t.Errorf("%s: %s is private to %s", inst.ID, in.Name, in.Owner.ID)
		}
		for _, s := range inst.Spaces {
			if orgOf[s] != inst.Organization {
				t.Errorf("%s of %s is enabled on %s, of %q", inst.ID, inst.Organization, s, orgOf[s])
			}
		}
		orgs[inst.Integration] = append(orgs[inst.Integration], inst.Organization)
	}
	for _, name := range []string{"slack", "github", "jira", "mermaid", "figma"} {
		if len(orgs[name]) < 2 {
			t.Errorf("%s is installed in %v, want two organizations or more", name, orgs[name])
		}
	}
	for _, u := range d.Users {
		for org := range u.Roles {
			if !slices.Contains(slices.Collect(maps.Values(orgOf)), org) || !slices.ContainsFunc(d.Installations, func(i gitbooksim.Installation) bool { return i.Organization == org }) {
				t.Errorf("%s belongs to %s, which has no spaces or no installations", u.DisplayName, org)
			}
		}
	}
}

// The walk from DemoToken reaches every space of its organizations and
// every installation, and each space an installation is enabled on is one
// the caller reads; the install flow works with ids read on the way.
func TestDemoWalkAndInstallFlow(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	items := func(path string) []map[string]any {
		t.Helper()
		a := get(t, srv, gitbooksim.DemoToken, path)
		if a.status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, a.status, a.body)
		}
		var out []map[string]any
		for _, it := range a.object(t)["items"].([]any) {
			out = append(out, it.(map[string]any))
		}
		return out
	}
	if u := get(t, srv, gitbooksim.DemoToken, "/user").object(t); u["displayName"] != "Ada Lovelace" {
		t.Errorf("the demo's caller: %v", u)
	}
	spaces := 0
	var pick struct{ integration, installation, space string }
	for _, org := range items("/orgs?limit=1000") {
		orgID := org["id"].(string)
		var own []string
		for _, s := range items("/orgs/" + orgID + "/spaces?limit=1000") {
			own = append(own, s["id"].(string))
		}
		spaces += len(own)
		installs := items("/orgs/" + orgID + "/installations?limit=1000")
		if len(own) == 0 || len(installs) == 0 {
			t.Errorf("%s: %d spaces, %d installations", orgID, len(own), len(installs))
		}
		for _, it := range installs {
			inst, in := it["installation"].(map[string]any), it["integration"].(map[string]any)
			path := "/integrations/" + in["name"].(string) + "/installations/" + inst["id"].(string)
			enabled := items(path + "/spaces?extended=true&limit=1000")
			if float64(len(enabled)) != inst["spaces"] {
				t.Errorf("%s: on %d spaces, says %v", path, len(enabled), inst["spaces"])
			}
			var on []string
			for _, e := range enabled {
				s := e["space"].(map[string]any)
				on = append(on, s["id"].(string))
				if s["organization"] != orgID {
					t.Errorf("%s is enabled on %s of %v", path, s["id"], s["organization"])
				}
			}
			if orgID == "acme" && in["name"] == "slack" {
				for _, s := range own {
					if !slices.Contains(on, s) && pick.space == "" {
						pick = struct{ integration, installation, space string }{"slack", inst["id"].(string), s}
					}
				}
			}
		}
	}
	if spaces != 10 {
		t.Errorf("the walk reaches %d spaces, want the demo's ten", spaces)
	}
	if pick.space == "" {
		t.Fatal("no acme space without slack")
	}
	path := "/integrations/" + pick.integration + "/installations/" + pick.installation + "/spaces"
	if a := call(t, srv, http.MethodPost, gitbooksim.DemoToken, path, `{"space":"`+pick.space+`"}`); a.status != http.StatusCreated {
		t.Fatalf("install %s on %s: %d %s", pick.installation, pick.space, a.status, a.body)
	}
	if got := ids(t, get(t, srv, gitbooksim.DemoToken, path), byKey("space")); !slices.Contains(got, pick.space) {
		t.Errorf("after installing, %s is on %v", pick.installation, got)
	}
	if got := ids(t, get(t, srv, gitbooksim.DemoToken, "/spaces/"+pick.space+"/integrations?limit=1000"), byKey("name")); !slices.Contains(got, "slack") {
		t.Errorf("after installing, %s has %v", pick.space, got)
	}
	// The demo's caller owns an integration, so it may list its installations.
	if got := ids(t, get(t, srv, gitbooksim.DemoToken, "/integrations/acme-status/installations"), byKey("id")); len(got) == 0 {
		t.Error("acme-status has no installations its owner can list")
	}
}
