package graph

import (
	"context"
	"errors"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/99designs/gqlgen/graphql"
	"github.com/gitbook-graphql/facade/graph/model"
	"github.com/gitbook-graphql/facade/loader"
	"github.com/gitbook-graphql/facade/upstream"
)

// Resolvers stay thin: what several of them share lives here.

var errNoLoaders = errors.New("graph: no loaders in the request context")

func loadersFor(ctx context.Context) (*loader.Loaders, error) {
	if l := loader.For(ctx); l != nil {
		return l, nil
	}
	return nil, errNoLoaders
}

func checkID(arg, id string) error {
	if err := upstream.ValidateEntityID(id); err != nil {
		return &inputError{arg: arg, reason: err.Error()}
	}
	return nil
}

func checkIntegrationName(arg, name string) error {
	if err := upstream.ValidateIntegrationName(name); err != nil {
		return &inputError{arg: arg, reason: err.Error()}
	}
	return nil
}

func (r *Resolver) fetchSpace(ctx context.Context, id string) (*model.Space, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	r.prefetchSpaceLists(ctx, l, id)
	s, err := l.Space(ctx, id)
	if err != nil {
		return nil, err
	}
	return model.SpaceFromREST(s), nil
}

// fetchSpaces answers spaces(ids:): one entry per id, in order. An id that
// fails gives null at its index, with its error at that index's path, and
// does not fail its siblings.
func (r *Resolver) fetchSpaces(ctx context.Context, ids []string) ([]*model.Space, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Space, len(ids))
	valid := make([]string, 0, len(ids))
	at := make([]int, 0, len(ids))
	for i, id := range ids {
		if err := checkID("ids", id); err != nil {
			addErrorAt(ctx, i, err)
			continue
		}
		valid = append(valid, id)
		at = append(at, i)
	}
	r.prefetchSpaceLists(ctx, l, valid...)
	spaces, errs := l.Spaces(ctx, valid)
	for j, i := range at {
		if errs[j] != nil {
			addErrorAt(ctx, i, errs[j])
			continue
		}
		out[i] = model.SpaceFromREST(spaces[j])
	}
	return out, nil
}

// addErrorAt reports err at the index i of the current list field.
func addErrorAt(ctx context.Context, i int, err error) {
	path := append(append(ast.Path{}, graphql.GetPath(ctx)...), ast.PathIndex(i))
	graphql.AddError(ctx, &gqlerror.Error{Err: err, Message: err.Error(), Path: path})
}

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

func (r *Resolver) fetchSpaceIntegrationBlocks(ctx context.Context, spaceID string) ([]model.SpaceIntegrationBlocks, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	blocks, err := l.SpaceIntegrationBlocks(ctx, spaceID)
	if err != nil {
		return nil, err
	}
	// The integrations the blocks name may be on their way in a list of the
	// space's integrations sent with the blocks: wait for it rather than
	// fetch them again by name. The rest are all enabled on the space, so
	// its list holds them too: read it where that costs fewer calls.
	if selects(ctx, "integration") {
		l.AwaitListedIntegrations(spaceID)
		names := make([]string, len(blocks))
		for i, b := range blocks {
			names[i] = b.Name
		}
		l.LoadEnabledIntegrations(ctx, spaceID, names, r.pageSize())
	}
	return model.SpaceIntegrationBlocksFromREST(blocks), nil
}

func checkInstallationArgs(integration, installation, space string) error {
	if err := checkIntegrationName("integration", integration); err != nil {
		return err
	}
	if err := checkID("installation", installation); err != nil {
		return err
	}
	return checkID("space", space)
}

// selects says whether the current field's selection includes field.
func selects(ctx context.Context, field string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == field {
			return true
		}
	}
	return false
}
