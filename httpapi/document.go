package httpapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/gitbook-graphql/facade/settings"
)

// Limits on one GraphQL document, checked before gqlgen validates it: the
// validation rules (OverlappingFieldsCanBeMerged above all), the complexity
// estimate, the depth limit and the introspection check cost in proportion
// to the document with its fragments spread, or worse, so the document is
// held to a size they can afford first. The defaults follow Apollo Router's
// parser (15,000 tokens) and GraphQL Armor's counts of aliases and
// directives; graphql-js stops validation at 100 errors.
const (
	DefaultMaxTokens     = 15000
	DefaultMaxFields     = 500
	DefaultMaxAliases    = 100
	DefaultMaxDirectives = 50
	DefaultMaxErrors     = 100
	// DefaultMaxNameLength bounds every name in a document (operations,
	// fields, aliases, arguments, fragments, variables, directives): a long
	// one is repeated in errors and logs.
	DefaultMaxNameLength = 256
)

// DocumentLimits bound one document; zero values take the defaults.
type DocumentLimits struct {
	Tokens     int // lexical tokens (gqlgen's parser token limit)
	Fields     int // selections, with every fragment spread where it is used
	Aliases    int // fields with an alias
	Directives int // directives anywhere in the document
	NameLength int // bytes of any one name
}

// DefaultDocumentLimits is the limits' defaults, from Config's Settings.
func DefaultDocumentLimits() DocumentLimits {
	var l DocumentLimits
	settings.Reset(l.settings())
	return l
}

// documentLimit refuses documents past the limits before gqlgen parses and
// validates them. It parses the document itself (under the same token
// limit) and measures it in one pass, each fragment once; a document gqlgen
// has already cached passed, so it is not measured again.
type documentLimit struct {
	limits DocumentLimits
	cache  graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentLimit{}

func (documentLimit) ExtensionName() string                   { return "DocumentLimit" }
func (documentLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (d documentLimit) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	// Before anything else: a document already cached, or persisted,
	// passed its own limits, but the operation name comes with each
	// request, and errors and logs repeat it.
	if len(params.OperationName) > d.limits.NameLength {
		return d.limits.tooLong("operationName", len(params.OperationName))
	}
	if params.Query == "" {
		// A persisted query's hash alone: APQ fills its text in, later;
		// that text was measured here when it was registered.
		return nil
	}
	if d.cache != nil {
		if _, ok := d.cache.Get(ctx, params.Query); ok {
			return nil
		}
	}
	if len(params.Query) > d.limits.Tokens && exceedsTokens(params.Query, d.limits.Tokens) {
		err := gqlerror.Errorf("exceeded token limit of %d", d.limits.Tokens)
		errcode.Set(err, errcode.ParseFailed)
		return err
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, d.limits.Tokens)
	if err != nil {
		// Reported as gqlgen's parser would, rather than parsed again.
		var gqlErr *gqlerror.Error
		if !errors.As(err, &gqlErr) {
			gqlErr = gqlerror.Errorf("%s", err)
		}
		errcode.Set(gqlErr, errcode.ParseFailed)
		return gqlErr
	}
	size := measure(doc, d.limits.Fields)
	if size.longestName > d.limits.NameLength {
		return d.limits.tooLong("a name in the document", size.longestName)
	}
	return d.limits.check(size)
}

// exceedsTokens reports whether src holds more than limit tokens, by lexing
// alone: the parser stops at the limit too, but only after building the
// tree of everything before it, several bytes of memory for each byte of a
// long document. It counts what the parser counts (comments included, the
// end not), so it refuses nothing the parser would accept; a lexical error
// is left for the parser to report.
func exceedsTokens(src string, limit int) bool {
	lex := lexer.New(&ast.Source{Input: src})
	for n := 0; n <= limit; n++ {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return false
		}
	}
	return true
}

func (l DocumentLimits) tooLong(what string, n int) *gqlerror.Error {
	err := gqlerror.Errorf("%s is %d bytes long; names may be at most %d (-max-name-length)", what, n, l.NameLength)
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

// documentSize is what documentLimit measures.
type documentSize struct {
	fields, aliases, directives int
	longestName                 int
}

func (l DocumentLimits) check(s documentSize) *gqlerror.Error {
	var msg string
	switch {
	case s.fields > l.Fields:
		msg = fmt.Sprintf("the document selects more than %d fields, its fragments spread where they are used (-max-fields)", l.Fields)
	case s.aliases > l.Aliases:
		msg = fmt.Sprintf("the document has %d aliases; at most %d are allowed (-max-aliases)", s.aliases, l.Aliases)
	case s.directives > l.Directives:
		msg = fmt.Sprintf("the document has %d directives; at most %d are allowed (-max-directives)", s.directives, l.Directives)
	default:
		return nil
	}
	err := gqlerror.Errorf("%s", msg)
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

// measure counts a document's aliases and directives, and its selections
// the larger of two ways: as written (fragments that are never spread
// included) and as executed, each spread counting its fragment's
// selections. Each fragment is measured once and its size reused, so a
// chain of fragments that spread the one before twice costs what it is
// long, not two to the power of it. Counts stop a little past stop.
func measure(doc *ast.QueryDocument, stop int) documentSize {
	m := measurer{stop: stop, fragments: make(map[string]*ast.FragmentDefinition, len(doc.Fragments)), expanded: map[string]int{}}
	for _, f := range doc.Fragments {
		if _, dup := m.fragments[f.Name]; !dup { // validation refuses the others
			m.fragments[f.Name] = f
		}
	}
	for _, op := range doc.Operations {
		m.name(op.Name)
		m.countDirectives(op.Directives)
		for _, v := range op.VariableDefinitions {
			m.name(v.Variable)
			m.countDirectives(v.Directives)
		}
		m.written(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		m.name(f.Name)
		m.countDirectives(f.Directives)
		m.written(f.SelectionSet)
	}
	executed := 0
	for _, op := range doc.Operations {
		executed = m.add(executed, m.executed(op.SelectionSet))
	}
	m.fields = max(m.fields, executed)
	return m.documentSize
}

type measurer struct {
	fragments map[string]*ast.FragmentDefinition
	stop      int
	documentSize
	expanded map[string]int // fragment name -> selections, spread; -1 while measuring
}

func (m *measurer) add(a, b int) int { return min(a+b, m.stop+1) }

func (m *measurer) name(n string) { m.longestName = max(m.longestName, len(n)) }

func (m *measurer) countDirectives(list ast.DirectiveList) {
	m.directives += len(list)
	for _, d := range list {
		m.name(d.Name)
		m.arguments(d.Arguments)
	}
}

func (m *measurer) arguments(list ast.ArgumentList) {
	for _, a := range list {
		m.name(a.Name)
	}
}

func (m *measurer) written(set ast.SelectionSet) {
	for _, sel := range set {
		m.fields = m.add(m.fields, 1)
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != "" && s.Alias != s.Name {
				m.aliases++
				m.name(s.Alias)
			}
			m.name(s.Name)
			m.arguments(s.Arguments)
			m.countDirectives(s.Directives)
			m.written(s.SelectionSet)
		case *ast.InlineFragment:
			m.countDirectives(s.Directives)
			m.written(s.SelectionSet)
		case *ast.FragmentSpread:
			m.name(s.Name)
			m.countDirectives(s.Directives)
		}
	}
}

func (m *measurer) executed(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		if n > m.stop {
			return n
		}
		switch s := sel.(type) {
		case *ast.Field:
			n = m.add(n, m.add(1, m.executed(s.SelectionSet)))
		case *ast.InlineFragment:
			n = m.add(n, m.add(1, m.executed(s.SelectionSet)))
		case *ast.FragmentSpread:
			n = m.add(n, m.add(1, m.fragment(s.Name)))
		}
	}
	return n
}

// fragment is the size of a fragment with its own spreads; one that spreads
// itself, directly or not, counts nothing more (validation refuses it).
func (m *measurer) fragment(name string) int {
	if n, ok := m.expanded[name]; ok {
		return max(n, 0)
	}
	def := m.fragments[name]
	if def == nil {
		return 0 // validation refuses it
	}
	m.expanded[name] = -1
	n := m.executed(def.SelectionSet)
	m.expanded[name] = n
	return n
}
