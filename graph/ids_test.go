package graph_test

import (
	"testing"
)

// Every id is unique within its type, so that clients' caches that key by
// __typename and id keep objects apart: an integration's id is its name,
// and a block's is its integration's name and GitBook's own block id,
// which GitBook keeps unique only within the integration (Figma's and
// Jira's are both `embed`). GitBook's block id stays reachable as blockId.
func TestIdsAreUniqueWithinTheirType(t *testing.T) {
	h := newHarness(t, setup{})
	type block struct{ ID, BlockID, Title string }
	var got struct {
		Jira, Figma struct {
			ID     string
			Blocks []block
		}
		Entities []struct {
			ID, Name string
		} `json:"_entities"`
	}
	h.must(t, `{
	  jira: integration(name: "jira") { id blocks { id blockId title } }
	  figma: integration(name: "figma") { id blocks { id blockId title } }
	  _entities(representations: [{__typename: "Integration", name: "jira"}]) { ... on Integration { id name } }
	}`, &got)
	if got.Jira.ID != "jira" || got.Figma.ID != "figma" {
		t.Errorf("integration ids %q, %q", got.Jira.ID, got.Figma.ID)
	}
	if len(got.Jira.Blocks) != 1 || got.Jira.Blocks[0] != (block{"jira/embed", "embed", "Jira issue"}) {
		t.Errorf("jira's blocks %+v", got.Jira.Blocks)
	}
	if len(got.Figma.Blocks) != 1 || got.Figma.Blocks[0] != (block{"figma/embed", "embed", "Figma"}) {
		t.Errorf("figma's blocks %+v", got.Figma.Blocks)
	}
	// A key-only representation answers its id from the key, with no call.
	if len(got.Entities) != 1 || got.Entities[0].ID != "jira" || got.Entities[0].Name != "jira" {
		t.Errorf("_entities %+v", got.Entities)
	}
	h.calls(t, map[string]int{"getIntegrationByName": 2})
}

// Relay refetches a @fetchable type by Query.fetch__<Type>(id:): each
// answers as the field it stands for, through the same loaders.
func TestRelaysFetchFieldsAnswerAsTheirFields(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct {
		Space, FetchSpace               struct{ ID, Title string }
		Organization, FetchOrganization struct{ ID, Title string }
		Integration, FetchIntegration   struct{ ID, Title string }
	}
	h.must(t, `{
	  space(id: "acme-handbook") { id title } fetchSpace: fetch__Space(id: "acme-handbook") { id title }
	  organization(id: "acme") { id title } fetchOrganization: fetch__Organization(id: "acme") { id title }
	  integration(name: "slack") { id title } fetchIntegration: fetch__Integration(id: "slack") { id title }
	}`, &got)
	if got.Space.Title == "" || got.FetchSpace != got.Space || got.FetchOrganization != got.Organization || got.FetchIntegration != got.Integration {
		t.Errorf("%+v", got)
	}
	h.calls(t, map[string]int{"getSpaceById": 1, "getOrganizationById": 1, "getIntegrationByName": 1})
	errs := h.post(t, `{ fetch__Space(id: "not an id!") { id } }`, nil)
	one(t, errs, "BAD_USER_INPUT", `["fetch__Space"]`)
}
