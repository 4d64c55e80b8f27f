package graph_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
)

// One query, one dataset, one count of calls: an entity that a list of the
// same request embeds costs no call whether that list answers before or
// after the field that asks for the entity, and one that no list holds
// costs one. Each walk runs many times, for a race to show.

// walkQuery is the Apollo suite's Walk, read from the suite, so that this
// test runs what the suite sends.
func walkQuery(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("../conformance/lib/apollo-operations.mjs")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)export const WALK = gql`(.*?)`").FindSubmatch(src)
	if m == nil || !strings.Contains(string(m[1]), "query Walk") {
		t.Fatal("no Walk in conformance/lib/apollo-operations.mjs")
	}
	return string(m[1])
}

func TestWalksCostTheSameLeastCallsEveryTime(t *testing.T) {
	const runs = 50
	for _, tc := range []struct {
		name  string
		query string
		calls map[string]int
	}{{
		// acme and northwind come in the organizations' list, acme-status
		// in acme's installations (asked as soon as that list is in); the
		// three installations and acme-handbook are read before any list
		// that holds them is asked for, so they cost a call each.
		name:  "Walk",
		query: walkQuery(t),
		calls: map[string]int{
			"getAuthenticatedUser":                  1,
			"listOrganizationsForAuthenticatedUser": 1,
			"listSpacesInOrganizationById":          3,
			"listOrganizationInstallations":         3,
			"listIntegrationInstallationSpaces":     12,
			"getIntegrationInstallationById":        3,
			"getSpaceById":                          1,
			"listIntegrations":                      1,
		},
	}, {
		// The organization of an installation read by its key is in the
		// viewer's organizations, asked for beside it.
		name: "an installation's organization beside the organizations",
		query: `{ organizations { nodes { id } }
			installation(integration: "slack", id: "inst-northwind-slack") { organization { title } } }`,
		calls: map[string]int{"listOrganizationsForAuthenticatedUser": 1, "getIntegrationInstallationById": 1},
	}, {
		// acme-status is in acme's installations, which the organizations'
		// list asks for once it is in.
		name: "an installation's integration beside its organization's installations",
		query: `{ organizations(first: 1) { nodes { installations(first: 1) { nodes { id } } } }
			installation(integration: "acme-status", id: "inst-acme-acme-status") { integration { title } organization { title } } }`,
		calls: map[string]int{"listOrganizationsForAuthenticatedUser": 1, "listOrganizationInstallations": 1, "getIntegrationInstallationById": 1},
	}, {
		// Each space's organization is the owner of none of its
		// integrations: after the pages sent with the spaces, one call each.
		name:  "spaces' organizations beside their integrations",
		query: `{ spaces(ids: ["northwind-runbooks", "oss-governance", "acme-developer-portal"]) { organization { title } integrations(first: 2) { nodes { name } } } }`,
		calls: map[string]int{"getSpaceById": 3, "listSpaceIntegrations": 3, "getOrganizationById": 2},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, setup{})
			seen := map[string]int{}
			for range runs {
				h.sim.ResetStats()
				h.must(t, tc.query, nil)
				seen[countsOf(h.sim.Counts())]++
			}
			want := countsOf(tc.calls)
			if len(seen) != 1 || seen[want] != runs {
				var spread []string
				for _, k := range slices.Sorted(maps.Keys(seen)) {
					spread = append(spread, fmt.Sprintf("%2d× %s", seen[k], k))
				}
				t.Errorf("%d runs made:\n%s\nwant every one: %s", runs, strings.Join(spread, "\n"), want)
			}
		})
	}
}

// countsOf writes calls by operation as one line: the total, then each.
func countsOf(calls map[string]int) string {
	total, parts := 0, []string{}
	for _, op := range slices.Sorted(maps.Keys(calls)) {
		if calls[op] == 0 {
			continue
		}
		total += calls[op]
		parts = append(parts, fmt.Sprintf("%s=%d", op, calls[op]))
	}
	return fmt.Sprintf("%d calls: %s", total, strings.Join(parts, " "))
}

// The root fields run on goroutines of their own, and one may start late: a
// read below another still finds the lists it will ask for recorded, before
// any root field ran (graph.RootLists). Here the organizations start only
// once the installation's organization is being read.
func TestARootFieldsListsAreRecordedBeforeAnyRootFieldRuns(t *testing.T) {
	for range 20 {
		late := lateRoot{field: "organizations", until: make(chan struct{}), once: &sync.Once{}}
		h := newHarness(t, setup{server: func(srv *handler.Server) { srv.Use(late) }})
		var got struct {
			Installation  struct{ Organization struct{ Title string } }
			Organizations struct{ Nodes []struct{ ID string } }
		}
		h.must(t, `{ installation(integration: "slack", id: "inst-northwind-slack") { organization { title } }
			organizations { nodes { id } } }`, &got, within(t, 10*time.Second))
		if got.Installation.Organization.Title != "Northwind Traders" {
			t.Fatalf("installation = %+v", got.Installation)
		}
		h.calls(t, map[string]int{"getIntegrationInstallationById": 1, "listOrganizationsForAuthenticatedUser": 1})
	}
}

// lateRoot holds a root field back until an installation's organization is
// being read.
type lateRoot struct {
	field string
	until chan struct{}
	once  *sync.Once
}

func (lateRoot) ExtensionName() string                   { return "lateRoot" }
func (lateRoot) Validate(graphql.ExecutableSchema) error { return nil }

func (x lateRoot) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if graphql.GetRootFieldContext(ctx).Field.Name == x.field {
		select {
		case <-x.until:
		case <-ctx.Done():
		}
	}
	return next(ctx)
}

func (x lateRoot) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	if fc := graphql.GetFieldContext(ctx); fc.Object == "IntegrationInstallation" && fc.Field.Name == "organization" {
		x.once.Do(func() { close(x.until) })
	}
	return next(ctx)
}
