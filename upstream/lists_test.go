package upstream_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// walkData is the demo with acme's integration public and installed in
// two other organizations, so that every list of the walk has more than one page.
func walkData() *gitbooksim.Dataset {
	d := gitbooksim.DemoData()
	for i := range d.Integrations {
		if d.Integrations[i].Name == "acme-status" {
			d.Integrations[i].Visibility = upstream.IntegrationVisibilityPublic
		}
	}
	for _, org := range []string{"northwind", "open-source-collective"} {
		d.Installations = append(d.Installations, gitbooksim.Installation{ID: "inst-" + org + "-acme-status", Integration: "acme-status", Organization: org})
	}
	return d
}

// page reads one page of a list: its items' keys and the next page's token.
type page func(ctx context.Context, c *upstream.Client, opts upstream.ListOptions) (keys []string, next *upstream.ListNext, err error)

var walkPages = map[string]page{
	"listOrganizationsForAuthenticatedUser": func(ctx context.Context, c *upstream.Client, opts upstream.ListOptions) ([]string, *upstream.ListNext, error) {
		l, err := c.ListOrganizations(ctx, opts)
		if err != nil {
			return nil, nil, err
		}
		return keys(l.Items, func(o upstream.Organization) string { return o.ID }), l.Next, nil
	},
	"listSpacesInOrganizationById": func(ctx context.Context, c *upstream.Client, opts upstream.ListOptions) ([]string, *upstream.ListNext, error) {
		l, err := c.ListOrganizationSpaces(ctx, "acme", opts)
		if err != nil {
			return nil, nil, err
		}
		return keys(l.Items, func(s upstream.Space) string { return s.ID }), l.Next, nil
	},
	"listOrganizationInstallations": func(ctx context.Context, c *upstream.Client, opts upstream.ListOptions) ([]string, *upstream.ListNext, error) {
		l, err := c.ListOrganizationInstallations(ctx, "acme", upstream.ListOrganizationInstallationsOptions{ListOptions: opts})
		if err != nil {
			return nil, nil, err
		}
		return keys(l.Items, func(i upstream.OrganizationInstallation) string { return i.Integration.Name + "/" + i.Installation.ID }), l.Next, nil
	},
	"listIntegrations": func(ctx context.Context, c *upstream.Client, opts upstream.ListOptions) ([]string, *upstream.ListNext, error) {
		l, err := c.ListIntegrations(ctx, upstream.ListIntegrationsOptions{ListOptions: opts})
		if err != nil {
			return nil, nil, err
		}
		return keys(l.Items, func(in upstream.Integration) string { return in.Name }), l.Next, nil
	},
	"listIntegrationInstallations": func(ctx context.Context, c *upstream.Client, opts upstream.ListOptions) ([]string, *upstream.ListNext, error) {
		l, err := c.ListIntegrationInstallations(ctx, "acme-status", opts)
		if err != nil {
			return nil, nil, err
		}
		return keys(l.Items, func(in upstream.IntegrationInstallation) string { return in.ID }), l.Next, nil
	},
	"listIntegrationInstallationSpaces": func(ctx context.Context, c *upstream.Client, opts upstream.ListOptions) ([]string, *upstream.ListNext, error) {
		l, err := c.ListIntegrationInstallationSpaces(ctx, "slack", "inst-acme-slack", opts)
		if err != nil {
			return nil, nil, err
		}
		return keys(l.Items, func(in upstream.IntegrationSpaceInstallation) string { return in.Space.Space.Title }), l.Next, nil
	},
}

func keys[T any](items []T, key func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, key(it))
	}
	return out
}

// Each list walked by pages of two, from next.page to next.page, is the
// whole list once and in order, one call a page.
func TestWalkListsArePagedToTheirEnd(t *testing.T) {
	for op, read := range walkPages {
		t.Run(op, func(t *testing.T) {
			srv := newServer(t, gitbooksim.Options{Data: walkData()})
			c := newClient(t, srv, nil)
			want, next, err := read(t.Context(), c, upstream.ListOptions{Limit: upstream.MaxListLimit})
			if err != nil || next != nil || len(want) < 3 {
				t.Fatalf("the whole list: %v, next %v, %v: want three items or more in one page", want, next, err)
			}
			srv.ResetStats()
			var got []string
			opts := upstream.ListOptions{Limit: 2}
			pages := 0
			for ; pages <= len(want); pages++ {
				items, next, err := read(t.Context(), c, opts)
				if err != nil {
					t.Fatalf("page %d: %v", pages, err)
				}
				got = append(got, items...)
				if next == nil {
					break
				}
				opts.Page = next.Page
			}
			if !slices.Equal(got, want) {
				t.Errorf("by pages: %v, want %v", got, want)
			}
			if n := srv.CallCount(op); n != pages+1 || n != (len(want)+1)/2 {
				t.Errorf("%d calls for %d items by pages of 2", n, len(want))
			}
		})
	}
}

// An answer without what the client keys on, or what the spec requires of
// an item, is a bad response, not retried.
func TestWalkAnswersWithoutARequiredPropertyAreRefused(t *testing.T) {
	for _, tc := range []struct {
		op, name string
		doctor   func(m map[string]any)
		call     func(ctx context.Context, c *upstream.Client) error
	}{
		{"getAuthenticatedUser", "no id", func(m map[string]any) { delete(m, "id") }, func(ctx context.Context, c *upstream.Client) error {
			_, err := c.GetAuthenticatedUser(ctx)
			return err
		}},
		{"getIntegrationInstallationById", "no createdAt", func(m map[string]any) { delete(m, "createdAt") }, func(ctx context.Context, c *upstream.Client) error {
			_, err := c.GetIntegrationInstallation(ctx, "slack", "inst-acme-slack")
			return err
		}},
		{"listOrganizationInstallations", "an integration without its name", func(m map[string]any) { delete(item0(m)["integration"].(map[string]any), "name") }, func(ctx context.Context, c *upstream.Client) error {
			_, err := c.ListOrganizationInstallations(ctx, "acme", upstream.ListOrganizationInstallationsOptions{})
			return err
		}},
		{"listOrganizationInstallations", "an item without its installation", func(m map[string]any) { delete(item0(m), "installation") }, func(ctx context.Context, c *upstream.Client) error {
			_, err := c.ListOrganizationInstallations(ctx, "acme", upstream.ListOrganizationInstallationsOptions{})
			return err
		}},
		{"listIntegrations", "no items", func(m map[string]any) { delete(m, "items") }, func(ctx context.Context, c *upstream.Client) error {
			_, err := c.ListIntegrations(ctx, upstream.ListIntegrationsOptions{})
			return err
		}},
		{"listIntegrations", "an integration without its owner's id", func(m map[string]any) { delete(item0(m)["owner"].(map[string]any), "id") }, func(ctx context.Context, c *upstream.Client) error {
			_, err := c.ListIntegrations(ctx, upstream.ListIntegrationsOptions{})
			return err
		}},
		{"listIntegrationInstallationSpaces", "an item without its space", func(m map[string]any) { delete(item0(m), "space") }, func(ctx context.Context, c *upstream.Client) error {
			_, err := c.ListIntegrationInstallationSpaces(ctx, "slack", "inst-acme-slack", upstream.ListOptions{})
			return err
		}},
		{"listIntegrationInstallationSpaces", "an extended space without its organization", func(m map[string]any) {
			delete(item0(m)["space"].(map[string]any), "organization")
		}, func(ctx context.Context, c *upstream.Client) error {
			_, err := c.ListIntegrationInstallationSpaces(ctx, "slack", "inst-acme-slack", upstream.ListOptions{})
			return err
		}},
	} {
		t.Run(tc.op+"/"+tc.name, func(t *testing.T) {
			srv := newServer(t, gitbooksim.Options{Fault: gitbooksim.FailAlways(tc.op, gitbooksim.Fault{Rewrite: func(a any) any {
				tc.doctor(a.(map[string]any))
				return a
			}})})
			err := tc.call(t.Context(), newClient(t, srv, nil))
			if e := asError(t, srv, err); !errors.Is(err, upstream.ErrBadResponse) || e.Op != tc.op || e.Transient() {
				t.Errorf("error %v, want a bad response to %s", err, tc.op)
			}
			if n := srv.CallCount(""); n != 1 {
				t.Errorf("%d calls, want 1", n)
			}
		})
	}
}

func item0(list map[string]any) map[string]any { return list["items"].([]any)[0].(map[string]any) }

// A GitBook newer than the spec is read: unknown values and properties
// break nothing in the walk's answers.
func TestWalkAnswersFromANewerGitBookAreRead(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{Fault: gitbooksim.FailAlways("", gitbooksim.Drift())})
	c := newClient(t, srv, nil)
	if _, err := c.GetAuthenticatedUser(t.Context()); err != nil {
		t.Errorf("getAuthenticatedUser: %v", err)
	}
	if _, err := c.GetIntegrationInstallation(t.Context(), "slack", "inst-acme-slack"); err != nil {
		t.Errorf("getIntegrationInstallationById: %v", err)
	}
	for op, read := range walkPages {
		if _, _, err := read(t.Context(), c, upstream.ListOptions{}); err != nil {
			t.Errorf("%s: %v", op, err)
		}
	}
	l, err := c.ListOrganizationInstallations(t.Context(), "acme", upstream.ListOrganizationInstallationsOptions{Search: "slack"})
	if err != nil || len(l.Items) != 1 {
		t.Fatalf("acme's slack: %+v, %v", l, err)
	}
	if in := l.Items[0].Integration; in.Target != upstream.IntegrationTarget(gitbooksim.DriftValues["target"]) {
		t.Errorf("slack's target %q, want GitBook's new value kept", in.Target)
	}
}

// Error answers of the walk's operations are typed as the others are, and
// GETs are retried when they failed transiently.
func TestWalkErrorAnswers(t *testing.T) {
	srv, c := setup(t)
	reader := c.WithAuthorization("Bearer " + gitbooksim.ReaderToken)
	_, err := reader.ListOrganizationSpaces(t.Context(), "northwind", upstream.ListOptions{})
	if e := asError(t, srv, err); e.StatusCode != http.StatusNotFound || e.Message != "Organization not found" || e.Transient() {
		t.Errorf("another organization's spaces: %+v", e)
	}
	_, err = reader.GetIntegrationInstallation(t.Context(), "slack", "inst-northwind-slack")
	if e := asError(t, srv, err); e.StatusCode != http.StatusNotFound {
		t.Errorf("another organization's installation: %+v", e)
	}
	_, err = c.WithAuthorization("Bearer gb_nobody").GetAuthenticatedUser(t.Context())
	if e := asError(t, srv, err); e.StatusCode != http.StatusUnauthorized {
		t.Errorf("an unknown token: %+v", e)
	}
	srv.ResetStats()
	srv.SetFault(gitbooksim.FailFirst("listOrganizationsForAuthenticatedUser", 1, gitbooksim.Fault{Status: http.StatusServiceUnavailable}))
	if l, err := c.ListOrganizations(t.Context(), upstream.ListOptions{}); err != nil || len(l.Items) != 3 {
		t.Errorf("after one 503: %+v, %v", l, err)
	}
	if got := statuses(srv); !slices.Equal(got, []int{http.StatusServiceUnavailable, http.StatusOK}) {
		t.Errorf("statuses %v, want a 503 then a 200", got)
	}
}
