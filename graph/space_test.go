package graph_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/graph"
)

type spaceAnswer struct {
	ID           string
	Title        string
	Organization *struct{ ID, Title string }
}

func TestSpaceByIDWithItsOrganization(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct{ Space *spaceAnswer }
	h.must(t, `query($id: ID!) { space(id: $id) { id title organization { id title } } }`, &got, client.Var("id", "acme-handbook"))
	s := got.Space
	if s == nil || s.ID != "acme-handbook" || s.Title != "Employee Handbook" || s.Organization == nil || s.Organization.Title != "Acme Inc." {
		t.Fatalf("space = %+v", s)
	}
	// The space's lists are not selected, so none goes out with it.
	h.calls(t, map[string]int{"getSpaceById": 1, "getOrganizationById": 1})
}

// A space's organization is often the owner of one of its integrations: a
// page of them sent with the space embeds it, so it costs no call of its
// own. The latency keeps the page on its way while the space answers.
func TestSpaceOrganizationComesWithItsIntegrations(t *testing.T) {
	h := newHarness(t, setup{sim: gitbooksim.Options{Latency: 50 * time.Millisecond}})
	var got struct {
		Space struct {
			Organization struct{ ID, Title string }
			Integrations struct{ Nodes []integrationName }
		}
	}
	h.must(t, `{ space(id: "acme-developer-portal") { organization { id title } integrations { nodes { name } } } }`, &got)
	if o := got.Space.Organization; o.ID != "acme" || o.Title != "Acme Inc." {
		t.Errorf("organization = %+v", o)
	}
	if names := named(got.Space.Integrations.Nodes); !slices.Equal(names, enabledOn(t, "acme-developer-portal")) {
		t.Errorf("integrations = %v", names)
	}
	h.calls(t, map[string]int{"getSpaceById": 1, "listSpaceIntegrations": 1})
}

func TestSpaceRefusesABadIDBeforeAnyCall(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct{ Space *spaceAnswer }
	for _, id := range []string{"", "../orgs/acme", "has space"} {
		errs := h.post(t, `query($id: ID!) { space(id: $id) { id } }`, &got, client.Var("id", id))
		if e := one(t, errs, "BAD_USER_INPUT", `["space"]`); got.Space != nil || e.Message == "" {
			t.Errorf("id %q: space %+v, error %+v", id, got.Space, e)
		}
	}
	h.calls(t, nil)
}

func TestSpaceNotFoundIsNull(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct{ Space *spaceAnswer }
	errs := h.post(t, `{ space(id: "no-such-space") { id title } }`, &got)
	e := one(t, errs, "NOT_FOUND", `["space"]`)
	if got.Space != nil || e.Extensions["upstreamStatus"] != 404.0 {
		t.Errorf("space %+v, error %+v", got.Space, e)
	}
	h.calls(t, map[string]int{"getSpaceById": 1})
}

// spaces(ids:) answers one entry per id, in order: an id that is refused or
// not found is null at its index with its own error, and its siblings
// answer. A repeated id costs no second call; a refused one, no call.
func TestSpacesAnswerAtEachIndex(t *testing.T) {
	h := newHarness(t, setup{})
	ids := []string{"acme-handbook", "no-such-space", "not an id!", "acme-changelog", "acme-handbook"}
	var got struct{ Spaces []*spaceAnswer }
	errs := h.post(t, `query($ids: [ID!]!) { spaces(ids: $ids) { id title } }`, &got, client.Var("ids", ids))
	if want := map[string]string{`["spaces",1]`: "NOT_FOUND", `["spaces",2]`: "BAD_USER_INPUT"}; !maps.Equal(byPath(t, errs), want) {
		t.Errorf("errors %+v, want %v", errs, want)
	}
	if len(got.Spaces) != len(ids) {
		t.Fatalf("%d entries for %d ids", len(got.Spaces), len(ids))
	}
	for i, s := range got.Spaces {
		if (s == nil) != (i == 1 || i == 2) || s != nil && s.ID != ids[i] {
			t.Errorf("spaces[%d] = %+v", i, s)
		}
	}
	for _, e := range errs {
		if e.at() == `["spaces",2]` && !strings.HasPrefix(e.Message, "argument ids: ") {
			t.Errorf("the refused id's message %q does not name its argument", e.Message)
		}
	}
	if got.Spaces[3].Title != "Changelog" {
		t.Errorf("spaces[3] = %+v", got.Spaces[3])
	}
	h.calls(t, map[string]int{"getSpaceById": 3})
}

// spaces(ids:) takes at most graph.MaxSpaceIDs ids, so that a gateway's
// estimate (@listSize(assumedSize: 50): it cannot count them) holds: one
// more is refused at the argument, before any call.
func TestSpacesTakeAtMostFiftyIDs(t *testing.T) {
	h := newHarness(t, setup{})
	ids := make([]string, graph.MaxSpaceIDs+1)
	for i := range ids {
		ids[i] = "acme-handbook"
	}
	var got struct{ Spaces []*spaceAnswer }
	errs := h.post(t, `query($ids: [ID!]!) { spaces(ids: $ids) { id } }`, &got, client.Var("ids", ids))
	e := one(t, errs, "BAD_USER_INPUT", `["spaces"]`)
	if e.Message != "argument ids: at most 50 ids, got 51" {
		t.Errorf("message %q", e.Message)
	}
	h.calls(t, nil)

	errs = h.post(t, `query($ids: [ID!]!) { spaces(ids: $ids) { id } }`, &got, client.Var("ids", ids[:graph.MaxSpaceIDs]))
	if len(errs) != 0 || len(got.Spaces) != graph.MaxSpaceIDs {
		t.Errorf("%d entries, errors %+v", len(got.Spaces), errs)
	}
	h.calls(t, map[string]int{"getSpaceById": 1})
}

func TestSpacesOfNoIDsCostNothing(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct{ Spaces []*spaceAnswer }
	h.must(t, `{ spaces(ids: []) { id } }`, &got)
	if got.Spaces == nil || len(got.Spaces) != 0 {
		t.Errorf("spaces = %+v, want an empty list", got.Spaces)
	}
	h.calls(t, nil)
}

func TestOrganizationAndIntegrationByKey(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct {
		Organization *struct{ ID, Title, Plan string }
		Integration  *struct {
			Name, Title string
			Owner       struct{ ID, Title string }
		}
	}
	h.must(t, `{ organization(id: "acme") { id title plan } integration(name: "slack") { name title owner { id title } } }`, &got)
	if o := got.Organization; o == nil || o.Title != "Acme Inc." || o.Plan != "pro_2024" {
		t.Errorf("organization = %+v", o)
	}
	// The integration embeds its owner: no call for it.
	if in := got.Integration; in == nil || in.Title != "Slack" || in.Owner.ID != "gitbook" || in.Owner.Title != "GitBook" {
		t.Errorf("integration = %+v", in)
	}
	h.calls(t, map[string]int{"getOrganizationById": 1, "getIntegrationByName": 1})
}

func TestOrganizationAndIntegrationRefuseBadKeys(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct {
		Organization *struct{ ID string }
		Integration  *struct{ Name string }
	}
	errs := h.post(t, `{ organization(id: "a/b") { id } integration(name: "..") { name } }`, &got)
	if want := map[string]string{`["organization"]`: "BAD_USER_INPUT", `["integration"]`: "BAD_USER_INPUT"}; !maps.Equal(byPath(t, errs), want) {
		t.Errorf("errors %+v, want %v", errs, want)
	}
	if got.Organization != nil || got.Integration != nil {
		t.Errorf("answer %+v", got)
	}
	h.calls(t, nil)
}
