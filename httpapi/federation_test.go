package httpapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
)

func TestSubgraphSDLIsFederation2(t *testing.T) {
	f := newFacade(t, setup{})
	var got struct {
		Service struct{ SDL string } `json:"_service"`
	}
	f.do(t, `{ _service { sdl } }`, bearer("")).decode(t, &got)
	sdl := got.Service.SDL
	for _, want := range []string{
		`extend schema`,
		`@link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])`,
		// Demand control, for gateways: the spec's definitions, which
		// composition checks the imports against, and their uses.
		`directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR`,
		`directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION`,
		`space(id: ID!): Space @cost(weight: 1)`,
		`type Space @key(fields: "id")`,
		`type Organization @key(fields: "id")`,
		`type Integration @key(fields: "name")`,
		`type IntegrationInstallation @key(fields: "key")`,
	} {
		if !strings.Contains(sdl, want) {
			t.Errorf("the SDL lacks %s", want)
		}
	}
	for _, unwanted := range []string{"@entityResolver", "@goField", "@goModel"} {
		if strings.Contains(sdl, unwanted) {
			t.Errorf("the SDL shows gqlgen's %s", unwanted)
		}
	}
	if n := f.sim.CallCount(""); n != 0 {
		t.Errorf("%d upstream calls for the SDL", n)
	}
}

type entity struct {
	Typename     string `json:"__typename"`
	ID, Name     string
	Title        string
	Organization *struct{ Title string }
	Integrations *connection
}

const entitiesQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
  __typename
  ... on Space { id title organization { title } }
  ... on Organization { id title }
  ... on Integration { name title }
} }`

// 50 representations, 30 of them distinct spaces, cost one call per
// distinct space, sent together; one that does not exist is null at its
// index with NOT_FOUND, and the others answer.
func TestEntitiesResolveThroughTheLoaders(t *testing.T) {
	data, ids := manySpaces(30)
	f := newFacade(t, setup{sim: gitbooksim.Options{Data: data, Latency: 100 * time.Millisecond}})
	var reps []map[string]any
	for i := range 50 {
		reps = append(reps, map[string]any{"__typename": "Space", "id": ids[i%30]})
	}
	reps[17] = map[string]any{"__typename": "Space", "id": "no-such-space"}
	reps = append(reps, map[string]any{"__typename": "Organization", "id": "acme"}, map[string]any{"__typename": "Integration", "name": "slack"})

	r := f.do(t, entitiesQuery, variables(map[string]any{"r": reps}))
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "NOT_FOUND" || fmt.Sprint(r.Errors[0].Path) != "[_entities 17]" {
		t.Fatalf("errors: %+v", r.Errors)
	}
	var got struct {
		Entities []*entity `json:"_entities"`
	}
	r.Errors = nil
	r.decode(t, &got)
	if len(got.Entities) != 52 || got.Entities[17] != nil {
		t.Fatalf("%d entities, [17] = %+v", len(got.Entities), got.Entities[17])
	}
	for i, e := range got.Entities[:50] {
		if i == 17 {
			continue
		}
		if e == nil || e.Typename != "Space" || e.ID != ids[i%30] || e.Title != "Space "+ids[i%30] || e.Organization == nil || e.Organization.Title == "" {
			t.Errorf("_entities[%d] = %+v", i, e)
		}
	}
	if o, in := got.Entities[50], got.Entities[51]; o.Title != "Acme Inc." || in.Title != "Slack" {
		t.Errorf("organization %+v, integration %+v", o, in)
	}
	for path, n := range f.sim.PathCounts() {
		if n != 1 {
			t.Errorf("%s called %d times", path, n)
		}
	}
	if n := f.sim.CallCount("getSpaceById"); n != 31 {
		t.Errorf("getSpaceById: %d calls, want 31 (30 spaces and the missing one)", n)
	}
	if peak := f.sim.PeakInFlight(); peak < 31 {
		t.Errorf("peak in flight %d: the representations were not fetched together", peak)
	}
}

// A representation needs only its key: asking a space for its integrations
// alone does not fetch the space.
func TestEntityKeyAloneCostsNoCall(t *testing.T) {
	f := newFacade(t, setup{})
	reps := []map[string]any{
		{"__typename": "Space", "id": "acme-api-reference"},
		{"__typename": "Space", "id": "acme-design-system"},
		{"__typename": "Organization", "id": "acme"},
		{"__typename": "Integration", "name": "mermaid"},
	}
	var got struct {
		Entities []*entity `json:"_entities"`
	}
	f.do(t, `query($r: [_Any!]!) { _entities(representations: $r) {
	  ... on Space { id integrations { totalCount nodes { name } } }
	  ... on Organization { id }
	  ... on Integration { name }
	} }`, variables(map[string]any{"r": reps})).decode(t, &got)
	if got.Entities[0].Integrations == nil || len(got.Entities[0].Integrations.Nodes) == 0 || got.Entities[2].ID != "acme" || got.Entities[3].Name != "mermaid" {
		t.Errorf("answer: %+v %+v %+v", got.Entities[0], got.Entities[2], got.Entities[3])
	}
	if n := f.sim.CallCount("getSpaceById"); n != 0 {
		t.Errorf("getSpaceById: %d calls, want none", n)
	}
	if n := f.sim.CallCount("listSpaceIntegrations"); n != 2 {
		t.Errorf("listSpaceIntegrations: %d calls, want 2", n)
	}
	if n := f.sim.CallCount(""); n != 2 {
		t.Errorf("%d calls, want only the two lists", n)
	}
}

func TestEntityFloodsAreRefused(t *testing.T) {
	f := newFacade(t, setup{})
	reps := make([]map[string]any, 201)
	for i := range reps {
		reps[i] = map[string]any{"__typename": "Space", "id": fmt.Sprintf("space-%d", i)}
	}
	r := f.do(t, entitiesQuery, variables(map[string]any{"r": reps}))
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if n := f.sim.CallCount(""); n != 0 {
		t.Errorf("%d upstream calls", n)
	}
}

// Representations the federation runtime cannot read are the caller's
// mistake: BAD_USER_INPUT at each one's index, null there, and the valid
// ones (of the same type too) still answer.
func TestMalformedRepresentationsAreBadUserInput(t *testing.T) {
	f := newFacade(t, setup{})
	malformed := []map[string]any{
		{"id": "acme-handbook"},                               // no __typename
		{"__typename": "Space"},                               // no key
		{"__typename": "Space", "id": map[string]any{"x": 1}}, // a key not text
		{"__typename": "Space", "id": nil},                    // a null key
		{"__typename": "Space", "id": ""},                     // an empty key
		{"__typename": "Integration", "id": "slack"},          // another type's key
		{"__typename": "Nope", "id": "x"},                     // an unknown type
		{"__typename": 7, "id": "x"},                          // a __typename not text
		{"__typename": "Space", "id": "not an id!"},           // a key the spec's pattern refuses
	}
	var reps []any
	want := map[int]bool{}
	for i, rep := range malformed {
		reps = append(reps, map[string]any{"__typename": "Space", "id": "acme-handbook"}, rep)
		want[2*i+1] = true
	}
	reps = append(reps, map[string]any{"__typename": "Integration", "name": "slack"})
	r := f.do(t, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Space { id } ... on Integration { title } } }`, variables(map[string]any{"r": reps}))
	at := map[int]bool{}
	for _, e := range r.Errors {
		if e.Extensions["code"] != "BAD_USER_INPUT" || len(e.Path) != 2 || e.Path[0] != "_entities" {
			t.Errorf("error %+v, want BAD_USER_INPUT at an index of _entities", e)
			continue
		}
		i := int(e.Path[1].(float64))
		if at[i] {
			t.Errorf("two errors at %d", i)
		}
		at[i] = true
	}
	if fmt.Sprint(at) != fmt.Sprint(want) {
		t.Errorf("errors at %v, want at %v", at, want)
	}
	var got struct {
		Entities []*struct{ ID, Title string } `json:"_entities"`
	}
	r.Errors = nil
	r.decode(t, &got)
	if len(got.Entities) != len(reps) {
		t.Fatalf("%d entities for %d representations", len(got.Entities), len(reps))
	}
	for i, e := range got.Entities[:len(reps)-1] {
		if want[i] != (e == nil) || e != nil && e.ID != "acme-handbook" {
			t.Errorf("_entities[%d] = %+v", i, e)
		}
	}
	if e := got.Entities[len(reps)-1]; e == nil || e.Title != "Slack" {
		t.Errorf("the integration: %+v", e)
	}
}

func TestServiceSDLIsIntrospection(t *testing.T) {
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.DisableIntrospection = true }})
	r := f.do(t, `{ _service { sdl } }`)
	if !slices.Equal(r.codes(), []string{"GRAPHQL_VALIDATION_FAILED"}) {
		t.Errorf("errors %+v", r.Errors)
	}
}

// An installation is an entity by its key, `<integration>/<id>`: one call
// per distinct installation, none for its key alone, a key that cannot be
// one refused at its index.
func TestInstallationEntitiesByKey(t *testing.T) {
	f := newFacade(t, setup{})
	reps := []map[string]any{
		{"__typename": "IntegrationInstallation", "key": "slack/inst-acme-slack"},
		{"__typename": "IntegrationInstallation", "key": "github/inst-acme-github"},
		{"__typename": "IntegrationInstallation", "key": "slack/inst-acme-slack"},
		{"__typename": "IntegrationInstallation", "key": "no-slash"},
	}
	r := f.do(t, `query($r: [_Any!]!) { _entities(representations: $r) {
	  ... on IntegrationInstallation { key id status organization { id } integration { name } }
	} }`, variables(map[string]any{"r": reps}))
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || fmt.Sprint(r.Errors[0].Path) != "[_entities 3]" {
		t.Fatalf("errors: %+v", r.Errors)
	}
	var got struct {
		Entities []*struct {
			Key, ID, Status string
			Organization    struct{ ID string }
			Integration     struct{ Name string }
		} `json:"_entities"`
	}
	r.Errors = nil
	r.decode(t, &got)
	for i, e := range got.Entities[:3] {
		if e == nil || e.Key != reps[i]["key"] || e.Organization.ID != "acme" || e.Integration.Name+"/"+e.ID != e.Key || e.Status != "active" {
			t.Errorf("_entities[%d] = %+v", i, e)
		}
	}
	if n := f.sim.CallCount("getIntegrationInstallationById"); n != 2 {
		t.Errorf("getIntegrationInstallationById: %d calls, want 2", n)
	}
	f.sim.ResetStats()
	f.do(t, `query($r: [_Any!]!) { _entities(representations: $r) { ... on IntegrationInstallation { key id } } }`,
		variables(map[string]any{"r": reps[:2]}))
	if n := f.sim.CallCount(""); n != 0 {
		t.Errorf("%d calls for keys alone", n)
	}
}
