package httpapi_test

import (
	"encoding/base64"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
)

// portalIntegrations is what the demo's developer portal has, by name.
func portalIntegrations(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, in := range gitbooksim.DemoData().Installations {
		if slices.Contains(in.Spaces, "acme-developer-portal") {
			names = append(names, in.Integration)
		}
	}
	sort.Strings(names)
	if len(names) <= 20 {
		t.Fatalf("the demo portal has %d integrations; the test needs more than a page", len(names))
	}
	return names
}

type connection struct {
	TotalCount *int
	PageInfo   struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
	Nodes []struct{ Name string }
	Edges []struct {
		Cursor string
		Node   struct{ Name string }
	}
}

func (c connection) names() []string {
	var out []string
	for _, n := range c.Nodes {
		out = append(out, n.Name)
	}
	return out
}

func TestConnectionWalksEveryUpstreamPage(t *testing.T) {
	want := portalIntegrations(t)
	f := newFacade(t, setup{sim: gitbooksim.Options{MaxPageSize: 5}})
	var got struct {
		Space struct{ Integrations connection }
	}
	f.do(t, `{ space(id: "acme-developer-portal") {
	  integrations { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { name } edges { cursor node { name } } }
	} }`).decode(t, &got)

	conn := got.Space.Integrations
	if !slices.Equal(conn.names(), want) {
		t.Errorf("nodes = %v\nwant    %v", conn.names(), want)
	}
	if conn.TotalCount == nil || *conn.TotalCount != len(want) || conn.PageInfo.HasNextPage || conn.PageInfo.HasPreviousPage {
		t.Errorf("totalCount %v, pageInfo %+v", conn.TotalCount, conn.PageInfo)
	}
	for i, e := range conn.Edges {
		if e.Node.Name != want[i] || e.Cursor == "" {
			t.Errorf("edges[%d] = %+v", i, e)
		}
	}
	pages := (len(want) + 4) / 5
	if n := f.sim.CallCount("listSpaceIntegrations"); n != pages {
		t.Errorf("listSpaceIntegrations: %d calls, want %d (one per upstream page)", n, pages)
	}
	for _, c := range f.sim.Calls() {
		if c.Op == "listSpaceIntegrations" && c.Query.Get("limit") != "100" {
			t.Errorf("call %s?%s: want limit=100", c.Path, c.Query.Encode())
		}
	}
}

func TestConnectionPagesWithFirstAndAfter(t *testing.T) {
	want := portalIntegrations(t)
	f := newFacade(t, setup{})
	const q = `query($after: String) { space(id: "acme-developer-portal") {
	  integrations(first: 10, after: $after) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { name } }
	} }`
	var all []string
	var after any
	for round := 0; ; round++ {
		var got struct {
			Space struct{ Integrations connection }
		}
		f.do(t, q, variables(map[string]any{"after": after})).decode(t, &got)
		conn := got.Space.Integrations
		if len(conn.Nodes) > 10 {
			t.Fatalf("round %d: %d nodes for first: 10", round, len(conn.Nodes))
		}
		if conn.PageInfo.HasPreviousPage != (round > 0) {
			t.Errorf("round %d: hasPreviousPage = %v", round, conn.PageInfo.HasPreviousPage)
		}
		all = append(all, conn.names()...)
		if !conn.PageInfo.HasNextPage {
			break
		}
		if round > 10 {
			t.Fatal("paging does not end")
		}
		after = *conn.PageInfo.EndCursor
	}
	if !slices.Equal(all, want) {
		t.Errorf("paged through %v\nwant          %v", all, want)
	}
	// One upstream page per GraphQL page: first: 10 asks for limit=10.
	if n, rounds := f.sim.CallCount("listSpaceIntegrations"), (len(want)+9)/10; n != rounds {
		t.Errorf("listSpaceIntegrations: %d calls, want %d", n, rounds)
	}
}

func TestConnectionSearchIsPassedThrough(t *testing.T) {
	f := newFacade(t, setup{})
	var got struct {
		Space struct{ Integrations connection }
	}
	f.do(t, `{ space(id: "acme-developer-portal") { integrations(search: "Git") { totalCount nodes { name } } } }`).decode(t, &got)
	if names := strings.Join(got.Space.Integrations.names(), ","); names != "github,github-files" {
		t.Errorf("search Git: %s", names)
	}
	if n := f.sim.CallCount("listSpaceIntegrations"); n != 1 {
		t.Errorf("listSpaceIntegrations: %d calls, want 1", n)
	}
	for _, c := range f.sim.Calls() {
		if c.Op == "listSpaceIntegrations" && c.Query.Get("search") != "Git" {
			t.Errorf("call %s?%s: want search=Git", c.Path, c.Query.Encode())
		}
	}
}

func TestTotalCountAloneReadsOnePage(t *testing.T) {
	f := newFacade(t, setup{sim: gitbooksim.Options{MaxPageSize: 5}})
	var got struct {
		Space struct{ Integrations connection }
	}
	f.do(t, `{ space(id: "acme-developer-portal") { integrations { totalCount } } }`).decode(t, &got)
	if c := got.Space.Integrations.TotalCount; c == nil || *c != len(portalIntegrations(t)) {
		t.Errorf("totalCount = %v", c)
	}
	if n := f.sim.CallCount("listSpaceIntegrations"); n != 1 {
		t.Errorf("listSpaceIntegrations: %d calls, want 1", n)
	}
}

func TestBadConnectionArgumentsAreRefusedBeforeAnyCall(t *testing.T) {
	f := newFacade(t, setup{})
	var ok struct {
		Space struct{ Integrations connection }
	}
	f.do(t, `{ space(id: "acme-developer-portal") { integrations(first: 2) { pageInfo { endCursor } } } }`).decode(t, &ok)
	otherSpaceCursor := *ok.Space.Integrations.PageInfo.EndCursor

	for name, args := range map[string]string{
		"negative first":      `first: -1`,
		"first past the max":  `first: 1001`,
		"not a cursor":        `after: "not a cursor"`,
		"another space's":     `after: "` + otherSpaceCursor + `"`,
		"another search's":    `search: "git", after: "` + otherSpaceCursor + `"`,
		"search past the max": `search: "` + strings.Repeat("x", 257) + `"`,
	} {
		t.Run(name, func(t *testing.T) {
			f.sim.ResetStats()
			space := "acme-api-reference"
			if strings.HasPrefix(name, "another search") {
				space = "acme-developer-portal"
			}
			r := f.do(t, `{ space(id: "`+space+`") { id integrations(`+args+`) { totalCount } } }`)
			if !slices.Equal(r.codes(), []string{"BAD_USER_INPUT"}) {
				t.Errorf("errors: %+v", r.Errors)
			}
			if n := f.sim.CallCount("listSpaceIntegrations"); n != 0 {
				t.Errorf("listSpaceIntegrations called %d times", n)
			}
		})
	}
}

// A cursor is signed: one a caller rewrote (to forge a page size, a page
// token or a space) is refused before any call, and one of a replica is
// accepted only where the replicas share -cursor-secret.
func TestARewrittenCursorIsRefused(t *testing.T) {
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.CursorSecret = []byte("replicas") }})
	query := `query($after: String) { space(id: "acme-developer-portal") { integrations(first: 2, after: $after) { totalCount pageInfo { endCursor } } } }`
	var got struct {
		Space struct{ Integrations connection }
	}
	f.do(t, query).decode(t, &got)
	honest := *got.Space.Integrations.PageInfo.EndCursor
	payload, sig, _ := strings.Cut(honest, ".")
	data, _ := base64.RawURLEncoding.DecodeString(payload)
	larger := strings.Replace(string(data), `"l":2`, `"l":1000`, 1)
	if larger == string(data) {
		t.Fatalf("the cursor %s has no page size to rewrite", data)
	}
	refused := map[string]string{
		"a larger page size, signature kept": base64.RawURLEncoding.EncodeToString([]byte(larger)) + "." + sig,
		"no signature":                       payload,
		"unsigned, as cursors once were":     base64.RawURLEncoding.EncodeToString([]byte(larger)),
		"another key's signature":            payload + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 16)),
	}
	for name, after := range refused {
		t.Run(name, func(t *testing.T) {
			f.sim.ResetStats()
			r := f.do(t, query, variables(map[string]any{"after": after}))
			if !slices.Equal(r.codes(), []string{"BAD_USER_INPUT"}) {
				t.Errorf("errors: %+v", r.Errors)
			}
			if n := f.sim.CallCount("listSpaceIntegrations"); n != 0 {
				t.Errorf("listSpaceIntegrations called %d times for a refused cursor", n)
			}
		})
	}
	replica := newFacade(t, setup{config: func(c *httpapi.Config) { c.CursorSecret = []byte("replicas") }})
	if r := replica.do(t, query, variables(map[string]any{"after": honest})); len(r.Errors) > 0 {
		t.Errorf("a replica with the same secret refused the cursor: %+v", r.Errors)
	}
	stranger := newFacade(t, setup{})
	if r := stranger.do(t, query, variables(map[string]any{"after": honest})); !slices.Equal(r.codes(), []string{"BAD_USER_INPUT"}) {
		t.Errorf("a server with its own key accepted another's cursor: %+v", r.Errors)
	}
}

// A cursor keeps the page size it was made with, which a small `first`
// makes small: resuming reads no more pages than the server's own page size
// needs, so a cursor from a page of one costs no more than any other.
func TestResumingAfterASmallPageCostsNoMore(t *testing.T) {
	f := newFacade(t, setup{})
	query := `query($first: Int, $after: String) { space(id: "acme-developer-portal") {
	  integrations(first: $first, after: $after) { nodes { name } pageInfo { hasNextPage endCursor } } } }`
	var got struct {
		Space struct{ Integrations connection }
	}
	f.do(t, query, variables(map[string]any{"first": 1})).decode(t, &got)
	f.sim.ResetStats()
	f.do(t, query, variables(map[string]any{"first": 27, "after": *got.Space.Integrations.PageInfo.EndCursor})).decode(t, &got)
	conn := got.Space.Integrations
	if n := f.sim.CallCount("listSpaceIntegrations"); n > 2 {
		t.Errorf("listSpaceIntegrations: %d calls for a page of 27 at the server's page size, want at most 2", n)
	}
	if len(conn.Nodes) == 0 || !conn.PageInfo.HasNextPage || conn.PageInfo.EndCursor == nil {
		t.Errorf("the connection should answer what it read and say where to go on: %+v", conn)
	}
}
