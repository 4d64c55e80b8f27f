package graph_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// The walk from a token: every hop from viewer to the spaces an
// installation is enabled on, each costing one call per distinct resource,
// what a list embeds costing nothing more.

// demoOrgsOf is the organizations the demo gives token a role in, in the
// dataset's order, and their spaces.
func demoOrgsOf(t *testing.T, token string) (orgs []string, spaces map[string][]string) {
	t.Helper()
	d := gitbooksim.DemoData()
	var roles map[string]upstream.MemberRole
	for _, u := range d.Users {
		if u.Token == token {
			roles = u.Roles
		}
	}
	spaces = map[string][]string{}
	for _, o := range d.Organizations {
		if _, ok := roles[o.ID]; ok {
			orgs = append(orgs, o.ID)
		}
	}
	for _, s := range d.Spaces {
		if _, ok := roles[s.Organization]; ok {
			spaces[s.Organization] = append(spaces[s.Organization], s.ID)
		}
	}
	if len(orgs) < 2 {
		t.Fatalf("the demo gives %s %d organizations; the walk needs two", token, len(orgs))
	}
	return orgs, spaces
}

func TestViewerIsTheToken(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct {
		Viewer struct {
			ID, DisplayName string
			URLs            struct{ Location string }
		}
	}
	h.must(t, `{ viewer { id displayName urls { location } } }`, &got)
	if got.Viewer.ID == "" || got.Viewer.DisplayName == "" || got.Viewer.URLs.Location == "" {
		t.Fatalf("viewer = %+v", got.Viewer)
	}
	var reader struct{ Viewer struct{ ID string } }
	h.must(t, `{ viewer { id } }`, &reader, as(gitbooksim.ReaderToken))
	if reader.Viewer.ID == got.Viewer.ID {
		t.Errorf("two tokens, one viewer: %s", reader.Viewer.ID)
	}
	h.calls(t, map[string]int{"getAuthenticatedUser": 2})
}

func TestWalkFromATokenCostsOneCallPerDistinctResource(t *testing.T) {
	h := newHarness(t, setup{})
	orgs, spaces := demoOrgsOf(t, gitbooksim.DemoToken)
	var got struct {
		Organizations struct {
			TotalCount int
			Nodes      []struct {
				ID     string
				Spaces struct {
					Nodes []struct {
						ID           string
						Organization struct{ ID string }
						Integrations struct{ TotalCount int }
					}
				}
			}
		}
	}
	h.must(t, `{ organizations(first: 2) { totalCount nodes { id spaces(first: 5) { nodes {
		id organization { id } integrations(first: 5) { totalCount } } } } } }`, &got)
	if got.Organizations.TotalCount != len(orgs) || len(got.Organizations.Nodes) != 2 {
		t.Fatalf("organizations: %+v, want 2 of %d", got.Organizations, len(orgs))
	}
	listed := 0
	for i, o := range got.Organizations.Nodes {
		if o.ID != orgs[i] {
			t.Errorf("organization %d is %s, want %s", i, o.ID, orgs[i])
		}
		want := spaces[o.ID][:min(5, len(spaces[o.ID]))]
		var ids []string
		for _, s := range o.Spaces.Nodes {
			ids = append(ids, s.ID)
			if s.Organization.ID != o.ID {
				t.Errorf("space %s: organization %s, want %s", s.ID, s.Organization.ID, o.ID)
			}
		}
		if !slices.Equal(ids, want) {
			t.Errorf("%s's spaces = %v, want %v", o.ID, ids, want)
		}
		listed += len(ids)
	}
	// The organizations came in their list: a space's organization is no
	// call; each space's integrations are one.
	h.calls(t, map[string]int{
		"listOrganizationsForAuthenticatedUser": 1,
		"listSpacesInOrganizationById":          2,
		"listSpaceIntegrations":                 listed,
	})
	if 1+2+listed > 13 {
		t.Errorf("the walk took %d calls; two organizations of five spaces take at most 13", 1+2+listed)
	}
}

func TestOrganizationInstallationsEmbedTheirIntegrations(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct {
		Organization struct {
			Installations struct {
				TotalCount int
				Nodes      []struct {
					ID, Key      string
					Status       string
					Organization struct{ ID string }
					Integration  struct{ Name, Title string }
				}
			}
		}
	}
	h.must(t, `{ organization(id: "acme") { installations(first: 50) { totalCount nodes {
		id key status organization { id } integration { name title } } } } }`, &got)
	nodes := got.Organization.Installations.Nodes
	if len(nodes) == 0 || len(nodes) != got.Organization.Installations.TotalCount {
		t.Fatalf("installations = %+v", got.Organization.Installations)
	}
	for _, n := range nodes {
		if n.Organization.ID != "acme" || n.Integration.Title == "" || n.Key != n.Integration.Name+"/"+n.ID || n.Status != "active" {
			t.Errorf("installation %+v", n)
		}
	}
	// The organization read once, its list once, every integration and the
	// organization of every installation from them.
	h.calls(t, map[string]int{"getOrganizationById": 1, "listOrganizationInstallations": 1})
}

func TestInstallationSpacesEmbedTheirSpaces(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct {
		Installation struct {
			Integration        struct{ Name string }
			SpaceInstallations struct {
				Nodes []struct {
					Installation string
					Space        struct{ ID, Title string }
				}
			}
		}
	}
	h.must(t, `{ installation(integration: "slack", id: "inst-acme-slack") { integration { name }
		spaceInstallations { nodes { installation space { id title } } } } }`, &got)
	var ids []string
	for _, n := range got.Installation.SpaceInstallations.Nodes {
		if n.Installation != "inst-acme-slack" || n.Space.Title == "" {
			t.Errorf("space installation %+v", n)
		}
		ids = append(ids, n.Space.ID)
	}
	var want []string
	for _, in := range gitbooksim.DemoData().Installations {
		if in.ID == "inst-acme-slack" {
			want = in.Spaces
		}
	}
	slices.Sort(ids)
	slices.Sort(want)
	if len(want) == 0 || !slices.Equal(ids, want) {
		t.Errorf("slack is enabled on %v, want %v", ids, want)
	}
	h.calls(t, map[string]int{"getIntegrationInstallationById": 1, "getIntegrationByName": 1, "listIntegrationInstallationSpaces": 1})
}

func TestTheInstallFlowNeedsNoIDFromElsewhere(t *testing.T) {
	h := newHarness(t, setup{})
	// Find, from the graph alone, an installation and a space of its
	// organization it is not enabled on.
	var found struct {
		Organization struct {
			Spaces        struct{ Nodes []struct{ ID string } }
			Installations struct {
				Nodes []struct {
					ID                 string
					Integration        struct{ Name string }
					SpaceInstallations struct {
						Nodes []struct{ Space struct{ ID string } }
					}
				}
			}
		}
	}
	h.must(t, `{ organization(id: "acme") { spaces { nodes { id } }
		installations(search: "slack") { nodes { id integration { name } spaceInstallations { nodes { space { id } } } } } } }`, &found)
	inst := found.Organization.Installations.Nodes
	if len(inst) != 1 || inst[0].Integration.Name != "slack" {
		t.Fatalf("searching acme's installations for slack: %+v", inst)
	}
	var target string
	for _, s := range found.Organization.Spaces.Nodes {
		if !slices.ContainsFunc(inst[0].SpaceInstallations.Nodes, func(n struct{ Space struct{ ID string } }) bool { return n.Space.ID == s.ID }) {
			target = s.ID
			break
		}
	}
	if target == "" {
		t.Fatal("slack is on every acme space; the test needs one without it")
	}
	// The least: the organization, its spaces, its installations and the
	// one installation's spaces (its integration came with the list).
	h.calls(t, map[string]int{"getOrganizationById": 1, "listSpacesInOrganizationById": 1,
		"listOrganizationInstallations": 1, "listIntegrationInstallationSpaces": 1})
	h.sim.ResetStats()
	var done struct {
		InstallIntegrationOnSpace struct {
			Installation string
			Space        struct{ ID string }
		}
	}
	h.must(t, `mutation($i: ID!, $s: ID!) { installIntegrationOnSpace(integration: "slack", installation: $i, space: $s) { installation space { id } } }`,
		&done, client.Var("i", inst[0].ID), client.Var("s", target))
	if done.InstallIntegrationOnSpace.Installation != inst[0].ID || done.InstallIntegrationOnSpace.Space.ID != target {
		t.Fatalf("installed: %+v", done)
	}
	// The install itself: the installation on the space, then its
	// integration space installation, read back with its space.
	h.calls(t, map[string]int{"installIntegrationOnSpace": 1, "getSpaceById": 1})
	h.sim.ResetStats()
	var after struct {
		Installation struct{ SpaceInstallations struct{ TotalCount int } }
		Space        struct {
			Integrations struct{ Nodes []struct{ Name string } }
		}
	}
	h.must(t, `query($i: ID!, $s: ID!) { installation(integration: "slack", id: $i) { spaceInstallations { totalCount } }
		space(id: $s) { integrations { nodes { name } } } }`, &after, client.Var("i", inst[0].ID), client.Var("s", target))
	if after.Installation.SpaceInstallations.TotalCount != len(inst[0].SpaceInstallations.Nodes)+1 {
		t.Errorf("slack is on %d spaces after the install, want %d", after.Installation.SpaceInstallations.TotalCount, len(inst[0].SpaceInstallations.Nodes)+1)
	}
	if !slices.ContainsFunc(after.Space.Integrations.Nodes, func(n struct{ Name string }) bool { return n.Name == "slack" }) {
		t.Errorf("%s's integrations after the install: %+v, want slack among them", target, after.Space.Integrations.Nodes)
	}
	h.calls(t, map[string]int{"getIntegrationInstallationById": 1, "listIntegrationInstallationSpaces": 1,
		"getSpaceById": 1, "listSpaceIntegrations": 1})
}

func TestIntegrationInstallationsAreForTheOwnerAlone(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct {
		Slack struct {
			Title         string
			Installations struct{ Nodes []struct{ ID string } }
		}
		Own struct {
			Installations struct {
				Nodes []struct {
					ID           string
					Organization struct{ ID string }
				}
			}
		}
	}
	errs := h.post(t, `{ slack: integration(name: "slack") { title installations { nodes { id } } }
		own: integration(name: "acme-status") { installations { nodes { id organization { id } } } } }`, &got)
	one(t, errs, "FORBIDDEN", `["slack","installations"]`)
	if got.Slack.Title == "" || len(got.Slack.Installations.Nodes) != 0 {
		t.Errorf("slack: %+v, want its title and no installations", got.Slack)
	}
	if len(got.Own.Installations.Nodes) == 0 {
		t.Errorf("acme-status, which acme owns, lists no installations to acme's admin")
	}
}

func TestMarketplaceFilters(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct {
		Integrations struct {
			TotalCount int
			Nodes      []struct {
				Name       string
				Categories []string
			}
		}
	}
	h.must(t, `{ integrations(category: visitor_auth) { totalCount nodes { name categories } } }`, &got)
	if len(got.Integrations.Nodes) == 0 {
		t.Fatal("no visitor_auth integrations in the marketplace")
	}
	for _, n := range got.Integrations.Nodes {
		if !slices.Contains(n.Categories, "visitor_auth") {
			t.Errorf("%s (%v) is not visitor_auth", n.Name, n.Categories)
		}
	}
	h.calls(t, map[string]int{"listIntegrations": 1})
	h.sim.ResetStats()

	errs := h.post(t, `{ integrations(blockDomain: "not a domain/") { totalCount } }`, nil)
	one(t, errs, "BAD_USER_INPUT", `["integrations"]`)
	h.calls(t, map[string]int{})
}

func TestWalkCursorsAreTiedToTheirList(t *testing.T) {
	h := newHarness(t, setup{})
	orgs, _ := demoOrgsOf(t, gitbooksim.DemoToken)
	var first struct {
		Organizations struct {
			Nodes    []struct{ ID string }
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
		}
	}
	h.must(t, `{ organizations(first: 1) { nodes { id } pageInfo { hasNextPage endCursor } } }`, &first)
	if !first.Organizations.PageInfo.HasNextPage || first.Organizations.Nodes[0].ID != orgs[0] {
		t.Fatalf("first page: %+v", first.Organizations)
	}
	var next struct {
		Organizations struct{ Nodes []struct{ ID string } }
	}
	h.must(t, `query($c: String) { organizations(first: 1, after: $c) { nodes { id } } }`, &next, client.Var("c", first.Organizations.PageInfo.EndCursor))
	if len(next.Organizations.Nodes) != 1 || next.Organizations.Nodes[0].ID != orgs[1] {
		t.Fatalf("after the first: %+v, want %s", next.Organizations, orgs[1])
	}
	h.sim.ResetStats()
	// The organizations' cursor is no cursor of a space list, nor of the
	// marketplace.
	errs := h.post(t, `query($c: String) { organization(id: "acme") { spaces(after: $c) { totalCount } } }`, nil, client.Var("c", first.Organizations.PageInfo.EndCursor))
	one(t, errs, "BAD_USER_INPUT", `["organization","spaces"]`)
	errs = h.post(t, `query($c: String) { integrations(after: $c) { totalCount } }`, nil, client.Var("c", first.Organizations.PageInfo.EndCursor))
	one(t, errs, "BAD_USER_INPUT", `["integrations"]`)
	h.calls(t, map[string]int{"getOrganizationById": 1})
}

func TestInstallationIsRefetchableByItsKey(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct {
		Fetch__IntegrationInstallation struct {
			ID, Key     string
			Integration struct{ Name string }
		}
	}
	h.must(t, `{ fetch__IntegrationInstallation(id: "slack/inst-acme-slack") { id key integration { name } } }`, &got)
	if g := got.Fetch__IntegrationInstallation; g.ID != "inst-acme-slack" || g.Key != "slack/inst-acme-slack" || g.Integration.Name != "slack" {
		t.Fatalf("fetched %+v", g)
	}
	h.sim.ResetStats()
	for _, bad := range []string{"inst-acme-slack", "slack/", "/inst", "sl ack/inst", "slack/in/st"} {
		errs := h.post(t, `query($k: ID!) { fetch__IntegrationInstallation(id: $k) { id } }`, nil, client.Var("k", bad))
		one(t, errs, "BAD_USER_INPUT", `["fetch__IntegrationInstallation"]`)
	}
	errs := h.post(t, `{ installation(integration: "slack", id: "no-such-installation") { id } }`, nil)
	one(t, errs, "NOT_FOUND", `["installation"]`)
	h.calls(t, map[string]int{"getIntegrationInstallationById": 1})
}

func TestAnUnknownInstallationStatusFailsOnlyItself(t *testing.T) {
	data := gitbooksim.DemoData()
	for i := range data.Installations {
		if data.Installations[i].ID == "inst-acme-slack" {
			data.Installations[i].Status = "frozen" // a status a newer GitBook may send
		}
	}
	h := newHarness(t, setup{sim: gitbooksim.Options{Data: data}})
	var got struct {
		Organization struct {
			Installations struct {
				Nodes []struct {
					ID     string
					Status *string
				}
			}
		}
	}
	errs := h.post(t, `{ organization(id: "acme") { installations(search: "slack") { nodes { id status } } } }`, &got)
	e := one(t, errs, "UPSTREAM_BAD_RESPONSE", `["organization","installations","nodes",0,"status"]`)
	if !strings.Contains(e.Message, "frozen") {
		t.Errorf("the error does not name the value: %s", e.Message)
	}
	if n := got.Organization.Installations.Nodes; len(n) != 1 || n[0].ID != "inst-acme-slack" || n[0].Status != nil {
		t.Errorf("installations = %+v, want slack's with a null status", n)
	}
}
