package graph

import (
	"context"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gitbook-graphql/facade/graph/model"
)

func (r *Resolver) fetchSpace(ctx context.Context, id string) (*model.Space, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	depth := depthOf(ctx)
	r.lists().prefetch(ctx, l, depth, graphql.CollectFieldsCtx(ctx, []string{"Space"}), id)
	endRootLists(ctx)
	s, err := l.Space(ctx, depth, id)
	if err != nil {
		return nil, err
	}
	return model.SpaceFromREST(s), nil
}

// MaxSpaceIDs bounds spaces(ids:), as 1000 bounds a connection's `first`:
// the SDL's @listSize(assumedSize:) on the field says it to gateways, which
// cannot count ids, so that their estimates hold for any list that runs.
const MaxSpaceIDs = 50

// fetchSpaces answers spaces(ids:): one entry per id, in order. An id that
// fails gives null at its index, with its error at that index's path, and
// does not fail its siblings.
func (r *Resolver) fetchSpaces(ctx context.Context, ids []string) ([]*model.Space, error) {
	if len(ids) > MaxSpaceIDs {
		return nil, &inputError{arg: "ids", reason: "at most " + strconv.Itoa(MaxSpaceIDs) + " ids, got " + strconv.Itoa(len(ids))}
	}
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
	r.lists().prefetch(ctx, l, depthOf(ctx), graphql.CollectFieldsCtx(ctx, []string{"Space"}), valid...)
	endRootLists(ctx)
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

func (r *Resolver) fetchSpaceIntegrationBlocks(ctx context.Context, spaceID string) ([]model.SpaceIntegrationBlocks, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	blocks, err := l.SpaceIntegrationBlocks(ctx, spaceID)
	if err != nil {
		return nil, err
	}
	if selects(ctx, "integration") {
		r.lists().loadBlockIntegrations(ctx, l, spaceID, blocks)
	}
	return model.SpaceIntegrationBlocksFromREST(blocks), nil
}
