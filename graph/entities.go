package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gitbook-graphql/facade/graph/model"
)

// Federation: a gateway sends _entities the representations (keys) of
// entities another subgraph holds. They resolve through the request's
// loaders, so each distinct key is fetched once and all go out together; a
// representation that fails is null at its index with its own error, and
// the others answer.

// keyOnly says whether the entity's selection asks for nothing that needs
// the entity fetched: its key, and fields resolved from the key alone.
func keyOnly(ctx context.Context, typeName string, fromKey ...string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{typeName}) {
		if f.Name != "__typename" && !contains(fromKey, f.Name) {
			return false
		}
	}
	return true
}

// resolveEntities answers one entity type's representations: stubs holding
// only the key when the selection needs no more, else loaded and mapped.
// Per-index failures come back as a graphql.BatchErrorList.
func resolveEntities[U, M any](ctx context.Context, keys []string, check func(arg, key string) error,
	stub func(string) *M, loadMany func(context.Context, []string) ([]*U, []error), mapFn func(*U) *M,
) ([]*M, error) {
	out := make([]*M, len(keys))
	errs := make(graphql.BatchErrorList, len(keys))
	valid, at := make([]string, 0, len(keys)), make([]int, 0, len(keys))
	for i, key := range keys {
		if err := check("representations", key); err != nil {
			errs[i] = err
			continue
		}
		valid, at = append(valid, key), append(at, i)
	}
	if stub != nil {
		for j, i := range at {
			out[i] = stub(valid[j])
		}
	} else {
		values, loadErrs := loadMany(ctx, valid)
		for j, i := range at {
			if loadErrs[j] != nil {
				errs[i] = loadErrs[j]
				continue
			}
			out[i] = mapFn(values[j])
		}
	}
	for _, err := range errs {
		if err != nil {
			return out, errs
		}
	}
	return out, nil
}

func (r *Resolver) spaceEntities(ctx context.Context, ids []string) ([]*model.Space, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	var stub func(string) *model.Space
	if keyOnly(ctx, "Space", "id", "integrations", "integrationBlocks") {
		stub = func(id string) *model.Space { return &model.Space{ID: id} }
	}
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if checkID("representations", id) == nil {
			valid = append(valid, id)
		}
	}
	r.prefetchSpaceLists(ctx, l, valid...)
	return resolveEntities(ctx, ids, checkID, stub, l.Spaces, model.SpaceFromREST)
}

func organizationEntities(ctx context.Context, ids []string) ([]*model.Organization, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	var stub func(string) *model.Organization
	if keyOnly(ctx, "Organization", "id") {
		stub = func(id string) *model.Organization { return &model.Organization{ID: id} }
	}
	return resolveEntities(ctx, ids, checkID, stub, l.Organizations, model.OrganizationFromREST)
}

func integrationEntities(ctx context.Context, names []string) ([]*model.Integration, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	var stub func(string) *model.Integration
	if keyOnly(ctx, "Integration", "name") {
		stub = func(name string) *model.Integration { return &model.Integration{Name: name} }
	}
	return resolveEntities(ctx, names, checkIntegrationName, stub, l.Integrations, model.IntegrationFromREST)
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
