package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/gitbook-graphql/facade/codes"
	"github.com/gitbook-graphql/facade/telemetry"
	"github.com/gitbook-graphql/facade/trusted"
)

// trustedDocuments holds operations to the list of trusted documents
// (-trusted-documents). It runs before every other extension that reads
// the text (the document limits, APQ), so that the text it puts in place
// of an id is measured, parsed and cached like any other, and a text it
// refuses costs a map lookup and, past that, one lexing under -max-tokens.
//
// An id (documentId or doc_id, which the transport puts in the context, or
// APQ's sha256Hash) is looked up first: a listed one brings its text, an
// unknown documentId is PERSISTED_QUERY_NOT_IN_LIST. Under enforce, a text
// runs when it is listed (the same bytes, or the same tokens) and, with
// -trusted-documents-introspection, when it asks for introspection alone;
// anything else is QUERY_NOT_IN_SAFELIST. Automatic persisted queries are
// off under enforce (graphQLServer does not use them), so that no text the
// list does not hold is ever stored, nor read from a cache another replica
// filled. Under log mode everything runs as before, and the text of each
// operation that parsed is checked once it is (MutateOperationContext).
type trustedDocuments struct {
	store         *trusted.Store
	enforce       bool
	introspection bool
	maxTokens     int
	cache         graphql.Cache[*ast.QueryDocument] // parsed documents, to spare parsing an introspection query again
	metrics       *telemetry.Metrics
	log           *slog.Logger
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = trustedDocuments{}

func (trustedDocuments) ExtensionName() string                   { return "TrustedDocuments" }
func (trustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

// documentIDKey holds a request's documentId or doc_id in its context, from
// the transport, which reads the parameters gqlgen's RawParams has no field
// for, to the extension.
type documentIDKey struct{}

func withDocumentID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, documentIDKey{}, id)
}

func documentIDOf(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(documentIDKey{}).(string)
	return id, ok
}

func (d trustedDocuments) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	// One load: the whole check reads one list, whatever a reload does.
	list := d.store.List()
	if id, ok := documentIDOf(ctx); ok {
		op, found := list.ByID(id)
		if !found {
			return d.refuse(ctx, codes.PersistedQueryNotInList, "", id,
				"documentId names no operation of this server's trusted documents")
		}
		return d.use(list, op, params)
	}
	hash, persisted := apqHash(params.Extensions)
	if hash != "" {
		if op, found := list.ByID(hash); found {
			return d.use(list, op, params)
		}
	}
	if !d.enforce {
		return nil
	}
	if params.Query == "" {
		if persisted {
			return d.refuse(ctx, codes.PersistedQueryNotInList, "", hash,
				"extensions.persistedQuery.sha256Hash names no operation of this server's trusted documents")
		}
		return nil // readParams refused it already; gqlgen's parser would
	}
	if op, found := list.ByText(params.Query, d.maxTokens); found {
		params.Query = op.Body // the listed text, which the query cache has already
		delete(params.Extensions, "persistedQuery")
		return nil
	}
	if d.introspection && d.asksIntrospection(ctx, params.Query) {
		delete(params.Extensions, "persistedQuery")
		return nil
	}
	return d.refuse(ctx, codes.QueryNotInSafelist, params.Query, "",
		"this server runs only its trusted documents, and the query is not one of them")
}

// use runs op for an id: its text replaces what the caller sent, which
// must then be that text (the same bytes or tokens), or nothing. The
// persisted query extension is spent: APQ, in log mode, would store the
// text under an id that may not be its hash.
func (d trustedDocuments) use(list *trusted.List, op *trusted.Operation, params *graphql.RawParams) *gqlerror.Error {
	if params.Query != "" && !list.Same(params.Query, op, d.maxTokens) {
		return &gqlerror.Error{
			Message:    "the query sent is not the trusted document its id names; send the id alone",
			Extensions: map[string]any{"code": codes.BadRequest},
		}
	}
	params.Query = op.Body
	delete(params.Extensions, "persistedQuery")
	return nil
}

// MutateOperationContext is log mode's check, once the document parsed and
// validated: what enforce would have refused runs, and is counted and
// logged. It comes after APQ, whose cache gives the text of a bare hash.
func (d trustedDocuments) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if d.enforce {
		return nil
	}
	if _, found := d.store.List().ByText(opCtx.RawQuery, d.maxTokens); found {
		return nil
	}
	if d.introspection && introspectionAlone(opCtx.Doc) {
		return nil
	}
	d.metrics.TrustedRefused(codes.QueryNotInSafelist, false)
	d.log.LogAttrs(ctx, slog.LevelInfo, "trusted documents: not listed; -trusted-documents-mode=enforce would refuse it",
		slog.String("code", codes.QueryNotInSafelist), slog.String("sha256", sha256Hex(opCtx.RawQuery)))
	return nil
}

// refuse is a refusal of the list: counted, and logged by the text's hash
// or the id, never the text.
func (d trustedDocuments) refuse(ctx context.Context, code, text, id, message string) *gqlerror.Error {
	d.metrics.TrustedRefused(code, true)
	attrs := []slog.Attr{slog.String("code", code)}
	switch {
	case text != "":
		attrs = append(attrs, slog.String("sha256", sha256Hex(text)))
	case printableID(id):
		attrs = append(attrs, slog.String("id", id))
	}
	d.log.LogAttrs(ctx, slog.LevelDebug, "trusted documents: refused", attrs...)
	return &gqlerror.Error{Message: message, Extensions: map[string]any{"code": code}}
}

// asksIntrospection reports whether query asks for introspection alone,
// parsed under -max-tokens, or taken from the cache of parsed documents.
func (d trustedDocuments) asksIntrospection(ctx context.Context, query string) bool {
	if !strings.Contains(query, "__") {
		return false // the cheap answer for almost every query
	}
	if d.cache != nil {
		if doc, ok := d.cache.Get(ctx, query); ok {
			return introspectionAlone(doc)
		}
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, d.maxTokens)
	return err == nil && introspectionAlone(doc)
}

// introspectionAlone reports whether every root selection of every
// operation of doc is __schema, __type or __typename, through inline
// fragments and fragment spreads (each fragment looked at once).
func introspectionAlone(doc *ast.QueryDocument) bool {
	if doc == nil || len(doc.Operations) == 0 {
		return false
	}
	seen := map[string]bool{}
	var alone func(ast.SelectionSet) bool
	alone = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if s.Name != "__schema" && s.Name != "__type" && s.Name != "__typename" {
					return false
				}
			case *ast.InlineFragment:
				if !alone(s.SelectionSet) {
					return false
				}
			case *ast.FragmentSpread:
				if seen[s.Name] {
					continue // looked at, or a cycle, which validation refuses
				}
				seen[s.Name] = true
				def := doc.Fragments.ForName(s.Name)
				if def == nil || !alone(def.SelectionSet) {
					return false
				}
			}
		}
		return true
	}
	for _, op := range doc.Operations {
		if !alone(op.SelectionSet) {
			return false
		}
	}
	return true
}

// apqHash is extensions.persistedQuery.sha256Hash; persisted says the
// extension was sent, with a hash or not.
func apqHash(ext map[string]any) (hash string, persisted bool) {
	pq, persisted := ext["persistedQuery"]
	if m, ok := pq.(map[string]any); ok {
		hash, _ = m["sha256Hash"].(string)
	}
	return hash, persisted
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// printableID accepts ids a log line can carry safely: a hash, or a short
// name, as clients make them.
func printableID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// playgroundRefused stands for the playground under enforce without
// -trusted-documents-introspection: GraphiQL's first request is an
// introspection query, which the list refuses, and then every query typed
// in it, so the page could run nothing.
func playgroundRefused() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusNotFound, "no playground: this server runs only its trusted documents (-trusted-documents-mode=enforce), "+
			"which refuse the playground's introspection and any query typed in it; -trusted-documents-introspection serves it, able to introspect, "+
			"and to run listed operations alone")
	})
}
