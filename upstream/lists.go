package upstream

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// The paged lists the walk from a token reads: each answer is the spec's
// List with its `items`, each item held to what the spec requires.

// OrganizationList is listOrganizationsForAuthenticatedUser's answer.
type OrganizationList struct {
	List
	Items []Organization `json:"items"`
}

// SpaceList is listSpacesInOrganizationById's answer.
type SpaceList struct {
	List
	Items []Space `json:"items"`
}

// OrganizationInstallationList is listOrganizationInstallations' answer:
// each installation next to its integration.
type OrganizationInstallationList struct {
	List
	Items []OrganizationInstallation `json:"items"`
}

// OrganizationInstallation is an item of listOrganizationInstallations.
type OrganizationInstallation struct {
	Installation IntegrationInstallation `json:"installation"`
	Integration  Integration             `json:"integration"`
}

// IntegrationInstallationList is listIntegrationInstallations' answer.
type IntegrationInstallationList struct {
	List
	Items []IntegrationInstallation `json:"items"`
}

// IntegrationSpaceInstallationList is listIntegrationInstallationSpaces'
// answer.
type IntegrationSpaceInstallationList struct {
	List
	Items []IntegrationSpaceInstallation `json:"items"`
}

// ListOrganizations calls listOrganizationsForAuthenticatedUser for one page.
func (c *Client) ListOrganizations(ctx context.Context, opts ListOptions) (*OrganizationList, error) {
	const op = "listOrganizationsForAuthenticatedUser"
	q, err := opts.query(op)
	if err != nil {
		return nil, err
	}
	return getList[OrganizationList](c, ctx, op, c.path("orgs"), q)
}

// ListOrganizationSpaces calls listSpacesInOrganizationById for one page.
func (c *Client) ListOrganizationSpaces(ctx context.Context, organizationID string, opts ListOptions) (*SpaceList, error) {
	const op = "listSpacesInOrganizationById"
	if err := checkEntityID(op, "organizationId", organizationID); err != nil {
		return nil, err
	}
	q, err := opts.query(op)
	if err != nil {
		return nil, err
	}
	return getList[SpaceList](c, ctx, op, c.path("orgs", organizationID, "spaces"), q)
}

// ListOrganizationInstallationsOptions narrows listOrganizationInstallations.
type ListOrganizationInstallationsOptions struct {
	Search string // the spec's `search`: the integration's name; empty for none
	ListOptions
}

// ListOrganizationInstallations calls listOrganizationInstallations for one
// page.
func (c *Client) ListOrganizationInstallations(ctx context.Context, organizationID string, opts ListOrganizationInstallationsOptions) (*OrganizationInstallationList, error) {
	const op = "listOrganizationInstallations"
	if err := checkEntityID(op, "organizationId", organizationID); err != nil {
		return nil, err
	}
	q, err := opts.query(op)
	if err != nil {
		return nil, err
	}
	if opts.Search != "" {
		q.Set("search", opts.Search)
	}
	return getList[OrganizationInstallationList](c, ctx, op, c.path("orgs", organizationID, "installations"), q)
}

// ListIntegrationsOptions are listIntegrations' filters: the marketplace.
// Zero values filter nothing.
type ListIntegrationsOptions struct {
	Search         string
	Category       IntegrationCategory
	BlockDomain    string // the spec's pattern ^[a-zA-Z0-9-_.]+$, at most 100 characters
	Blocks         *bool  // only integrations with blocks (true) or without (false)
	ContentSources *bool  // likewise for content sources
	Owner          string // an organization's ID
	Scope          IntegrationScope
	Target         IntegrationTarget
	ListOptions
}

// MaxBlockDomainLength is the spec's maxLength for blockDomain.
const MaxBlockDomainLength = 100

// ValidateBlockDomain checks listIntegrations' blockDomain against the
// spec's pattern and maxLength.
func ValidateBlockDomain(domain string) error {
	if len(domain) > MaxBlockDomainLength {
		return &InvalidIDError{"is longer than " + strconv.Itoa(MaxBlockDomainLength) + " characters"}
	}
	for i := 0; i < len(domain); i++ {
		ch := domain[i]
		if !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || ch == '_' || ch == '-' || ch == '.') {
			return &InvalidIDError{"may hold only letters, digits, '_', '-' and '.'"}
		}
	}
	return nil
}

// ListIntegrations calls listIntegrations for one page.
func (c *Client) ListIntegrations(ctx context.Context, opts ListIntegrationsOptions) (*IntegrationList, error) {
	const op = "listIntegrations"
	q, err := opts.query(op)
	if err != nil {
		return nil, err
	}
	if opts.BlockDomain != "" {
		if err := ValidateBlockDomain(opts.BlockDomain); err != nil {
			return nil, invalidArgument(op, "blockDomain", err.Error())
		}
		q.Set("blockDomain", opts.BlockDomain)
	}
	if opts.Owner != "" {
		if err := checkEntityID(op, "owner", opts.Owner); err != nil {
			return nil, err
		}
		q.Set("owner", opts.Owner)
	}
	setString(q, "search", opts.Search)
	setString(q, "category", string(opts.Category))
	setString(q, "scope", string(opts.Scope))
	setString(q, "target", string(opts.Target))
	setBool(q, "blocks", opts.Blocks)
	setBool(q, "contentSources", opts.ContentSources)
	return getList[IntegrationList](c, ctx, op, c.path("integrations"), q)
}

// ListIntegrationInstallations calls listIntegrationInstallations for one
// page. GitBook may answer 403 to anyone but the integration's owner.
func (c *Client) ListIntegrationInstallations(ctx context.Context, integration string, opts ListOptions) (*IntegrationInstallationList, error) {
	const op = "listIntegrationInstallations"
	if err := checkIntegrationName(op, integration); err != nil {
		return nil, err
	}
	q, err := opts.query(op)
	if err != nil {
		return nil, err
	}
	return getList[IntegrationInstallationList](c, ctx, op, c.path("integrations", integration, "installations"), q)
}

// GetIntegrationInstallation calls getIntegrationInstallationById.
func (c *Client) GetIntegrationInstallation(ctx context.Context, integration, installationID string) (*IntegrationInstallation, error) {
	const op = "getIntegrationInstallationById"
	if err := checkIntegrationName(op, integration); err != nil {
		return nil, err
	}
	if err := checkEntityID(op, "installationId", installationID); err != nil {
		return nil, err
	}
	in, err := get[IntegrationInstallation](c, ctx, op, c.path("integrations", integration, "installations", installationID), nil)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, badResponse(op, err)
	}
	return in, nil
}

// ListIntegrationInstallationSpaces calls listIntegrationInstallationSpaces
// for one page, with `extended`, so that each item carries its whole space
// (the facade serves the space at no call more); a GitBook that sends ids
// anyway is read as well.
func (c *Client) ListIntegrationInstallationSpaces(ctx context.Context, integration, installationID string, opts ListOptions) (*IntegrationSpaceInstallationList, error) {
	const op = "listIntegrationInstallationSpaces"
	if err := checkIntegrationName(op, integration); err != nil {
		return nil, err
	}
	if err := checkEntityID(op, "installationId", installationID); err != nil {
		return nil, err
	}
	q, err := opts.query(op)
	if err != nil {
		return nil, err
	}
	q.Set("extended", "true")
	path := c.path("integrations", integration, "installations", installationID, "spaces")
	return getList[IntegrationSpaceInstallationList](c, ctx, op, path, q)
}

// pageItems is what getList needs of a page: its items' presence and
// count, and the check of one.
type pageItems interface {
	items() (n int, present bool)
	checkItem(i int) error
}

// getList reads one page of a list and holds its items to the spec.
func getList[T any, P interface {
	*T
	pageItems
}](c *Client, ctx context.Context, op, path string, q url.Values) (*T, error) {
	list, err := get[T](c, ctx, op, path, q)
	if err != nil {
		return nil, err
	}
	n, present := P(list).items()
	if !present {
		return nil, badResponse(op, errMissing("items"))
	}
	for i := 0; i < n; i++ {
		if err := P(list).checkItem(i); err != nil {
			return nil, badResponse(op, fmt.Errorf("items[%d]: %w", i, err))
		}
	}
	return list, nil
}

func (l *OrganizationList) items() (int, bool)    { return len(l.Items), l.Items != nil }
func (l *OrganizationList) checkItem(i int) error { return l.Items[i].validate() }

func (l *SpaceList) items() (int, bool)    { return len(l.Items), l.Items != nil }
func (l *SpaceList) checkItem(i int) error { return l.Items[i].validate() }

func (l *IntegrationList) items() (int, bool)    { return len(l.Items), l.Items != nil }
func (l *IntegrationList) checkItem(i int) error { return l.Items[i].validate() }

func (l *IntegrationInstallationList) items() (int, bool)    { return len(l.Items), l.Items != nil }
func (l *IntegrationInstallationList) checkItem(i int) error { return l.Items[i].validate() }

func (l *IntegrationSpaceInstallationList) items() (int, bool)    { return len(l.Items), l.Items != nil }
func (l *IntegrationSpaceInstallationList) checkItem(i int) error { return l.Items[i].validate() }

func (l *OrganizationInstallationList) items() (int, bool) { return len(l.Items), l.Items != nil }
func (l *OrganizationInstallationList) checkItem(i int) error {
	if err := l.Items[i].Installation.validate(); err != nil {
		return fmt.Errorf("installation: %w", err)
	}
	if err := l.Items[i].Integration.validate(); err != nil {
		return fmt.Errorf("integration: %w", err)
	}
	return nil
}

func setString(q url.Values, name, v string) {
	if v != "" {
		q.Set(name, v)
	}
}

func setBool(q url.Values, name string, v *bool) {
	if v != nil {
		q.Set(name, strconv.FormatBool(*v))
	}
}
