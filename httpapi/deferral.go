package httpapi

import (
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// readyDeferral readies an operation's @defer directives for its caller,
// on a copy of the operation: the parsed document is shared by every
// request that sends it. It says whether the operation still defers.
//
//   - A caller that takes no parts (any but multipart/mixed), and every
//     mutation, gets the operation without them: it runs whole, as if
//     nothing were deferred, which the spec allows a server to do, and
//     costs what it would without @defer.
//   - A caller that takes parts gets each @defer with a label of its own.
//     gqlgen's executor gathers deferred fields by label and counts a
//     field once for each @defer that covers it: two unlabelled @defer
//     (or two with one label) over the same field counted it twice and
//     waited for ever for the second. A label of its own for each
//     directive, with the caller's label kept in front, makes the count
//     right by construction; callerLabel gives the caller's back.
func readyDeferral(opCtx *graphql.OperationContext, parts bool) bool {
	if !strings.Contains(opCtx.RawQuery, "defer") {
		return false // no @defer can be in it
	}
	r := deferRewrite{keep: parts && opCtx.Operation.Operation == ast.Query, vars: opCtx.Variables,
		fragments: make(map[string]*ast.FragmentDefinition, len(opCtx.Doc.Fragments))}
	doc := &ast.QueryDocument{Fragments: make(ast.FragmentDefinitionList, len(opCtx.Doc.Fragments))}
	for i, f := range opCtx.Doc.Fragments {
		c := *f
		doc.Fragments[i] = &c
		if _, dup := r.fragments[f.Name]; !dup {
			r.fragments[f.Name] = &c
		}
	}
	for _, f := range doc.Fragments {
		f.SelectionSet = r.selections(f.SelectionSet)
	}
	op := *opCtx.Operation
	op.SelectionSet = r.selections(op.SelectionSet)
	doc.Operations = ast.OperationList{&op}
	opCtx.Doc, opCtx.Operation = doc, &op
	return r.kept > 0
}

// callerLabel is the label the caller gave the @defer of a part, from the
// label readyDeferral gave it.
func callerLabel(label string) string {
	if i := strings.LastIndexByte(label, labelMark); i >= 0 {
		return label[:i]
	}
	return label
}

// labelMark ends the caller's label in the label of a @defer's own.
const labelMark = 0

type deferRewrite struct {
	keep      bool           // give each @defer a label of its own, rather than remove it
	vars      map[string]any // the request's variables, for labels given as one
	fragments map[string]*ast.FragmentDefinition
	kept      int // @defer directives kept
}

func (r *deferRewrite) selections(set ast.SelectionSet) ast.SelectionSet {
	out := make(ast.SelectionSet, len(set))
	for i, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			c := *s
			c.SelectionSet = r.selections(s.SelectionSet)
			out[i] = &c
		case *ast.InlineFragment:
			c := *s
			c.Directives = r.directives(s.Directives)
			c.SelectionSet = r.selections(s.SelectionSet)
			out[i] = &c
		case *ast.FragmentSpread:
			c := *s
			c.Directives = r.directives(s.Directives)
			if def, ok := r.fragments[s.Name]; ok {
				c.Definition = def
			}
			out[i] = &c
		default:
			out[i] = sel
		}
	}
	return out
}

// directives is list with its @defer removed, or labelled anew.
func (r *deferRewrite) directives(list ast.DirectiveList) ast.DirectiveList {
	if list.ForName("defer") == nil {
		return list
	}
	out := make(ast.DirectiveList, 0, len(list))
	for _, d := range list {
		if d.Name != "defer" {
			out = append(out, d)
			continue
		}
		if !r.keep {
			continue
		}
		label := ""
		args := make(ast.ArgumentList, 0, len(d.Arguments)+1)
		for _, a := range d.Arguments {
			if a.Name == "label" {
				if v, err := a.Value.Value(r.vars); err == nil {
					label, _ = v.(string)
				}
				continue
			}
			args = append(args, a)
		}
		label += string(rune(labelMark)) + strconv.Itoa(r.kept)
		r.kept++
		args = append(args, &ast.Argument{Name: "label", Value: &ast.Value{Kind: ast.StringValue, Raw: label}, Position: d.Position})
		c := *d
		c.Arguments = args
		out = append(out, &c)
	}
	return out
}
