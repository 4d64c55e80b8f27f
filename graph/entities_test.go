package graph_test

import (
	"fmt"
	"maps"
	"testing"

	"github.com/99designs/gqlgen/client"
)

type entityAnswer struct {
	Typename     string `json:"__typename"`
	ID, Name     string
	Title        string
	Organization *struct{ Title string }
	Integrations *struct{ TotalCount int }
}

type entitiesAnswer struct {
	Entities []*entityAnswer `json:"_entities"`
}

// entityAt is the path of the i-th entity.
func entityAt(i int) string { return fmt.Sprintf(`["_entities",%d]`, i) }

func rep(typename, key, value string) map[string]any {
	return map[string]any{"__typename": typename, key: value}
}

// Every entity type resolves through the loaders: a key asked for twice
// costs one call, one that is not found is null at its index, and the
// others answer.
func TestEntitiesOfEachType(t *testing.T) {
	h := newHarness(t, setup{})
	reps := []map[string]any{
		rep("Space", "id", "acme-handbook"),
		rep("Organization", "id", "acme"),
		rep("Integration", "name", "slack"),
		rep("Space", "id", "no-such-space"),
		rep("Space", "id", "acme-handbook"),
		rep("Integration", "name", "jira"),
	}
	var got entitiesAnswer
	errs := h.post(t, `query($r: [_Any!]!) { _entities(representations: $r) {
	  __typename
	  ... on Space { id title organization { title } }
	  ... on Organization { id title }
	  ... on Integration { name title }
	} }`, &got, client.Var("r", reps))
	one(t, errs, "NOT_FOUND", `["_entities",3]`)
	if len(got.Entities) != len(reps) || got.Entities[3] != nil {
		t.Fatalf("%d entities for %d representations: %+v", len(got.Entities), len(reps), got.Entities)
	}
	want := []entityAnswer{
		{Typename: "Space", ID: "acme-handbook", Title: "Employee Handbook"},
		{Typename: "Organization", ID: "acme", Title: "Acme Inc."},
		{Typename: "Integration", Name: "slack", Title: "Slack"},
		{},
		{Typename: "Space", ID: "acme-handbook", Title: "Employee Handbook"},
		{Typename: "Integration", Name: "jira", Title: "Jira"},
	}
	for i, e := range got.Entities {
		if i == 3 {
			continue
		}
		if e.Typename != want[i].Typename || e.ID != want[i].ID || e.Name != want[i].Name || e.Title != want[i].Title {
			t.Errorf("_entities[%d] = %+v, want %+v", i, e, want[i])
		}
	}
	if o := got.Entities[0].Organization; o == nil || o.Title != "Acme Inc." {
		t.Errorf("the space's organization: %+v", o)
	}
	h.calls(t, map[string]int{"getSpaceById": 2, "getOrganizationById": 1, "getIntegrationByName": 2})
}

// A selection of an entity's key alone, and of fields resolved from the key
// alone (a space's lists), costs no call for the entity itself.
func TestEntityKeysAloneCostNoCall(t *testing.T) {
	h := newHarness(t, setup{})
	reps := []map[string]any{
		rep("Space", "id", "acme-handbook"),
		rep("Organization", "id", "no-such-organization"),
		rep("Integration", "name", "no-such-integration"),
	}
	var got entitiesAnswer
	h.must(t, `query($r: [_Any!]!) { _entities(representations: $r) {
	  __typename ... on Space { id } ... on Organization { id } ... on Integration { name }
	} }`, &got, client.Var("r", reps))
	if len(got.Entities) != 3 || got.Entities[0].ID != "acme-handbook" || got.Entities[1].ID != "no-such-organization" ||
		got.Entities[2].Name != "no-such-integration" || got.Entities[2].Typename != "Integration" {
		t.Errorf("entities %+v", got.Entities)
	}
	h.calls(t, nil)

	h.must(t, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Space { id integrations { totalCount } } } }`,
		&got, client.Var("r", reps[:1]))
	if in := got.Entities[0].Integrations; in == nil || in.TotalCount != len(enabledOn(t, "acme-handbook")) {
		t.Errorf("the space's integrations: %+v", in)
	}
	h.calls(t, map[string]int{"listSpaceIntegrations": 1})
}

// Representations the federation runtime cannot read, and keys the spec's
// pattern refuses, are the caller's mistake: BAD_USER_INPUT at each one's
// index and null there; the others, of the same type too, answer.
func TestMalformedRepresentationsAreRefusedAtTheirIndex(t *testing.T) {
	h := newHarness(t, setup{})
	reps := []any{
		rep("Space", "id", "acme-changelog"),
		map[string]any{"id": "acme-handbook"},                  // no __typename
		map[string]any{"__typename": "Space"},                  // no key
		map[string]any{"__typename": "Space", "id": 7},         // a key not text
		rep("Nope", "id", "x"),                                 // not an entity type
		rep("Space", "id", "not an id!"),                       // a key the pattern refuses
		rep("Integration", "name", "a.b"),                      // a name the pattern refuses
		map[string]any{"__typename": "Organization", "id": ""}, // an empty key
		rep("Integration", "name", "slack"),
	}
	var got struct {
		Entities []*struct{ ID, Title string } `json:"_entities"`
	}
	errs := h.post(t, `query($r: [_Any!]!) { _entities(representations: $r) {
	  ... on Space { id title } ... on Integration { title } ... on Organization { id title }
	} }`, &got, client.Var("r", reps))
	want := map[string]string{}
	for i := 1; i < len(reps)-1; i++ {
		want[entityAt(i)] = "BAD_USER_INPUT"
	}
	if !maps.Equal(byPath(t, errs), want) {
		t.Errorf("errors %+v\nwant at %v", errs, want)
	}
	if len(got.Entities) != len(reps) {
		t.Fatalf("%d entities for %d representations", len(got.Entities), len(reps))
	}
	for i, e := range got.Entities {
		if (e == nil) != (want[entityAt(i)] != "") {
			t.Errorf("_entities[%d] = %+v", i, e)
		}
	}
	if got.Entities[0].Title != "Changelog" || got.Entities[len(reps)-1].Title != "Slack" {
		t.Errorf("the valid ones: %+v, %+v", got.Entities[0], got.Entities[len(reps)-1])
	}
	h.calls(t, map[string]int{"getSpaceById": 1, "getIntegrationByName": 1})
}

// The check is put on operations that name _entities, however they reach
// it: here through a fragment, under an alias, beside another root field.
func TestRepresentationsAreCheckedThroughAFragment(t *testing.T) {
	h := newHarness(t, setup{})
	reps := []any{rep("Space", "id", "acme-changelog"), map[string]any{"id": "acme-handbook"}}
	var got struct {
		Found []*struct{ ID, Title string }
	}
	errs := h.post(t, `query($r: [_Any!]!) { ...F  __typename }
	fragment F on Query { found: _entities(representations: $r) { ... on Space { id title } } }`, &got, client.Var("r", reps))
	if want := map[string]string{`["found",1]`: "BAD_USER_INPUT"}; !maps.Equal(byPath(t, errs), want) {
		t.Errorf("errors %+v, want %v", errs, want)
	}
	if len(got.Found) != 2 || got.Found[0] == nil || got.Found[0].Title != "Changelog" || got.Found[1] != nil {
		t.Errorf("found %+v", got.Found)
	}
	h.calls(t, map[string]int{"getSpaceById": 1})
}
