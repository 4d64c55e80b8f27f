package upstream_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// The operations of the walk from a token, against the simulator.

func TestGetAuthenticatedUser(t *testing.T) {
	_, c := setup(t)
	u, err := c.GetAuthenticatedUser(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == "" || u.DisplayName == "" || u.URLs.Location == "" {
		t.Errorf("user = %+v", u)
	}
}

func TestListOrganizationsPagesOneAtATime(t *testing.T) {
	srv, c := setup(t)
	var ids []string
	opts := upstream.ListOptions{Limit: 1}
	for pages := 0; ; pages++ {
		list, err := c.ListOrganizations(t.Context(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != 1 || list.Count == nil {
			t.Fatalf("page %d: %+v", pages, list)
		}
		ids = append(ids, list.Items[0].ID)
		if list.Next == nil {
			break
		}
		opts.Page = list.Next.Page
	}
	if len(ids) != 3 || ids[0] != "acme" {
		t.Errorf("the demo administrator's organizations: %v", ids)
	}
	if got := srv.Counts()["listOrganizationsForAuthenticatedUser"]; got != len(ids) {
		t.Errorf("%d calls for %d pages", got, len(ids))
	}
}

func TestListOrganizationSpacesAndInstallations(t *testing.T) {
	_, c := setup(t)
	spaces, err := c.ListOrganizationSpaces(t.Context(), "acme", upstream.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range spaces.Items {
		if s.Organization != "acme" || !s.Permissions.Admin {
			t.Errorf("space %s of %s, admin %v", s.ID, s.Organization, s.Permissions.Admin)
		}
	}
	inst, err := c.ListOrganizationInstallations(t.Context(), "acme", upstream.ListOrganizationInstallationsOptions{Search: "slack"})
	if err != nil {
		t.Fatal(err)
	}
	if len(inst.Items) != 1 || inst.Items[0].Integration.Name != "slack" || inst.Items[0].Installation.Target.Organization != "acme" {
		t.Errorf("acme's slack installations: %+v", inst.Items)
	}
}

func TestIntegrationInstallationsAreTheOwners(t *testing.T) {
	_, c := setup(t)
	_, err := c.ListIntegrationInstallations(t.Context(), "slack", upstream.ListOptions{})
	var e *upstream.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusForbidden {
		t.Fatalf("slack's installations to acme's admin: %v, want 403", err)
	}
	own, err := c.ListIntegrationInstallations(t.Context(), "acme-status", upstream.ListOptions{})
	if err != nil || len(own.Items) == 0 {
		t.Fatalf("acme-status's installations to its owner: %v, %v", own, err)
	}
	one, err := c.GetIntegrationInstallation(t.Context(), "acme-status", own.Items[0].ID)
	if err != nil || one.ID != own.Items[0].ID {
		t.Fatalf("getIntegrationInstallationById: %+v, %v", one, err)
	}
}

func TestInstallationSpacesAreExtended(t *testing.T) {
	srv, c := setup(t)
	list, err := c.ListIntegrationInstallationSpaces(t.Context(), "slack", "inst-acme-slack", upstream.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) == 0 {
		t.Fatal("slack is enabled on no acme space")
	}
	for _, item := range list.Items {
		if item.Space.Space == nil || item.Space.Space.ID != item.Space.ID {
			t.Errorf("item %+v does not hold its space", item)
		}
	}
	if q := srv.Calls()[0].Query.Get("extended"); q != "true" {
		t.Errorf("extended=%q, want true", q)
	}
}

func TestMarketplaceFiltersAreSentAsTheSpecNamesThem(t *testing.T) {
	srv, c := setup(t)
	yes := true
	list, err := c.ListIntegrations(t.Context(), upstream.ListIntegrationsOptions{
		Category: upstream.IntegrationCategoryCollaboration, Blocks: &yes, BlockDomain: "atlassian.net",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].Name != "jira" {
		t.Errorf("collaboration integrations with blocks unfurling atlassian.net: %d items", len(list.Items))
	}
	q := srv.Calls()[0].Query
	if q.Get("category") != "collaboration" || q.Get("blocks") != "true" || q.Get("blockDomain") != "atlassian.net" || q.Has("contentSources") {
		t.Errorf("query %v", q)
	}
}

func TestWalkArgumentsAreCheckedBeforeAnyCall(t *testing.T) {
	srv, c := setup(t)
	long := strings.Repeat("a", upstream.MaxBlockDomainLength+1)
	for name, call := range map[string]func() error{
		"organization id": func() error {
			_, err := c.ListOrganizationSpaces(t.Context(), "../orgs", upstream.ListOptions{})
			return err
		},
		"limit": func() error {
			_, err := c.ListOrganizations(t.Context(), upstream.ListOptions{Limit: 1001})
			return err
		},
		"block domain": func() error {
			_, err := c.ListIntegrations(t.Context(), upstream.ListIntegrationsOptions{BlockDomain: "a/b"})
			return err
		},
		"owner": func() error {
			_, err := c.ListIntegrations(t.Context(), upstream.ListIntegrationsOptions{Owner: "a b"})
			return err
		},
		"installation id": func() error {
			_, err := c.GetIntegrationInstallation(t.Context(), "slack", "a?b")
			return err
		},
		"integration name": func() error {
			_, err := c.ListIntegrationInstallationSpaces(t.Context(), "..", "i", upstream.ListOptions{})
			return err
		},
		"organization id of installations": func() error {
			_, err := c.ListOrganizationInstallations(t.Context(), "", upstream.ListOrganizationInstallationsOptions{})
			return err
		},
		"negative limit": func() error {
			_, err := c.ListIntegrations(t.Context(), upstream.ListIntegrationsOptions{ListOptions: upstream.ListOptions{Limit: -1}})
			return err
		},
		"block domain too long": func() error {
			_, err := c.ListIntegrations(t.Context(), upstream.ListIntegrationsOptions{BlockDomain: long})
			return err
		},
		"integration name of installations": func() error {
			_, err := c.ListIntegrationInstallations(t.Context(), "slack/../x", upstream.ListOptions{})
			return err
		},
		"limit of installations": func() error {
			_, err := c.ListIntegrationInstallations(t.Context(), "slack", upstream.ListOptions{Limit: upstream.MaxListLimit + 1})
			return err
		},
		"integration name of an installation": func() error {
			_, err := c.GetIntegrationInstallation(t.Context(), "", "inst-acme-slack")
			return err
		},
		"installation id of spaces": func() error {
			_, err := c.ListIntegrationInstallationSpaces(t.Context(), "slack", "inst/../x", upstream.ListOptions{})
			return err
		},
		"limit of spaces": func() error {
			_, err := c.ListOrganizationSpaces(t.Context(), "acme", upstream.ListOptions{Limit: -5})
			return err
		},
	} {
		if err := call(); !errors.Is(err, upstream.ErrInvalidArgument) {
			t.Errorf("%s: %v, want ErrInvalidArgument", name, err)
		}
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("%d calls made", n)
	}
}

func TestAWalkAnswerWithoutWhatTheSpecRequiresIsRefused(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{Fault: gitbooksim.FailAlways("", gitbooksim.Fault{Rewrite: func(answer any) any {
		if m, ok := answer.(map[string]any); ok {
			if items, ok := m["items"].([]any); ok && len(items) > 0 {
				delete(items[0].(map[string]any), "id") // an organization, a space, an installation without its key
				return m
			}
			delete(m, "items")
		}
		return answer
	}})})
	c := newClient(t, srv, nil)
	if _, err := c.ListOrganizations(t.Context(), upstream.ListOptions{}); !errors.Is(err, upstream.ErrBadResponse) {
		t.Errorf("organizations, the first without its id: %v", err)
	}
	if _, err := c.ListIntegrationInstallations(t.Context(), "acme-status", upstream.ListOptions{}); !errors.Is(err, upstream.ErrBadResponse) {
		t.Errorf("installations, the first without its id: %v", err)
	}
	if _, err := c.ListOrganizationSpaces(t.Context(), "acme", upstream.ListOptions{}); !errors.Is(err, upstream.ErrBadResponse) {
		t.Errorf("spaces, the first without its id: %v", err)
	}
}
