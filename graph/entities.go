package graph

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gitbook-graphql/facade/graph/model"
	"github.com/gitbook-graphql/facade/loader"
	"github.com/gitbook-graphql/facade/upstream"
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
		if isPlaceholder(ctx, key) {
			continue // refused, at its index, by Representations
		}
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
	r.lists().prefetch(ctx, l, depthOf(ctx), graphql.CollectFieldsCtx(ctx, []string{"Space"}), valid...)
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
	if keyOnly(ctx, "Integration", "name", "id") {
		stub = func(name string) *model.Integration { return &model.Integration{ID: name, Name: name} }
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

// Representations checks each _entities representation before gqlgen's
// federation runtime reads it. The runtime fails a representation it cannot
// read (no __typename, an unknown type, no key or one not text) at
// _entities as a whole, and in a batch, with every representation of its
// type: here each is refused at its own index, BAD_USER_INPUT, and stands
// in the list as a placeholder that resolves to null, so the others answer.
//
// It wraps the field middleware of operations that name _entities only: a
// field interceptor would run, and allocate, for every field of every
// operation.
type Representations struct {
	keys        map[string]string // entity type → its key field, from the schema's @key
	placeholder map[string]any
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &Representations{}

func (*Representations) ExtensionName() string { return "Representations" }

// Validate reads the entity types and their keys from the schema.
func (r *Representations) Validate(es graphql.ExecutableSchema) error {
	r.keys = map[string]string{}
	for name, def := range es.Schema().Types {
		if key := def.Directives.ForName("key"); key != nil {
			if fields := key.Arguments.ForName("fields"); fields != nil && fields.Value != nil {
				if strings.ContainsAny(fields.Value.Raw, " {") {
					return fmt.Errorf("%s: only single-field keys are checked, not %q", name, fields.Value.Raw)
				}
				r.keys[name] = fields.Value.Raw
			}
		}
	}
	if len(r.keys) == 0 {
		return errors.New("the schema has no @key types")
	}
	first := slices.Sorted(maps.Keys(r.keys))[0]
	r.placeholder = map[string]any{"__typename": first, r.keys[first]: ""}
	return nil
}

type placeholdersKey struct{}

// MutateOperationContext puts the check around the fields of an operation
// whose document names _entities; no other operation can select it.
func (r *Representations) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if !strings.Contains(oc.RawQuery, "_entities") {
		return nil
	}
	next := oc.ResolverMiddleware
	oc.ResolverMiddleware = func(ctx context.Context, resolve graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		if fc == nil || fc.Object != "Query" || fc.Field.Name != "_entities" {
			return next(ctx, resolve)
		}
		return next(r.checkRepresentations(ctx, fc), resolve)
	}
	return nil
}

// checkRepresentations refuses the representations of _entities the runtime
// cannot read, each at its index, and puts the placeholder in their place;
// the context it returns says whether it did.
func (r *Representations) checkRepresentations(ctx context.Context, fc *graphql.FieldContext) context.Context {
	reps, _ := fc.Args["representations"].([]map[string]any)
	checked := make([]map[string]any, len(reps))
	refused := false
	for i, rep := range reps {
		if err := r.check(rep); err != nil {
			graphql.AddError(graphql.WithPathContext(ctx, graphql.NewPathWithIndex(i)), err)
			checked[i], refused = r.placeholder, true
			continue
		}
		checked[i] = rep
	}
	if !refused {
		return ctx
	}
	fc.Args["representations"] = checked
	return context.WithValue(ctx, placeholdersKey{}, true)
}

// check says what is wrong with a representation, if anything: the runtime
// needs a known __typename and its key as text. An empty key is refused
// too: it marks the placeholder.
func (r *Representations) check(rep map[string]any) error {
	bad := func(reason string) error { return &inputError{arg: "representations", reason: reason} }
	typeName, ok := rep["__typename"].(string)
	if !ok {
		return bad("__typename must be the name of an entity type")
	}
	field, known := r.keys[typeName]
	if !known {
		return bad(fmt.Sprintf("%q is not an entity type", typeName))
	}
	if key, ok := rep[field].(string); !ok || key == "" {
		return bad(fmt.Sprintf("a %s needs its key %s, as text", typeName, field))
	}
	return nil
}

// isPlaceholder says whether key stands for a representation Representations
// already refused.
func isPlaceholder(ctx context.Context, key string) bool {
	has, _ := ctx.Value(placeholdersKey{}).(bool)
	return has && key == ""
}

func installationEntities(ctx context.Context, keys []string) ([]*model.IntegrationInstallation, error) {
	l, err := loadersFor(ctx)
	if err != nil {
		return nil, err
	}
	check := func(arg, key string) error {
		_, _, err := splitInstallationKey(arg, key)
		return err
	}
	var stub func(string) *model.IntegrationInstallation
	if keyOnly(ctx, "IntegrationInstallation", "key", "id") {
		stub = func(key string) *model.IntegrationInstallation {
			integration, id, _ := splitInstallationKey("representations", key)
			return &model.IntegrationInstallation{Key: key, ID: id, IntegrationName: integration}
		}
	}
	loadMany := func(ctx context.Context, keys []string) ([]*installed, []error) {
		ks := make([]loader.InstallationKey, len(keys))
		for i, key := range keys {
			ks[i].Integration, ks[i].ID, _ = splitInstallationKey("representations", key)
		}
		values, errs := l.Installations(ctx, ks)
		out := make([]*installed, len(values))
		for i, v := range values {
			if v != nil {
				out[i] = &installed{integration: ks[i].Integration, in: v}
			}
		}
		return out, errs
	}
	mapFn := func(v *installed) *model.IntegrationInstallation {
		return model.IntegrationInstallationFromREST(v.integration, v.in)
	}
	return resolveEntities(ctx, keys, check, stub, loadMany, mapFn)
}

// installed is an installation with the integration it was read by, which
// its record does not name.
type installed struct {
	integration string
	in          *upstream.IntegrationInstallation
}
