package graph_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/graph"
)

const portal = "acme-developer-portal"

type pageInfo struct {
	HasNextPage, HasPreviousPage bool
	StartCursor, EndCursor       *string
}

type connection struct {
	TotalCount *int
	PageInfo   pageInfo
	Nodes      []integrationName
	Edges      []struct {
		Cursor string
		Node   integrationName
	}
}

// connectionQuery asks the portal's integrations for everything a
// connection has; the arguments are variables.
const connectionQuery = `query($search: String, $first: Int, $after: String) { space(id: "` + portal + `") {
  integrations(search: $search, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { name } edges { cursor node { name } }
  }
} }`

// page reads one connection of the portal's integrations.
func (h *harness) page(t *testing.T, opts ...client.Option) connection {
	t.Helper()
	var got struct {
		Space struct{ Integrations connection }
	}
	h.must(t, connectionQuery, &got, opts...)
	return got.Space.Integrations
}

// Without `first`, the connection walks every upstream page, one call each,
// and says there is no more.
func TestConnectionWalksEveryPage(t *testing.T) {
	want := enabledOn(t, portal)
	h := newHarness(t, setup{resolver: graph.Resolver{PageSize: 5}})
	conn := h.page(t)
	if !slices.Equal(named(conn.Nodes), want) {
		t.Errorf("nodes %v\nwant  %v", named(conn.Nodes), want)
	}
	if conn.TotalCount == nil || *conn.TotalCount != len(want) || conn.PageInfo.HasNextPage || conn.PageInfo.HasPreviousPage {
		t.Errorf("totalCount %v, pageInfo %+v", conn.TotalCount, conn.PageInfo)
	}
	if len(conn.Edges) != len(want) || conn.PageInfo.StartCursor == nil || *conn.PageInfo.StartCursor != conn.Edges[0].Cursor ||
		*conn.PageInfo.EndCursor != conn.Edges[len(want)-1].Cursor {
		t.Fatalf("%d edges, pageInfo %+v", len(conn.Edges), conn.PageInfo)
	}
	for i, e := range conn.Edges {
		if e.Node.Name != want[i] {
			t.Errorf("edges[%d] = %+v, want %s", i, e, want[i])
		}
	}
	h.calls(t, map[string]int{"getSpaceById": 1, "listSpaceIntegrations": (len(want) + 4) / 5})
	for _, c := range h.sim.Calls() {
		if c.Op == "listSpaceIntegrations" && c.Query.Get("limit") != "5" {
			t.Errorf("%s?%s: want limit=5, the resolver's page size", c.Path, c.Query.Encode())
		}
	}
}

// first and after page through the list, one upstream page of `first` a
// GraphQL page, from the cursors of the answer before; an edge's cursor
// resumes right after its edge.
func TestConnectionPagesWithFirstAndAfter(t *testing.T) {
	want := enabledOn(t, portal)
	h := newHarness(t, setup{})
	var all []string
	var after any
	for round := 0; round <= len(want)/4; round++ {
		conn := h.page(t, client.Var("first", 4), client.Var("after", after))
		if len(conn.Nodes) > 4 || conn.PageInfo.HasPreviousPage != (round > 0) {
			t.Fatalf("round %d: %d nodes, pageInfo %+v", round, len(conn.Nodes), conn.PageInfo)
		}
		all = append(all, named(conn.Nodes)...)
		if !conn.PageInfo.HasNextPage {
			break
		}
		after = *conn.PageInfo.EndCursor
	}
	if !slices.Equal(all, want) {
		t.Errorf("paged through %v\nwant          %v", all, want)
	}
	rounds := (len(want) + 3) / 4
	h.calls(t, map[string]int{"getSpaceById": rounds, "listSpaceIntegrations": rounds})

	h.sim.ResetStats()
	first := h.page(t, client.Var("first", 4))
	resumed := h.page(t, client.Var("first", 2), client.Var("after", first.Edges[1].Cursor))
	if got := named(resumed.Nodes); !slices.Equal(got, want[2:4]) {
		t.Errorf("after the second edge: %v, want %v", got, want[2:4])
	}
	h.calls(t, map[string]int{"getSpaceById": 2, "listSpaceIntegrations": 2})
}

// A cursor keeps the page size it was made with: resuming after a page of
// one reads no more pages than the server's page size needs for `first`
// (and one for the page it resumes in), and says where to go on.
func TestConnectionResumedFromASmallPageIsBounded(t *testing.T) {
	want := enabledOn(t, portal)
	h := newHarness(t, setup{})
	small := h.page(t, client.Var("first", 1))
	h.sim.ResetStats()
	conn := h.page(t, client.Var("first", 20), client.Var("after", *small.PageInfo.EndCursor))
	if got := named(conn.Nodes); !slices.Equal(got, want[1:3]) || !conn.PageInfo.HasNextPage {
		t.Errorf("nodes %v, pageInfo %+v; want %v and a next page", got, conn.PageInfo, want[1:3])
	}
	h.calls(t, map[string]int{"getSpaceById": 1, "listSpaceIntegrations": 2})
}

func TestConnectionSearchIsPassedThrough(t *testing.T) {
	h := newHarness(t, setup{})
	conn := h.page(t, client.Var("search", "Git"))
	if names := named(conn.Nodes); !slices.Equal(names, []string{"github", "github-files"}) || conn.TotalCount == nil || *conn.TotalCount != 2 {
		t.Errorf("search Git: %v, totalCount %v", names, conn.TotalCount)
	}
	h.calls(t, map[string]int{"getSpaceById": 1, "listSpaceIntegrations": 1})
	for _, c := range h.sim.Calls() {
		if c.Op == "listSpaceIntegrations" && c.Query.Get("search") != "Git" {
			t.Errorf("%s?%s: want search=Git", c.Path, c.Query.Encode())
		}
	}
}

// totalCount alone needs one page, however many there are; nodes and
// edges, each alone, answer the same items.
func TestConnectionBuildsWhatItsSelectionAsks(t *testing.T) {
	want := enabledOn(t, portal)
	h := newHarness(t, setup{resolver: graph.Resolver{PageSize: 5}})
	var got struct {
		Space struct {
			Count struct{ TotalCount int }
			Nodes struct{ Nodes []integrationName }
			Edges struct {
				Edges []struct{ Node integrationName }
			}
		}
	}
	h.must(t, `{ space(id: "`+portal+`") { count: integrations { totalCount } } }`, &got)
	if got.Space.Count.TotalCount != len(want) {
		t.Errorf("totalCount = %d, want %d", got.Space.Count.TotalCount, len(want))
	}
	h.calls(t, map[string]int{"getSpaceById": 1, "listSpaceIntegrations": 1})

	// Two aliases of the same arguments read the same page.
	h.sim.ResetStats()
	h.must(t, `{ space(id: "`+portal+`") {
	  nodes: integrations(first: 3) { nodes { name } } edges: integrations(first: 3) { edges { node { name } } } } }`, &got)
	if !slices.Equal(named(got.Space.Nodes.Nodes), want[:3]) || len(got.Space.Edges.Edges) != 3 ||
		got.Space.Edges.Edges[2].Node.Name != want[2] {
		t.Errorf("nodes %v, edges %+v", named(got.Space.Nodes.Nodes), got.Space.Edges.Edges)
	}
	h.calls(t, map[string]int{"getSpaceById": 1, "listSpaceIntegrations": 1})
}

func TestConnectionFirstZeroAndOutOfRange(t *testing.T) {
	h := newHarness(t, setup{})
	conn := h.page(t, client.Var("first", 0))
	if len(conn.Nodes) != 0 || len(conn.Edges) != 0 || !conn.PageInfo.HasNextPage || conn.PageInfo.EndCursor != nil || conn.TotalCount == nil {
		t.Errorf("first: 0 answered %+v", conn)
	}
	for _, first := range []int{-1, 1001} {
		h.sim.ResetStats()
		var got struct{ Space *struct{ ID string } }
		errs := h.post(t, `query($first: Int) { space(id: "`+portal+`") { id integrations(first: $first) { totalCount } } }`, &got, client.Var("first", first))
		if e := one(t, errs, "BAD_USER_INPUT", `["space","integrations"]`); !strings.Contains(e.Message, "first") {
			t.Errorf("first %d: %+v", first, e)
		}
		h.calls(t, map[string]int{"getSpaceById": 1})
	}
}

// A cursor is sealed and names its space and search: one rewritten, one of
// another space or search, and one that is no cursor are all refused
// before any list call.
func TestConnectionRefusesCursorsNotItsOwn(t *testing.T) {
	h := newHarness(t, setup{resolver: graph.Resolver{CursorSeal: graph.NewCursorSeal([]byte("replicas"))}})
	honest := *h.page(t, client.Var("first", 2)).PageInfo.EndCursor
	body, sig, _ := strings.Cut(honest, ".")
	data, _ := base64.RawURLEncoding.DecodeString(body)
	larger := strings.Replace(string(data), `"l":2`, `"l":100`, 1)
	if larger == string(data) {
		t.Fatalf("the cursor %s has no page size to rewrite", data)
	}
	var other struct {
		Space struct{ Integrations connection }
	}
	h.must(t, `{ space(id: "acme-handbook") { integrations(first: 1) { pageInfo { endCursor } } } }`, &other)
	refused := map[string][]client.Option{
		"rewritten":     {client.Var("after", base64.RawURLEncoding.EncodeToString([]byte(larger))+"."+sig)},
		"unsigned":      {client.Var("after", body)},
		"another space": {client.Var("after", *other.Space.Integrations.PageInfo.EndCursor)},
		"a search":      {client.Var("after", honest), client.Var("search", "git")},
		"no cursor":     {client.Var("after", "bm90IGEgY3Vyc29y.AAAA")},
	}
	for name, opts := range refused {
		h.sim.ResetStats()
		errs := h.post(t, connectionQuery, nil, opts...)
		if e := one(t, errs, "BAD_USER_INPUT", `["space","integrations"]`); !strings.Contains(e.Message, "after") {
			t.Errorf("%s: %+v", name, e)
		}
		h.calls(t, map[string]int{"getSpaceById": 1})
	}
	// A replica sealing with the same key takes the cursor; one with its own does not.
	replica := newHarness(t, setup{resolver: graph.Resolver{CursorSeal: graph.NewCursorSeal([]byte("replicas"))}})
	if got := replica.page(t, client.Var("first", 2), client.Var("after", honest)); len(got.Nodes) != 2 {
		t.Errorf("the replica answered %+v", got)
	}
	stranger := newHarness(t, setup{})
	one(t, stranger.post(t, connectionQuery, nil, client.Var("after", honest)), "BAD_USER_INPUT", `["space","integrations"]`)
}

func TestConnectionRefusesALongSearch(t *testing.T) {
	h := newHarness(t, setup{})
	errs := h.post(t, connectionQuery, nil, client.Var("search", strings.Repeat("x", 257)))
	one(t, errs, "BAD_USER_INPUT", `["space","integrations"]`)
	h.calls(t, map[string]int{"getSpaceById": 1})
}

// A next page that points back to a page already read would walk forever:
// the connection stops there, as a bad answer of the upstream.
func TestConnectionStopsAtAPageLoop(t *testing.T) {
	loop := func(c gitbooksim.Call) *gitbooksim.Fault {
		page := c.Query.Get("page")
		if c.Op != "listSpaceIntegrations" || page == "" {
			return nil
		}
		return &gitbooksim.Fault{Rewrite: func(answer any) any {
			answer.(map[string]any)["next"] = map[string]any{"page": page}
			return answer
		}}
	}
	h := newHarness(t, setup{sim: gitbooksim.Options{Fault: loop}, resolver: graph.Resolver{PageSize: 5}})
	var got struct{ Space *struct{ ID string } }
	errs := h.post(t, `{ space(id: "`+portal+`") { id integrations { nodes { name } } } }`, &got)
	if e := one(t, errs, "UPSTREAM_BAD_RESPONSE", `["space","integrations"]`); got.Space != nil || !strings.HasPrefix(e.Message, "listSpaceIntegrations: ") {
		t.Errorf("space %+v, error %+v", got.Space, e)
	}
	h.calls(t, map[string]int{"getSpaceById": 1, "listSpaceIntegrations": 2})
}
