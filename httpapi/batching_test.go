package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

const thirtySpacesQuery = `query($ids: [ID!]!) {
  spaces(ids: $ids) {
    id
    title
    organization { id title }
    integrations { totalCount nodes { name owner { id title } blocks { id title } } }
  }
}`

type thirtySpacesAnswer struct {
	Spaces []struct {
		ID           string
		Title        string
		Organization struct{ ID, Title string }
		Integrations struct {
			TotalCount int
			Nodes      []struct {
				Name   string
				Owner  struct{ ID, Title string }
				Blocks []struct{ ID, Title string }
			}
		}
	}
}

// The point of the design: 30 spaces with their organization, integrations,
// owners and blocks cost one call per distinct resource, owners and blocks
// none, in two dependent round trips of concurrent calls.
func TestThirtySpacesCostOneCallPerDistinctResource(t *testing.T) {
	data, ids := manySpaces(30)
	// Round trips are told apart by time: the latency is long enough that
	// a loaded machine still sends a level's calls before the first of
	// them comes back.
	f := newFacade(t, setup{sim: gitbooksim.Options{Data: data, Latency: 250 * time.Millisecond}})

	var got thirtySpacesAnswer
	f.do(t, thirtySpacesQuery, variables(map[string]any{"ids": ids})).decode(t, &got)

	if len(got.Spaces) != 30 {
		t.Fatalf("got %d spaces, want 30", len(got.Spaces))
	}
	orgTitles := map[string]string{}
	for _, o := range data.Organizations {
		orgTitles[o.ID] = o.Title
	}
	for i, s := range got.Spaces {
		want := data.Spaces[i]
		if s.ID != want.ID || s.Organization.ID != want.Organization || s.Organization.Title != orgTitles[want.Organization] {
			t.Errorf("spaces[%d] = %s in %+v, want %s in %s", i, s.ID, s.Organization, want.ID, want.Organization)
		}
		if s.Integrations.TotalCount != 5 || len(s.Integrations.Nodes) != 5 {
			t.Errorf("spaces[%d] has %d/%d integrations, want 5", i, len(s.Integrations.Nodes), s.Integrations.TotalCount)
		}
		for _, n := range s.Integrations.Nodes {
			if n.Owner.ID == "" || n.Owner.Title != orgTitles[n.Owner.ID] {
				t.Errorf("integration %s: owner %+v", n.Name, n.Owner)
			}
		}
	}

	for path, n := range f.sim.PathCounts() {
		if n != 1 {
			t.Errorf("%s called %d times, want once", path, n)
		}
	}
	if n := f.sim.CallCount("getSpaceById"); n != 30 {
		t.Errorf("getSpaceById: %d calls, want 30", n)
	}
	if n := f.sim.CallCount("listSpaceIntegrations"); n != 30 {
		t.Errorf("listSpaceIntegrations: %d calls, want 30", n)
	}
	// Three organizations own the spaces; owners came embedded and cost nothing.
	if n := f.sim.CallCount("getOrganizationById"); n > 3 {
		t.Errorf("getOrganizationById: %d calls, want at most 3", n)
	}
	if n := f.sim.PathCounts()["GET /v1/orgs/gitbook"]; n != 0 {
		t.Errorf("the owner of public integrations was fetched %d times; it comes embedded", n)
	}
	if n := f.sim.CallCount("getIntegrationByName"); n != 0 {
		t.Errorf("getIntegrationByName: %d calls, want 0", n)
	}
	if peak := f.sim.PeakInFlight(); peak < 30 {
		t.Errorf("at most %d calls were in flight together; a level's 30 calls should be", peak)
	}
	if trips := f.sim.RoundTrips(); trips != 2 {
		t.Errorf("the query took %d dependent round trips, want 2 (spaces, then organizations and integrations)", trips)
	}
}

func TestRepeatedIDsAndAliasesCostNothingMore(t *testing.T) {
	f := newFacade(t, setup{})
	var got struct {
		A, B   struct{ Title string }
		C      struct{ Organization struct{ Title string } }
		Spaces []struct{ ID string }
		Org    struct{ Title string }
	}
	f.do(t, `{
	  a: space(id: "acme-handbook") { title }
	  b: space(id: "acme-handbook") { title }
	  c: space(id: "acme-changelog") { organization { title } }
	  spaces(ids: ["acme-handbook", "acme-changelog", "acme-handbook"]) { id }
	  org: organization(id: "acme") { title }
	}`).decode(t, &got)

	if got.A.Title != "Employee Handbook" || got.B.Title != got.A.Title || got.C.Organization.Title != "Acme Inc." || got.Org.Title != "Acme Inc." {
		t.Errorf("answer: %+v", got)
	}
	if ids := []string{got.Spaces[0].ID, got.Spaces[1].ID, got.Spaces[2].ID}; strings.Join(ids, ",") != "acme-handbook,acme-changelog,acme-handbook" {
		t.Errorf("spaces in order: %v", ids)
	}
	if n := f.sim.CallCount("getSpaceById"); n != 2 {
		t.Errorf("getSpaceById: %d calls, want 2", n)
	}
	if n := f.sim.CallCount("getOrganizationById"); n != 1 {
		t.Errorf("getOrganizationById: %d calls, want 1", n)
	}
}

// Blocks of a space name their integration; they come from the space's list
// of integrations, or by name, whichever costs fewer calls, and no
// integration is fetched twice either way.
func TestIntegrationBlocksResolveIntegrationsOncePerName(t *testing.T) {
	f := newFacade(t, setup{})
	var got struct {
		A, B struct {
			IntegrationBlocks []struct {
				Name        string
				Integration struct{ Name, Title string }
				Blocks      []struct{ ID string }
			}
		}
	}
	f.do(t, `{
	  a: space(id: "acme-api-reference") { integrationBlocks { name integration { name title } blocks { id } } }
	  b: space(id: "acme-design-system") { integrationBlocks { name integration { name title } blocks { id } } }
	}`).decode(t, &got)

	names := func(list []struct {
		Name        string
		Integration struct{ Name, Title string }
		Blocks      []struct{ ID string }
	}) string {
		var out []string
		for _, b := range list {
			if b.Integration.Name != b.Name || len(b.Blocks) == 0 {
				t.Errorf("block set %q: integration %+v, %d blocks", b.Name, b.Integration, len(b.Blocks))
			}
			out = append(out, b.Name)
		}
		return strings.Join(out, ",")
	}
	if got := names(got.A.IntegrationBlocks); got != "github-files,mermaid" {
		t.Errorf("acme-api-reference blocks: %s", got)
	}
	if got := names(got.B.IntegrationBlocks); got != "figma,mermaid" {
		t.Errorf("acme-design-system blocks: %s", got)
	}
	// mermaid is in both spaces: fetched once.
	for path, n := range f.sim.PathCounts() {
		if n != 1 {
			t.Errorf("%s called %d times, want once", path, n)
		}
	}
	// Each space's blocks name two integrations, enabled on it: one page of
	// its list is fewer calls than two by name. Whichever space's list comes
	// first may leave the other one name (figma or github-files) to fetch.
	byName, lists := f.sim.CallCount("getIntegrationByName"), f.sim.CallCount("listSpaceIntegrations")
	if byName+lists != 2 || lists == 0 {
		t.Errorf("getIntegrationByName: %d calls, listSpaceIntegrations: %d; want 2 in all, by list (3 by name)", byName, lists)
	}
}

// A space's lists need only its ID: they go out with the space, not after it.
func TestSpaceListsGoOutWithTheSpace(t *testing.T) {
	f := newFacade(t, setup{sim: gitbooksim.Options{Latency: 50 * time.Millisecond}})
	var got struct {
		Space struct {
			Title             string
			Integrations      connection
			IntegrationBlocks []struct{ Name string }
		}
	}
	f.do(t, `query($first: Int) { space(id: "acme-api-reference") {
	  title
	  integrations(first: $first) { totalCount nodes { name owner { title } } }
	  integrationBlocks { name blocks { id } }
	} }`, variables(map[string]any{"first": 2})).decode(t, &got)
	if got.Space.Title != "API Reference" || len(got.Space.Integrations.Nodes) != 2 || len(got.Space.IntegrationBlocks) != 2 {
		t.Errorf("answer: %+v", got)
	}
	for path, n := range f.sim.PathCounts() {
		if n != 1 {
			t.Errorf("%s called %d times, want once", path, n)
		}
	}
	if n := f.sim.CallCount(""); n != 3 {
		t.Errorf("%d calls, want 3 (space, integrations, blocks)", n)
	}
	if trips := f.sim.RoundTrips(); trips != 1 {
		t.Errorf("%d dependent round trips, want 1", trips)
	}
}

// When a query lists a space's integrations and its blocks, the blocks'
// integrations come from the list, even when the list answers last.
func TestBlocksIntegrationsComeFromTheSpaceList(t *testing.T) {
	slowList := func(c gitbooksim.Call) *gitbooksim.Fault {
		if c.Op == "listSpaceIntegrations" {
			return &gitbooksim.Fault{Delay: 100 * time.Millisecond}
		}
		return nil
	}
	f := newFacade(t, setup{sim: gitbooksim.Options{Fault: slowList, Latency: 50 * time.Millisecond}})
	var got struct {
		Space struct {
			Integrations      connection
			IntegrationBlocks []struct {
				Name        string
				Integration struct{ Title string }
			}
		}
	}
	f.do(t, `{ space(id: "acme-developer-portal") {
	  integrations { nodes { name } }
	  integrationBlocks { name integration { title } }
	} }`).decode(t, &got)
	if len(got.Space.IntegrationBlocks) == 0 {
		t.Fatal("no blocks")
	}
	for _, b := range got.Space.IntegrationBlocks {
		if b.Integration.Title == "" {
			t.Errorf("blocks of %s: no integration", b.Name)
		}
	}
	if n := f.sim.CallCount("getIntegrationByName"); n != 0 {
		t.Errorf("getIntegrationByName: %d calls, want 0", n)
	}
	if trips := f.sim.RoundTrips(); trips != 1 {
		t.Errorf("%d dependent round trips, want 1", trips)
	}
}
