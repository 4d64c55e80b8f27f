package loader

import (
	"context"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/gitbook-graphql/facade/upstream"
)

// The walk from a token: who it is, its organizations, their spaces and
// installations, the marketplace, an integration's installations and the
// spaces an installation is enabled on. Each page is fetched once per
// request, and what a page embeds (spaces, organizations, integrations,
// installations) primes the loaders that would fetch it by its key, so that
// a field asking for it later, or `space(id:)` elsewhere in the request,
// costs no call.

// ListPage is the key of one page of a list under a parent (an
// organization's ID, an integration's name, an installation's key), with
// the list's filter (a search) where it has one.
type ListPage struct {
	Parent string
	Filter string
	Page   string // the upstream's page token; empty for the first page
	Limit  int
}

// MarketplacePage is the key of one page of listIntegrations, its filters
// as the strings they are sent as ("" for none).
type MarketplacePage struct {
	Search, Category, BlockDomain, Blocks, ContentSources, Owner, Scope, Target string

	Page  string
	Limit int
}

// InstallationKey names an installation: GitBook reads one by its
// integration and its ID.
type InstallationKey struct {
	Integration string
	ID          string
}

// walkLoaders are the loaders of the walk, made on first use like the others.
type walkLoaders struct {
	viewer                  lazyLoader[struct{}, *upstream.User]
	organizationPages       lazyLoader[ListPage, *upstream.OrganizationList]
	organizationSpacePages  lazyLoader[ListPage, *upstream.SpaceList]
	organizationInstallPage lazyLoader[ListPage, *upstream.OrganizationInstallationList]
	marketplacePages        lazyLoader[MarketplacePage, *upstream.IntegrationList]
	integrationInstallPages lazyLoader[ListPage, *upstream.IntegrationInstallationList]
	installations           lazyLoader[InstallationKey, *upstream.IntegrationInstallation]
	installationSpacePages  lazyLoader[ListPage, *upstream.IntegrationSpaceInstallationList]
}

// Viewer is getAuthenticatedUser.
func (l *Loaders) Viewer(ctx context.Context) (*upstream.User, error) {
	return load(ctx, l.walk.viewer.get(l, "viewer", func(l *Loaders, ctx context.Context, _ struct{}) (*upstream.User, error) {
		return l.client.GetAuthenticatedUser(ctx)
	}), struct{}{})
}

// OrganizationPage is a page of listOrganizationsForAuthenticatedUser.
func (l *Loaders) OrganizationPage(ctx context.Context, key ListPage) (*upstream.OrganizationList, error) {
	return load(ctx, l.walk.organizationPages.get(l, "organizationPages", func(l *Loaders, ctx context.Context, key ListPage) (*upstream.OrganizationList, error) {
		list, err := l.client.ListOrganizations(ctx, upstream.ListOptions{Page: key.Page, Limit: key.Limit})
		if err != nil {
			return nil, err
		}
		for i := range list.Items {
			l.primeOrganization(ctx, &list.Items[i])
		}
		l.embeds.primed()
		return list, nil
	}), key)
}

// OrganizationSpacePage is a page of listSpacesInOrganizationById.
func (l *Loaders) OrganizationSpacePage(ctx context.Context, key ListPage) (*upstream.SpaceList, error) {
	return load(ctx, l.organizationSpacePages(), key)
}

// PrefetchOrganizationSpacePage starts loading a page, asked for by a
// field at depth, without waiting for it.
func (l *Loaders) PrefetchOrganizationSpacePage(ctx context.Context, depth int, key ListPage) {
	prefetch(ctx, l, l.organizationSpacePages(), depth, KindSpace, key)
}

func (l *Loaders) organizationSpacePages() *dataloader.Loader[ListPage, *upstream.SpaceList] {
	return l.walk.organizationSpacePages.get(l, "organizationSpacePages", func(l *Loaders, ctx context.Context, key ListPage) (*upstream.SpaceList, error) {
		list, err := l.client.ListOrganizationSpaces(ctx, key.Parent, upstream.ListOptions{Page: key.Page, Limit: key.Limit})
		if err != nil {
			return nil, err
		}
		for i := range list.Items {
			l.primeSpace(ctx, &list.Items[i])
		}
		l.embeds.primed()
		return list, nil
	})
}

// OrganizationInstallationEmbeds is what a page of an organization's
// installations embeds: its integrations, their owners, the installations.
const OrganizationInstallationEmbeds = KindIntegration | KindOrganization | KindInstallation

// OrganizationInstallationPage is a page of listOrganizationInstallations.
func (l *Loaders) OrganizationInstallationPage(ctx context.Context, key ListPage) (*upstream.OrganizationInstallationList, error) {
	return load(ctx, l.organizationInstallationPages(), key)
}

// PrefetchOrganizationInstallationPage starts loading a page, asked for by
// a field at depth, without waiting for it.
func (l *Loaders) PrefetchOrganizationInstallationPage(ctx context.Context, depth int, key ListPage) {
	prefetch(ctx, l, l.organizationInstallationPages(), depth, OrganizationInstallationEmbeds, key)
}

func (l *Loaders) organizationInstallationPages() *dataloader.Loader[ListPage, *upstream.OrganizationInstallationList] {
	return l.walk.organizationInstallPage.get(l, "organizationInstallationPages", func(l *Loaders, ctx context.Context, key ListPage) (*upstream.OrganizationInstallationList, error) {
		list, err := l.client.ListOrganizationInstallations(ctx, key.Parent, upstream.ListOrganizationInstallationsOptions{
			Search: key.Filter, ListOptions: upstream.ListOptions{Page: key.Page, Limit: key.Limit},
		})
		if err != nil {
			return nil, err
		}
		for i := range list.Items {
			item := &list.Items[i]
			l.primeIntegration(ctx, &item.Integration)
			l.primeInstallation(ctx, item.Integration.Name, &item.Installation)
		}
		l.embeds.primed()
		return list, nil
	})
}

// MarketplacePage is a page of listIntegrations.
func (l *Loaders) MarketplacePage(ctx context.Context, key MarketplacePage) (*upstream.IntegrationList, error) {
	return load(ctx, l.walk.marketplacePages.get(l, "marketplacePages", func(l *Loaders, ctx context.Context, key MarketplacePage) (*upstream.IntegrationList, error) {
		list, err := l.client.ListIntegrations(ctx, key.options())
		if err != nil {
			return nil, err
		}
		for i := range list.Items {
			l.primeIntegration(ctx, &list.Items[i])
		}
		l.embeds.primed()
		return list, nil
	}), key)
}

// IntegrationInstallationPage is a page of listIntegrationInstallations.
func (l *Loaders) IntegrationInstallationPage(ctx context.Context, key ListPage) (*upstream.IntegrationInstallationList, error) {
	return load(ctx, l.walk.integrationInstallPages.get(l, "integrationInstallationPages", func(l *Loaders, ctx context.Context, key ListPage) (*upstream.IntegrationInstallationList, error) {
		list, err := l.client.ListIntegrationInstallations(ctx, key.Parent, upstream.ListOptions{Page: key.Page, Limit: key.Limit})
		if err != nil {
			return nil, err
		}
		for i := range list.Items {
			l.primeInstallation(ctx, key.Parent, &list.Items[i])
		}
		l.embeds.primed()
		return list, nil
	}), key)
}

// Installation is getIntegrationInstallationById, unless a list held it.
func (l *Loaders) Installation(ctx context.Context, key InstallationKey) (*upstream.IntegrationInstallation, error) {
	return load(ctx, l.installationLoader(), key)
}

// Installations loads several installations together, like Spaces.
func (l *Loaders) Installations(ctx context.Context, keys []InstallationKey) ([]*upstream.IntegrationInstallation, []error) {
	return loadMany(ctx, l.installationLoader(), keys)
}

func (l *Loaders) installationLoader() *dataloader.Loader[InstallationKey, *upstream.IntegrationInstallation] {
	return l.walk.installations.get(l, "installations", func(l *Loaders, ctx context.Context, key InstallationKey) (*upstream.IntegrationInstallation, error) {
		return l.client.GetIntegrationInstallation(ctx, key.Integration, key.ID)
	})
}

// InstallationSpacePage is a page of listIntegrationInstallationSpaces;
// Parent is the installation's integration and ID, as InstallationParent
// writes them.
func (l *Loaders) InstallationSpacePage(ctx context.Context, key ListPage) (*upstream.IntegrationSpaceInstallationList, error) {
	return load(ctx, l.installationSpacePages(), key)
}

// PrefetchInstallationSpacePage starts loading a page, asked for by a field
// at depth, without waiting for it.
func (l *Loaders) PrefetchInstallationSpacePage(ctx context.Context, depth int, key ListPage) {
	prefetch(ctx, l, l.installationSpacePages(), depth, KindSpace, key)
}

func (l *Loaders) installationSpacePages() *dataloader.Loader[ListPage, *upstream.IntegrationSpaceInstallationList] {
	return l.walk.installationSpacePages.get(l, "installationSpacePages", func(l *Loaders, ctx context.Context, key ListPage) (*upstream.IntegrationSpaceInstallationList, error) {
		in, ok := parseInstallationParent(key.Parent)
		if !ok {
			return nil, &upstream.Error{Op: "listIntegrationInstallationSpaces", Kind: upstream.ErrInvalidArgument}
		}
		list, err := l.client.ListIntegrationInstallationSpaces(ctx, in.Integration, in.ID, upstream.ListOptions{Page: key.Page, Limit: key.Limit})
		if err != nil {
			return nil, err
		}
		for i := range list.Items {
			if s := list.Items[i].Space.Space; s != nil {
				l.primeSpace(ctx, s)
			}
		}
		l.embeds.primed()
		return list, nil
	})
}

// InstallationParent is the Parent of an installation's pages.
func InstallationParent(k InstallationKey) string { return k.Integration + "/" + k.ID }

func parseInstallationParent(s string) (InstallationKey, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return InstallationKey{Integration: s[:i], ID: s[i+1:]}, true
		}
	}
	return InstallationKey{}, false
}

func (k MarketplacePage) options() upstream.ListIntegrationsOptions {
	o := upstream.ListIntegrationsOptions{
		Search: k.Search, Category: upstream.IntegrationCategory(k.Category), BlockDomain: k.BlockDomain,
		Owner: k.Owner, Scope: upstream.IntegrationScope(k.Scope), Target: upstream.IntegrationTarget(k.Target),
		ListOptions: upstream.ListOptions{Page: k.Page, Limit: k.Limit},
	}
	o.Blocks, o.ContentSources = boolOf(k.Blocks), boolOf(k.ContentSources)
	return o
}

func boolOf(s string) *bool {
	if s == "" {
		return nil
	}
	b := s == "true"
	return &b
}

func (l *Loaders) primeSpace(ctx context.Context, s *upstream.Space) {
	l.spaces().Prime(ctx, s.ID, s)
}

func (l *Loaders) primeOrganization(ctx context.Context, o *upstream.Organization) {
	l.organizations().Prime(ctx, o.ID, o)
}

func (l *Loaders) primeIntegration(ctx context.Context, in *upstream.Integration) {
	l.integrations().Prime(ctx, in.Name, in)
	if in.Owner.ID != "" {
		l.organizations().Prime(ctx, in.Owner.ID, &in.Owner)
	}
}

func (l *Loaders) primeInstallation(ctx context.Context, integration string, in *upstream.IntegrationInstallation) {
	l.installationLoader().Prime(ctx, InstallationKey{Integration: integration, ID: in.ID}, in)
}
