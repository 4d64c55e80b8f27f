package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

// The servers a workload runs against. Each speaks its own schema: the
// facade's, Mesh's (generated from the OpenAPI spec, with the links added
// in peers/mesh.config.ts) and Tailcall's (peers/tailcall.graphql).
const (
	serverFacade = "facade"
	serverNaive  = "facade-naive"
	// serverBefore is another build of the facade (-facade-before: an
	// older commit's), measured in the same rounds as the facade, to say
	// what a change costs.
	serverBefore   = "facade-before"
	serverMesh     = "mesh"
	serverTailcall = "tailcall"
	serverDirect   = "direct-rest"
)

// simSpaces and simUsers size the simulated upstream: ScaledData's spaces
// space-00 ... space-299, and callers gb_bench_0 ... gb_bench_63 besides
// the demo token. Workloads (a) to (d) use the first 30 spaces and (d) the
// first 8 tokens; (e) and (f), whose requests share nothing, all of them.
const (
	simSpaces   = 300
	simUsers    = 64
	firstSpaces = 30
	mixedUsers  = 8
)

// request is one request of a workload: a GraphQL body for a GraphQL
// server, or a plan of REST calls for the direct client.
type request struct {
	Token string          `json:"token"`
	Body  json.RawMessage `json:"body,omitempty"`
	Plan  *plan           `json:"plan,omitempty"`
}

// workload is one kind of request mix, with what each server is sent and
// the least number of upstream calls a request needs.
type workload struct {
	Name        string
	Title       string
	Concurrency int
	// LeastCalls is the fewest upstream calls one request needs: what
	// the direct client makes.
	LeastCalls float64
	requests   map[string][]request
	// wantCount: in a correct answer, marker occurs this many times.
	marker    string
	wantCount int
}

func (w workload) servers() []string {
	var out []string
	for _, s := range []string{serverBefore, serverFacade, serverNaive, serverMesh, serverTailcall, serverDirect} {
		if _, ok := w.requests[s]; ok {
			out = append(out, s)
		}
	}
	return out
}

func spaceID(i int) string { return fmt.Sprintf("space-%02d", i%firstSpaces) }

// anySpaceID is any of the simulated upstream's spaces.
func anySpaceID(i int) string { return fmt.Sprintf("space-%02d", i%simSpaces) }

func gql(query string, vars map[string]any) json.RawMessage {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err) // only maps of strings and slices here
	}
	return b
}

const integrationFields = `name owner { id title } blocks { id title }`

// Workload (a): one space with its integrations, their owner and blocks.
// Two calls: the space and its integrations, at once.
func oneSpace() workload {
	w := workload{
		Name: "a", Title: "one space with integrations, owner and blocks", Concurrency: 32, LeastCalls: 2,
		marker: `"owner"`, wantCount: 5, requests: map[string][]request{},
	}
	w.add(oneSpaceOf(gitbooksim.BenchToken(0), spaceID(0)))
	return w
}

// Workload (b): 30 spaces with organization, integrations (owner, blocks)
// and integration blocks. 93 calls: 30 spaces, 30 lists of integrations,
// 30 lists of blocks at once, and the 3 distinct organizations as soon as
// a space names them.
func thirtySpaces() workload {
	ids := make([]string, firstSpaces)
	for i := range ids {
		ids[i] = spaceID(i)
	}
	w := workload{
		Name: "b", Title: "30 spaces with organization, integrations, owner, blocks and integration blocks", Concurrency: 16, LeastCalls: 93,
		marker: `"owner"`, wantCount: 150, requests: map[string][]request{},
	}
	w.add(thirtySpacesOf(gitbooksim.BenchToken(0), ids))
	return w
}

// thirtySpacesOf is the request of (b) for each server, for ids.
func thirtySpacesOf(token string, ids []string) map[string]request {
	var mesh, tailcall strings.Builder
	for i, id := range ids {
		fmt.Fprintf(&mesh, `s%d: getSpaceById(spaceId: %q) { id title org { ... on Organization { id title } } installedIntegrations { items { %s } } blocksOfIntegrations { ... on query_listSpaceIntegrationsBlocks_oneOf_0_items { name blocks { id title } } } } `, i, id, integrationFields)
		fmt.Fprintf(&tailcall, `s%d: space(id: %q) { id title org { id title } integrations { items { %s } } integrationBlocks { name blocks { id title } } } `, i, id, integrationFields)
	}
	return map[string]request{
		serverFacade:   {Token: token, Body: gql(`query B($ids: [ID!]!) { spaces(ids: $ids) { id title organization { id title } integrations { nodes { `+integrationFields+` } } integrationBlocks { name blocks { id title } } } }`, map[string]any{"ids": ids})},
		serverMesh:     {Token: token, Body: gql(`query B { `+mesh.String()+`}`, nil)},
		serverTailcall: {Token: token, Body: gql(`query B { `+tailcall.String()+`}`, nil)},
		serverDirect:   {Token: token, Plan: &plan{Spaces: ids, Organization: true, Integrations: true, IntegrationBlocks: true}},
	}
}

// add appends one request of each server.
func (w *workload) add(each map[string]request) {
	for server, r := range each {
		w.requests[server] = append(w.requests[server], r)
	}
}

// oneSpaceOf is the request of (a) for each server, for one space.
func oneSpaceOf(token, id string) map[string]request {
	return map[string]request{
		serverFacade:   {Token: token, Body: gql(`query A($id: ID!) { space(id: $id) { id title integrations { nodes { `+integrationFields+` } } } }`, map[string]any{"id": id})},
		serverMesh:     {Token: token, Body: gql(`query A($id: EntityId!) { getSpaceById(spaceId: $id) { id title installedIntegrations { items { `+integrationFields+` } } } }`, map[string]any{"id": id})},
		serverTailcall: {Token: token, Body: gql(`query A($id: String!) { space(id: $id) { id title integrations { items { `+integrationFields+` } } } }`, map[string]any{"id": id})},
		serverDirect:   {Token: token, Plan: &plan{Spaces: []string{id}, Integrations: true}},
	}
}

// distinctRequests is how many different requests (e) and (f) rotate
// through: more than any concurrency they run at, so that no two requests
// in flight at once are alike.
const distinctRequests = 4 * simUsers

// Workload (e): the selection of (a), each request another space with
// another token, so that no two requests in flight share any work (not an
// upstream read, not an execution). Two calls.
func distinctSpaces() workload {
	w := workload{
		Name: "e", Title: "(a), every request in flight another space and token", Concurrency: 32, LeastCalls: 2,
		marker: `"owner"`, wantCount: 5, requests: map[string][]request{},
	}
	for k := range distinctRequests {
		w.add(oneSpaceOf(gitbooksim.BenchToken(k%simUsers), anySpaceID(k*7)))
	}
	return w
}

// Workload (f): the selection of (b), each request 30 other spaces with
// another token. 93 calls.
func distinctThirtySpaces() workload {
	w := workload{
		Name: "f", Title: "(b), every request in flight 30 other spaces and another token", Concurrency: 16, LeastCalls: 93,
		marker: `"owner"`, wantCount: 150, requests: map[string][]request{},
	}
	for k := range distinctRequests {
		ids := make([]string, firstSpaces)
		for i := range ids {
			ids[i] = anySpaceID(k*firstSpaces + i)
		}
		w.add(thirtySpacesOf(gitbooksim.BenchToken(k%simUsers), ids))
	}
	return w
}

// Workload (c): 50 federation representations, as a gateway sends them:
// 40 spaces (30 distinct) and 10 integrations (3 distinct). 33 calls.
// Only the facade is a subgraph; Mesh and Tailcall serve no _entities.
func entities() workload {
	token := gitbooksim.BenchToken(0)
	names := []string{"slack", "github-files", "figma"}
	var reps []map[string]any
	spaces, seen := []string{}, map[string]bool{}
	for i := range 40 {
		id := spaceID(i)
		reps = append(reps, map[string]any{"__typename": "Space", "id": id})
		if !seen[id] {
			seen[id] = true
			spaces = append(spaces, id)
		}
	}
	for i := range 10 {
		reps = append(reps, map[string]any{"__typename": "Integration", "name": names[i%len(names)]})
	}
	query := `query C($reps: [_Any!]!) { _entities(representations: $reps) { __typename ... on Space { id title } ... on Integration { name title } } }`
	return workload{
		Name: "c", Title: "50 federation _entities representations", Concurrency: 16, LeastCalls: 33,
		marker: `"__typename"`, wantCount: 50,
		requests: map[string][]request{
			serverFacade: {{Token: token, Body: gql(query, map[string]any{"reps": reps})}},
			serverDirect: {{Token: token, Plan: &plan{Spaces: spaces, IntegrationNames: names}}},
		},
	}
}

// Workload (d): many callers at once, with 8 tokens, over 30 spaces and
// three shapes of query (integrations; organization; integration blocks),
// two calls each. Identical reads of one token in flight at once may be
// shared, so a server that coalesces can make fewer calls than a request
// needs on its own.
func mixed() workload {
	w := workload{
		Name: "d", Title: "mixed: 8 tokens, 30 spaces, 3 query shapes", Concurrency: 64, LeastCalls: 2,
		requests: map[string][]request{},
	}
	type shape struct {
		facade, mesh, tailcall string
		plan                   plan
	}
	shapes := []shape{
		{
			`query D($id: ID!) { space(id: $id) { id title integrations { nodes { ` + integrationFields + ` } } } }`,
			`query D($id: EntityId!) { getSpaceById(spaceId: $id) { id title installedIntegrations { items { ` + integrationFields + ` } } } }`,
			`query D($id: String!) { space(id: $id) { id title integrations { items { ` + integrationFields + ` } } } }`,
			plan{Integrations: true},
		},
		{
			`query D($id: ID!) { space(id: $id) { id title organization { id title } } }`,
			`query D($id: EntityId!) { getSpaceById(spaceId: $id) { id title org { ... on Organization { id title } } } }`,
			`query D($id: String!) { space(id: $id) { id title org { id title } } }`,
			plan{Organization: true},
		},
		{
			`query D($id: ID!) { space(id: $id) { id title integrationBlocks { name blocks { id title } } } }`,
			`query D($id: EntityId!) { getSpaceById(spaceId: $id) { id title blocksOfIntegrations { ... on query_listSpaceIntegrationsBlocks_oneOf_0_items { name blocks { id title } } } } }`,
			`query D($id: String!) { space(id: $id) { id title integrationBlocks { name blocks { id title } } } }`,
			plan{IntegrationBlocks: true},
		},
	}
	// 8 tokens x 30 spaces x 3 shapes, in an order that mixes all three.
	for k := range mixedUsers * firstSpaces * len(shapes) {
		token := gitbooksim.BenchToken(k % mixedUsers)
		id := spaceID(k / mixedUsers)
		s := shapes[k%len(shapes)]
		vars := map[string]any{"id": id}
		p := s.plan
		p.Spaces = []string{id}
		w.requests[serverFacade] = append(w.requests[serverFacade], request{Token: token, Body: gql(s.facade, vars)})
		w.requests[serverMesh] = append(w.requests[serverMesh], request{Token: token, Body: gql(s.mesh, vars)})
		w.requests[serverTailcall] = append(w.requests[serverTailcall], request{Token: token, Body: gql(s.tailcall, vars)})
		w.requests[serverDirect] = append(w.requests[serverDirect], request{Token: token, Plan: &p})
	}
	return w
}

// workloads are the six, in order.
func workloads() []workload {
	ws := []workload{oneSpace(), thirtySpaces(), entities(), mixed(), distinctSpaces(), distinctThirtySpaces()}
	for i := range ws {
		// The naive facade, and the facade before, speak the facade's schema.
		if r, ok := ws[i].requests[serverFacade]; ok {
			ws[i].requests[serverNaive] = r
			ws[i].requests[serverBefore] = r
		}
	}
	return ws
}
