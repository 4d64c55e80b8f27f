package graph

import (
	"context"

	"github.com/gitbook-graphql/facade/graph/model"
)

// Organizations and integrations, each by its key, through the loaders
// (which may already hold them from a page that embedded them, or wait for
// one under way: loader's embeds.go).

func fetchOrganization(ctx context.Context, id string) (*model.Organization, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	o, err := l.Organization(ctx, depthOf(ctx), id)
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
	in, err := l.Integration(ctx, depthOf(ctx), name)
	if err != nil {
		return nil, err
	}
	return model.IntegrationFromREST(in), nil
}
