package graph_test

import (
	"slices"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

// A space's lists (a page of its integrations, its blocks) need only its
// ID: they go out beside the space, as its selection asks for them, and the
// blocks' integrations are read from the page on its way.

// withBlocks is the integrations enabled on a space that provide blocks,
// in the upstream's order.
func withBlocks(t *testing.T, spaceID string) []string {
	t.Helper()
	var out []string
	for _, name := range enabledOn(t, spaceID) {
		for _, in := range gitbooksim.DemoData().Integrations {
			if in.Name == name && len(in.Blocks) > 0 {
				out = append(out, name)
			}
		}
	}
	return out
}

type blocksAnswer struct {
	Name        string
	Blocks      []struct{ ID string }
	Integration *struct{ Name, Title string }
}

func blockNames(t *testing.T, blocks []blocksAnswer) []string {
	t.Helper()
	out := make([]string, len(blocks))
	for i, b := range blocks {
		out[i] = b.Name
		if len(b.Blocks) == 0 || b.Integration != nil && b.Integration.Name != b.Name {
			t.Errorf("blocks of %s: %+v", b.Name, b)
		}
	}
	return out
}

// Many blocks' integrations cost one page of the space's list rather than
// a call each; a single one costs a call by name rather than a page.
func TestBlockIntegrationsCostTheFewestCalls(t *testing.T) {
	for _, c := range []struct {
		space string
		calls map[string]int
	}{
		{portal, map[string]int{"getSpaceById": 1, "listSpaceIntegrationsBlocks": 1, "listSpaceIntegrations": 1}},
		{"acme-handbook", map[string]int{"getSpaceById": 1, "listSpaceIntegrationsBlocks": 1, "getIntegrationByName": 1}},
	} {
		t.Run(c.space, func(t *testing.T) {
			h := newHarness(t, setup{})
			var got struct {
				Space struct{ IntegrationBlocks []blocksAnswer }
			}
			h.must(t, `query($id: ID!) { space(id: $id) { integrationBlocks { name blocks { id } integration { name title } } } }`,
				&got, client.Var("id", c.space))
			want := withBlocks(t, c.space)
			if names := blockNames(t, got.Space.IntegrationBlocks); !slices.Equal(names, want) {
				t.Errorf("blocks of %v, want %v", names, want)
			}
			for _, b := range got.Space.IntegrationBlocks {
				if b.Integration == nil || b.Integration.Title == "" {
					t.Errorf("%s: integration %+v", b.Name, b.Integration)
				}
			}
			h.calls(t, c.calls)
		})
	}
}

func TestBlocksAloneCostNoIntegrationCall(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct {
		Space struct{ IntegrationBlocks []blocksAnswer }
	}
	h.must(t, `{ space(id: "`+portal+`") { integrationBlocks { name blocks { id } } } }`, &got)
	if names := blockNames(t, got.Space.IntegrationBlocks); !slices.Equal(names, withBlocks(t, portal)) {
		t.Errorf("blocks of %v", names)
	}
	h.calls(t, map[string]int{"getSpaceById": 1, "listSpaceIntegrationsBlocks": 1})
}

// The space, its page of integrations and its blocks go out together: one
// round trip, and the blocks' integrations come from the page the
// connection reads.
func TestASpacesListsGoOutWithTheSpace(t *testing.T) {
	h := newHarness(t, setup{sim: gitbooksim.Options{Latency: 50 * time.Millisecond}})
	var got struct {
		Space struct {
			Title             string
			Integrations      struct{ TotalCount int }
			IntegrationBlocks []blocksAnswer
		}
	}
	h.must(t, `{ space(id: "`+portal+`") { title integrations { totalCount } integrationBlocks { name blocks { id } integration { name title } } } }`, &got)
	if got.Space.Title != "Developer Portal" || got.Space.Integrations.TotalCount != len(enabledOn(t, portal)) {
		t.Errorf("space %+v", got.Space)
	}
	if names := blockNames(t, got.Space.IntegrationBlocks); !slices.Equal(names, withBlocks(t, portal)) {
		t.Errorf("blocks of %v", names)
	}
	h.calls(t, map[string]int{"getSpaceById": 1, "listSpaceIntegrationsBlocks": 1, "listSpaceIntegrations": 1})
	if trips := h.sim.RoundTrips(); trips != 1 {
		t.Errorf("%d dependent round trips, want 1", trips)
	}
}

// The page sent ahead is the page the connection reads, from its
// arguments (variables too) and its cursor: spaces(ids:) and _entities
// send theirs with their spaces, and none is read twice.
func TestThePageSentAheadIsThePageRead(t *testing.T) {
	h := newHarness(t, setup{sim: gitbooksim.Options{Latency: 50 * time.Millisecond}})
	const query = `query($ids: [ID!]!, $first: Int, $after: String) { spaces(ids: $ids) {
	  id integrations(first: $first, after: $after) { nodes { name } pageInfo { endCursor } } } }`
	var got struct {
		Spaces []struct {
			ID           string
			Integrations connection
		}
	}
	h.must(t, query, &got, client.Var("ids", []string{portal, "acme-handbook"}), client.Var("first", 2))
	if len(got.Spaces) != 2 || len(got.Spaces[0].Integrations.Nodes) != 2 || len(got.Spaces[1].Integrations.Nodes) != 2 {
		t.Fatalf("answer %+v", got.Spaces)
	}
	h.calls(t, map[string]int{"getSpaceById": 2, "listSpaceIntegrations": 2})
	if trips := h.sim.RoundTrips(); trips != 1 {
		t.Errorf("%d dependent round trips, want 1", trips)
	}

	h.sim.ResetStats()
	after := *got.Spaces[0].Integrations.PageInfo.EndCursor
	h.must(t, query, &got, client.Var("ids", []string{portal}), client.Var("first", 2), client.Var("after", after))
	if names := named(got.Spaces[0].Integrations.Nodes); !slices.Equal(names, enabledOn(t, portal)[2:4]) {
		t.Errorf("after the cursor: %v", names)
	}
	h.calls(t, map[string]int{"getSpaceById": 1, "listSpaceIntegrations": 1})

	h.sim.ResetStats()
	var entities struct {
		Entities []struct {
			Title        string
			Integrations struct{ TotalCount int }
		} `json:"_entities"`
	}
	h.must(t, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Space { title integrations { totalCount } } } }`,
		&entities, client.Var("r", []map[string]any{rep("Space", "id", "acme-handbook")}))
	if len(entities.Entities) != 1 || entities.Entities[0].Title != "Employee Handbook" {
		t.Errorf("entities %+v", entities.Entities)
	}
	h.calls(t, map[string]int{"getSpaceById": 1, "listSpaceIntegrations": 1})
	if trips := h.sim.RoundTrips(); trips != 1 {
		t.Errorf("_entities: %d dependent round trips, want 1", trips)
	}
}
