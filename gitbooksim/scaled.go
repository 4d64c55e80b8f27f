package gitbooksim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gitbook-graphql/facade/upstream"
)

// ScaledData is the demo's organizations and integration catalog with n
// spaces of its own (space-00, space-01, ...), spread over the three member
// organizations, each with five integrations of the catalog; and, besides
// DemoToken, users more callers (tokens BenchToken(0), BenchToken(1), ...)
// with the same roles. Tests and benchmarks use it for wide queries.
func ScaledData(n, users int) (*Dataset, []string) {
	d := DemoData()
	orgs := []string{"acme", "open-source-collective", "northwind"}
	d.Spaces, d.Installations = nil, nil
	ids := make([]string, n)
	installs := map[string]*Installation{}
	for i := range n {
		id := fmt.Sprintf("space-%02d", i)
		ids[i] = id
		org := orgs[i%len(orgs)]
		d.Spaces = append(d.Spaces, upstream.Space{
			Object: "space", ID: id, Title: "Space " + id, Emoji: "1f4d8", Visibility: upstream.ContentVisibilityPublic,
			Organization: org, Revision: "r1", CreatedAt: epoch, UpdatedAt: epoch.Add(240 * time.Hour),
			MergeRules: upstream.MergeRulesConfiguration{Type: upstream.MergeRulesConfigurationTypeInherit},
			URLs:       upstream.SpaceURLs{Location: "https://api.gitbook.com/v1/spaces/" + id, App: "https://app.gitbook.com/s/" + id},
		})
		for j := range 5 {
			name := d.Integrations[(i+j*3)%len(d.Integrations)].Name
			key := org + "/" + name
			if installs[key] == nil {
				installs[key] = &Installation{ID: "inst-" + org + "-" + name, Integration: name, Organization: org}
			}
			installs[key].Spaces = append(installs[key].Spaces, id)
		}
	}
	for _, in := range installs {
		d.Installations = append(d.Installations, *in)
	}
	slices.SortFunc(d.Installations, func(a, b Installation) int { return strings.Compare(a.ID, b.ID) })
	roles := map[string]upstream.MemberRole{
		"acme": upstream.MemberRoleAdmin, "open-source-collective": upstream.MemberRoleEdit, "northwind": upstream.MemberRoleRead,
	}
	d.Users = []User{{Token: DemoToken, Roles: roles}}
	for i := range users {
		d.Users = append(d.Users, User{Token: BenchToken(i), Roles: roles})
	}
	return d, ids
}

// BenchToken is the token of ScaledData's i-th extra caller.
func BenchToken(i int) string { return fmt.Sprintf("gb_bench_%d", i) }
