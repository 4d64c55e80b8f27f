package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gitbook-graphql/facade/loader"
	"github.com/gitbook-graphql/facade/upstream"
)

// A read of an entity waits for the lists of the request that may embed it
// and were asked for above it (loader's embeds.go): this file gives the
// loaders each field's depth, and has each connection ask for its nodes'
// lists as soon as its page is in, so that what they embed counts as under
// way for as long as the connection does.

// depthOf is the depth of the field resolving at ctx: how many fields with
// resolvers stand above it.
func depthOf(ctx context.Context) int {
	n := 0
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		for p := fc.Parent; p != nil; p = p.Parent {
			if p.IsResolver {
				n++
			}
		}
	}
	return n
}

// nodeLists are the lists a connection's nodes select, by field. The
// connection asks for their first pages once its own are in, before any
// field of its nodes is resolved: they need only the node's key, and the
// node's field then finds its page in the loaders. kinds is what those
// pages embed.
type nodeLists struct {
	depth  int
	fields []graphql.CollectedField
	vars   map[string]any
	kinds  loader.Kind
}

// nodeListsOf collects the fields of typeName that embeds names, in the
// selection of the connection resolving at ctx (its nodes and its edges'
// nodes).
func nodeListsOf(ctx context.Context, typeName string, embeds map[string]loader.Kind) nodeLists {
	if !graphql.HasOperationContext(ctx) {
		return nodeLists{depth: depthOf(ctx)}
	}
	lists := nodeListsIn(graphql.GetOperationContext(ctx), graphql.CollectFieldsCtx(ctx, nil), typeName, embeds)
	lists.depth = depthOf(ctx)
	return lists
}

// nodeListsIn is nodeListsOf over sel, a connection's selection.
func nodeListsIn(op *graphql.OperationContext, sel []graphql.CollectedField, typeName string, embeds map[string]loader.Kind) nodeLists {
	lists := nodeLists{vars: op.Variables}
	add := func(sel []graphql.CollectedField) {
		for _, f := range sel {
			if kinds, ok := embeds[f.Name]; ok {
				lists.fields = append(lists.fields, f)
				lists.kinds |= kinds
			}
		}
	}
	for _, f := range sel {
		switch f.Name {
		case "nodes":
			add(graphql.CollectFields(op, f.Selections, []string{typeName}))
		case "edges":
			for _, e := range graphql.CollectFields(op, f.Selections, nil) {
				if e.Name == "node" {
					add(graphql.CollectFields(op, e.Selections, []string{typeName}))
				}
			}
		}
	}
	return lists
}

// Each connection's record of what it may embed, for as long as it walks
// its pages and asks for its nodes' lists.

// organizationLists are an organization's lists and what they embed.
var organizationLists = map[string]loader.Kind{
	"spaces":        loader.KindSpace,
	"installations": loader.OrganizationInstallationEmbeds,
}

// askOrganizationLists asks for the organizations' lists their selection reads.
func (r *Resolver) askOrganizationLists(ctx context.Context, l *loader.Loaders, lists nodeLists, orgs []*upstream.Organization) {
	for _, f := range lists.fields {
		args := f.ArgumentMap(lists.vars)
		first, after := intArg(args["first"]), stringArg(args["after"])
		switch f.Name {
		case "spaces":
			for _, o := range orgs {
				if start, err := r.walkStart(listOf("organization.spaces", o.ID), first, after); err == nil {
					l.PrefetchOrganizationSpacePage(ctx, lists.depth, loader.ListPage{Parent: o.ID, Page: start.token, Limit: start.limit})
				}
			}
		case "installations":
			q, err := checkSearch(stringArg(args["search"]))
			if err != nil {
				continue // the field refuses it
			}
			for _, o := range orgs {
				if start, err := r.walkStart(listOf("organization.installations", o.ID, q), first, after); err == nil {
					l.PrefetchOrganizationInstallationPage(ctx, lists.depth, loader.ListPage{Parent: o.ID, Filter: q, Page: start.token, Limit: start.limit})
				}
			}
		}
	}
}

// installationLists are an installation's lists and what they embed.
var installationLists = map[string]loader.Kind{"spaceInstallations": loader.KindSpace}

// askInstallationLists asks for the installations' lists their selection
// reads.
func (r *Resolver) askInstallationLists(ctx context.Context, l *loader.Loaders, lists nodeLists, installations []loader.InstallationKey) {
	for _, f := range lists.fields {
		args := f.ArgumentMap(lists.vars)
		first, after := intArg(args["first"]), stringArg(args["after"])
		for _, in := range installations {
			parent := loader.InstallationParent(in)
			if start, err := r.walkStart(listOf("installation.spaceInstallations", parent), first, after); err == nil {
				l.PrefetchInstallationSpacePage(ctx, lists.depth, loader.ListPage{Parent: parent, Page: start.token, Limit: start.limit})
			}
		}
	}
}

// spaceListEmbeds are a space's lists and what they embed: its blocks
// embed nothing, but go out with its integrations all the same.
var spaceListEmbeds = map[string]loader.Kind{
	"integrations":      loader.IntegrationPageEmbeds,
	"integrationBlocks": 0,
}

// RootLists records, before an operation's root fields run, the lists each
// will ask for at depth 0 (its pages and its nodes' lists, a space's lists
// sent with it). The root fields run on goroutines of their own: without
// it, a read below one root field could find another's lists not yet asked
// for, when that field's goroutine started late, and call for what they
// bring. Each record ends when its field's resolver has asked for them and
// returns (endRootLists), or when the field ends without its resolver
// having run (its arguments did not hold).
type RootLists struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.RootFieldInterceptor
} = RootLists{}

type rootListsKey struct{}

func (RootLists) ExtensionName() string                   { return "RootLists" }
func (RootLists) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation records the root fields' lists.
func (RootLists) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx)
	if op.Operation == nil || op.Operation.Operation != ast.Query {
		return next(ctx)
	}
	var l *loader.Loaders
	for _, f := range graphql.CollectFields(op, op.Operation.SelectionSet, []string{"Query"}) {
		kinds := rootLists(op, f)
		if kinds == 0 || f.IsDeferred() {
			continue // a deferred field's lists are asked for apart
		}
		if l == nil {
			if l = loader.For(ctx); l == nil {
				return next(ctx)
			}
		}
		l.ExpectRoot(f.Alias, kinds)
	}
	if l == nil {
		return next(ctx)
	}
	return next(context.WithValue(ctx, rootListsKey{}, l))
}

// InterceptRootField ends a root field's record when the field ends, for a
// field whose resolver never ran.
func (RootLists) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	defer endRootListsOf(ctx, graphql.GetRootFieldContext(ctx).Field.Alias)
	return next(ctx)
}

// rootLists is what the lists a root field asks for at depth 0 may embed.
// The resolvers of these fields call endRootLists when they return: a read
// below one of them must not wait for its own field's record. Other root
// fields read an entity, whose lists are asked for below it; _entities is
// left out, as gateways send it alone.
func rootLists(op *graphql.OperationContext, f graphql.CollectedField) loader.Kind {
	switch f.Name {
	case "organizations":
		return loader.KindOrganization | nodeListsIn(op, graphql.CollectFields(op, f.Selections, nil), "Organization", organizationLists).kinds
	case "integrations":
		return loader.KindIntegration | loader.KindOrganization
	case "space", "spaces", "fetch__Space":
		for _, s := range graphql.CollectFields(op, f.Selections, []string{"Space"}) {
			if s.Name == "integrations" {
				return loader.IntegrationPageEmbeds
			}
		}
	}
	return 0
}

// endRootLists ends the record of the root field resolving at ctx, once
// it has asked for its lists; below the root it does nothing.
func endRootLists(ctx context.Context) {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Parent != nil && fc.Parent.Parent == nil {
		endRootListsOf(ctx, fc.Field.Alias)
	}
}

func endRootListsOf(ctx context.Context, field string) {
	if l, ok := ctx.Value(rootListsKey{}).(*loader.Loaders); ok {
		l.EndRoot(field)
	}
}
