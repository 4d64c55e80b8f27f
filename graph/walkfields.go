package graph

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gitbook-graphql/facade/graph/model"
	"github.com/gitbook-graphql/facade/loader"
	"github.com/gitbook-graphql/facade/upstream"
)

// The fields of the walk from a token, each through the request's loaders.

func (r *Resolver) viewer(ctx context.Context) (*upstream.User, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	return l.Viewer(ctx)
}

func (r *Resolver) organizationConnection(ctx context.Context, first *int, after *string) (*model.OrganizationConnection, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	defer endRootLists(ctx)
	lists := nodeListsOf(ctx, "Organization", organizationLists)
	defer l.Expect(lists.depth, loader.KindOrganization|lists.kinds).End()
	w, err := walkList(ctx, r, "listOrganizationsForAuthenticatedUser", listOf("organizations"), first, after,
		func(ctx context.Context, token string, limit int) (page[upstream.Organization], error) {
			list, err := l.OrganizationPage(ctx, loader.ListPage{Page: token, Limit: limit})
			if err != nil {
				return page[upstream.Organization]{}, err
			}
			return pageOf(list.Items, list.List), nil
		})
	if err != nil {
		return nil, err
	}
	r.askOrganizationLists(ctx, l, lists, w.items)
	conn := &model.OrganizationConnection{PageInfo: w.info, TotalCount: w.total,
		Nodes: make([]model.Organization, 0, len(w.items)), Edges: make([]model.OrganizationEdge, 0, len(w.cursors))}
	for i, o := range w.items {
		node := model.OrganizationFromREST(o)
		conn.Nodes = append(conn.Nodes, *node)
		if i < len(w.cursors) {
			conn.Edges = append(conn.Edges, model.OrganizationEdge{Node: *node, Cursor: w.cursors[i]})
		}
	}
	return conn, nil
}

func (r *Resolver) organizationSpaces(ctx context.Context, organizationID string, first *int, after *string) (*model.SpaceConnection, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	lists := nodeListsOf(ctx, "Space", spaceListEmbeds)
	defer l.Expect(lists.depth, loader.KindSpace|lists.kinds).End()
	w, err := walkList(ctx, r, "listSpacesInOrganizationById", listOf("organization.spaces", organizationID), first, after,
		func(ctx context.Context, token string, limit int) (page[upstream.Space], error) {
			list, err := l.OrganizationSpacePage(ctx, loader.ListPage{Parent: organizationID, Page: token, Limit: limit})
			if err != nil {
				return page[upstream.Space]{}, err
			}
			return pageOf(list.Items, list.List), nil
		})
	if err != nil {
		return nil, err
	}
	if len(lists.fields) > 0 {
		ids := make([]string, len(w.items))
		for i, s := range w.items {
			ids[i] = s.ID
		}
		r.lists().prefetch(ctx, l, lists.depth, lists.fields, ids...)
	}
	conn := &model.SpaceConnection{PageInfo: w.info, TotalCount: w.total,
		Nodes: make([]model.Space, 0, len(w.items)), Edges: make([]model.SpaceEdge, 0, len(w.cursors))}
	for i, s := range w.items {
		node := model.SpaceFromREST(s)
		conn.Nodes = append(conn.Nodes, *node)
		if i < len(w.cursors) {
			conn.Edges = append(conn.Edges, model.SpaceEdge{Node: *node, Cursor: w.cursors[i]})
		}
	}
	return conn, nil
}

func (r *Resolver) organizationInstallations(ctx context.Context, organizationID string, search *string, first *int, after *string) (*model.IntegrationInstallationConnection, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	q, err := checkSearch(search)
	if err != nil {
		return nil, err
	}
	lists := nodeListsOf(ctx, "IntegrationInstallation", installationLists)
	defer l.Expect(lists.depth, loader.OrganizationInstallationEmbeds|lists.kinds).End()
	w, err := walkList(ctx, r, "listOrganizationInstallations", listOf("organization.installations", organizationID, q), first, after,
		func(ctx context.Context, token string, limit int) (page[upstream.OrganizationInstallation], error) {
			list, err := l.OrganizationInstallationPage(ctx, loader.ListPage{Parent: organizationID, Filter: q, Page: token, Limit: limit})
			if err != nil {
				return page[upstream.OrganizationInstallation]{}, err
			}
			return pageOf(list.Items, list.List), nil
		})
	if err != nil {
		return nil, err
	}
	if len(lists.fields) > 0 {
		keys := make([]loader.InstallationKey, len(w.items))
		for i, item := range w.items {
			keys[i] = loader.InstallationKey{Integration: item.Integration.Name, ID: item.Installation.ID}
		}
		r.askInstallationLists(ctx, l, lists, keys)
	}
	return installationConnection(w, func(item *upstream.OrganizationInstallation) *model.IntegrationInstallation {
		return model.IntegrationInstallationFromREST(item.Integration.Name, &item.Installation)
	}), nil
}

func (r *Resolver) integrationInstallations(ctx context.Context, integration string, first *int, after *string) (*model.IntegrationInstallationConnection, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	lists := nodeListsOf(ctx, "IntegrationInstallation", installationLists)
	defer l.Expect(lists.depth, loader.KindInstallation|lists.kinds).End()
	w, err := walkList(ctx, r, "listIntegrationInstallations", listOf("integration.installations", integration), first, after,
		func(ctx context.Context, token string, limit int) (page[upstream.IntegrationInstallation], error) {
			list, err := l.IntegrationInstallationPage(ctx, loader.ListPage{Parent: integration, Page: token, Limit: limit})
			if err != nil {
				return page[upstream.IntegrationInstallation]{}, err
			}
			return pageOf(list.Items, list.List), nil
		})
	if err != nil {
		// GitBook lists an integration's installations to its owner alone:
		// the refusal is this field's, and the integration, and whatever
		// holds it, still answer.
		var ue *upstream.Error
		if errors.As(err, &ue) && ue.StatusCode == http.StatusForbidden {
			graphql.AddError(ctx, err)
			return &model.IntegrationInstallationConnection{Nodes: []model.IntegrationInstallation{}, Edges: []model.IntegrationInstallationEdge{}}, nil
		}
		return nil, err
	}
	if len(lists.fields) > 0 {
		keys := make([]loader.InstallationKey, len(w.items))
		for i, in := range w.items {
			keys[i] = loader.InstallationKey{Integration: integration, ID: in.ID}
		}
		r.askInstallationLists(ctx, l, lists, keys)
	}
	return installationConnection(w, func(in *upstream.IntegrationInstallation) *model.IntegrationInstallation {
		return model.IntegrationInstallationFromREST(integration, in)
	}), nil
}

func installationConnection[T any](w *walked[T], node func(*T) *model.IntegrationInstallation) *model.IntegrationInstallationConnection {
	conn := &model.IntegrationInstallationConnection{PageInfo: w.info, TotalCount: w.total,
		Nodes: make([]model.IntegrationInstallation, 0, len(w.items)), Edges: make([]model.IntegrationInstallationEdge, 0, len(w.cursors))}
	for i, item := range w.items {
		n := node(item)
		conn.Nodes = append(conn.Nodes, *n)
		if i < len(w.cursors) {
			conn.Edges = append(conn.Edges, model.IntegrationInstallationEdge{Node: *n, Cursor: w.cursors[i]})
		}
	}
	return conn
}

func (r *Resolver) installationSpaces(ctx context.Context, obj *model.IntegrationInstallation, first *int, after *string) (*model.IntegrationSpaceInstallationConnection, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	parent := loader.InstallationParent(loader.InstallationKey{Integration: obj.IntegrationName, ID: obj.ID})
	defer l.Expect(depthOf(ctx), loader.KindSpace).End()
	w, err := walkList(ctx, r, "listIntegrationInstallationSpaces", listOf("installation.spaceInstallations", parent), first, after,
		func(ctx context.Context, token string, limit int) (page[upstream.IntegrationSpaceInstallation], error) {
			list, err := l.InstallationSpacePage(ctx, loader.ListPage{Parent: parent, Page: token, Limit: limit})
			if err != nil {
				return page[upstream.IntegrationSpaceInstallation]{}, err
			}
			return pageOf(list.Items, list.List), nil
		})
	if err != nil {
		return nil, err
	}
	conn := &model.IntegrationSpaceInstallationConnection{PageInfo: w.info, TotalCount: w.total,
		Nodes: make([]model.IntegrationSpaceInstallation, 0, len(w.items)), Edges: make([]model.IntegrationSpaceInstallationEdge, 0, len(w.cursors))}
	for i, item := range w.items {
		n := model.InstallationFromREST(item)
		if n.IntegrationName == "" {
			n.IntegrationName = obj.IntegrationName
		}
		conn.Nodes = append(conn.Nodes, *n)
		if i < len(w.cursors) {
			conn.Edges = append(conn.Edges, model.IntegrationSpaceInstallationEdge{Node: *n, Cursor: w.cursors[i]})
		}
	}
	return conn, nil
}

// marketplaceFilters are Query.integrations' filters, checked, as the
// strings they are sent as.
func marketplaceFilters(search *string, category *model.IntegrationCategory, blockDomain *string, blocks, contentSources *bool,
	owner *string, scope *model.IntegrationScope, target *model.IntegrationTarget,
) (loader.MarketplacePage, error) {
	var k loader.MarketplacePage
	var err error
	if k.Search, err = checkSearch(search); err != nil {
		return k, err
	}
	if blockDomain != nil {
		if err := upstream.ValidateBlockDomain(*blockDomain); err != nil {
			return k, &inputError{arg: "blockDomain", reason: err.Error()}
		}
		k.BlockDomain = *blockDomain
	}
	if owner != nil {
		if err := checkID("owner", *owner); err != nil {
			return k, err
		}
		k.Owner = *owner
	}
	if category != nil {
		k.Category = string(restOf(upstream.IntegrationCategoryValues, model.IntegrationCategoryOf, *category))
	}
	if scope != nil {
		k.Scope = string(restOf(upstream.IntegrationScopeValues, model.IntegrationScopeOf, *scope))
	}
	if target != nil {
		k.Target = string(restOf(upstream.IntegrationTargetValues, model.IntegrationTargetOf, *target))
	}
	if blocks != nil {
		k.Blocks = strconv.FormatBool(*blocks)
	}
	if contentSources != nil {
		k.ContentSources = strconv.FormatBool(*contentSources)
	}
	return k, nil
}

func (r *Resolver) marketplace(ctx context.Context, filters loader.MarketplacePage, first *int, after *string) (*model.IntegrationConnection, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	of := listOf("integrations", filters.Search, filters.Category, filters.BlockDomain, filters.Blocks,
		filters.ContentSources, filters.Owner, filters.Scope, filters.Target)
	defer endRootLists(ctx)
	defer l.Expect(depthOf(ctx), loader.KindIntegration|loader.KindOrganization).End()
	w, err := walkList(ctx, r, "listIntegrations", of, first, after,
		func(ctx context.Context, token string, limit int) (page[upstream.Integration], error) {
			key := filters
			key.Page, key.Limit = token, limit
			list, err := l.MarketplacePage(ctx, key)
			if err != nil {
				return page[upstream.Integration]{}, err
			}
			return pageOf(list.Items, list.List), nil
		})
	if err != nil {
		return nil, err
	}
	conn := &model.IntegrationConnection{PageInfo: w.info, TotalCount: w.total,
		Nodes: make([]model.Integration, 0, len(w.items)), Edges: make([]model.IntegrationEdge, 0, len(w.cursors))}
	for i, in := range w.items {
		node := model.IntegrationFromREST(in)
		conn.Nodes = append(conn.Nodes, *node)
		if i < len(w.cursors) {
			conn.Edges = append(conn.Edges, model.IntegrationEdge{Node: *node, Cursor: w.cursors[i]})
		}
	}
	return conn, nil
}

func (r *Resolver) installation(ctx context.Context, integration, id string) (*model.IntegrationInstallation, error) {
	if err := checkIntegrationName("integration", integration); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	in, err := l.Installation(ctx, loader.InstallationKey{Integration: integration, ID: id})
	if err != nil {
		return nil, err
	}
	return model.IntegrationInstallationFromREST(integration, in), nil
}

// splitInstallationKey reads an installation's `key`, `<integration>/<id>`.
func splitInstallationKey(arg, key string) (integration, id string, err error) {
	for i := 0; i < len(key); i++ {
		if key[i] == '/' {
			integration, id = key[:i], key[i+1:]
			if err := checkIntegrationName(arg, integration); err != nil {
				return "", "", err
			}
			if err := checkID(arg, id); err != nil {
				return "", "", err
			}
			return integration, id, nil
		}
	}
	return "", "", &inputError{arg: arg, reason: "must be an installation's key, <integration>/<id>"}
}

// restOf is the REST value a GraphQL enum value stands for: the one of
// values that maps to it. gqlgen has checked g against the schema, and the
// schema's values are the spec's, so one always does.
func restOf[G comparable, R any](values []R, of func(R) G, g G) R {
	for _, v := range values {
		if of(v) == g {
			return v
		}
	}
	var zero R
	return zero
}
