package graph

import (
	"context"

	"github.com/gitbook-graphql/facade/graph/model"
)

// Organizations and integrations, each by its key, through the loaders
// (which may already hold them from a page that embedded them).

func fetchOrganization(ctx context.Context, id string) (*model.Organization, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	o, err := l.Organization(ctx, id)
	if err != nil {
		return nil, err
	}
	return model.OrganizationFromREST(o), nil
}

// fetchSpaceOrganization is a space's organization, which a list of the
// space's integrations on its way may embed.
func fetchSpaceOrganization(ctx context.Context, spaceID, organizationID string) (*model.Organization, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	o, err := l.SpaceOrganization(ctx, spaceID, organizationID)
	if err != nil {
		return nil, err
	}
	return model.OrganizationFromREST(o), nil
}

func fetchIntegration(ctx context.Context, name string) (*model.Integration, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	in, err := l.Integration(ctx, name)
	if err != nil {
		return nil, err
	}
	return model.IntegrationFromREST(in), nil
}
