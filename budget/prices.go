package budget

import (
	"fmt"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// price is what a field costs in upstream calls, as the schema's
// demand-control directives say it to gateways: the one table the facade's
// own limit and a gateway's estimate both read.
type price struct {
	// weight is the calls the field makes each time it resolves (@cost).
	weight int
	// size says how many items the field's list holds (@listSize); nil for
	// a field that is not a list of items that cost calls.
	size *listSize
}

type listSize struct {
	// assumed is the items taken when the operation does not say
	// (assumedSize).
	assumed int
	// slicing is the argument that says how many items a connection's
	// sizedFields hold (first); empty for a plain list.
	slicing string
	// itemsArg is the list argument a plain list holds one item per
	// element of (spaces(ids:)): the facade counts it, where gateways, which
	// cannot count a list argument, take assumed.
	itemsArg string
}

// fieldKey names a field of a type: a map key that, unlike "Type.field",
// costs no string built for each field an operation is priced by.
type fieldKey struct{ typeName, field string }

// pricesOf reads the demand-control directives of the schema's fields. The schema is the facade's own, so a directive it
// cannot read is a mistake in schema/ that the tests of this package show.
func pricesOf(s *ast.Schema) (map[fieldKey]price, error) {
	prices := make(map[fieldKey]price)
	for _, def := range s.Types {
		if def.Kind != ast.Object || def.BuiltIn {
			continue
		}
		for _, f := range def.Fields {
			p, priced, err := priceOf(f)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", def.Name, f.Name, err)
			}
			if priced {
				prices[fieldKey{def.Name, f.Name}] = p
			}
		}
	}
	return prices, nil
}

func priceOf(f *ast.FieldDefinition) (price, bool, error) {
	var p price
	cost, sized := f.Directives.ForName("cost"), f.Directives.ForName("listSize")
	if cost == nil && sized == nil {
		return p, false, nil
	}
	if cost != nil {
		w, err := intArgument(cost, "weight")
		if err != nil || w == nil || *w < 0 {
			return p, false, fmt.Errorf("@cost needs a weight of 0 or more calls (%v)", err)
		}
		p.weight = *w
	}
	if sized == nil {
		return p, true, nil
	}
	assumed, err := intArgument(sized, "assumedSize")
	if err != nil || assumed == nil || *assumed < 0 {
		// Without it Apollo Router takes its global list size, which the
		// facade cannot know.
		return p, false, fmt.Errorf("@listSize needs an assumedSize of 0 or more (%v)", err)
	}
	p.size = &listSize{assumed: *assumed}
	if a := sized.Arguments.ForName("slicingArguments"); a != nil {
		if len(a.Value.Children) != 1 || a.Value.Children[0].Value.Kind != ast.StringValue {
			return p, false, fmt.Errorf("@listSize takes one slicing argument, the connection's `first`")
		}
		p.size.slicing = a.Value.Children[0].Value.Raw
		if f.Arguments.ForName(p.size.slicing) == nil {
			return p, false, fmt.Errorf("@listSize slices by %q, which the field does not take", p.size.slicing)
		}
		return p, true, nil
	}
	if f.Type.Elem == nil {
		return p, false, fmt.Errorf("@listSize without slicingArguments on a field that is not a list")
	}
	for _, arg := range f.Arguments {
		if arg.Type.Elem != nil {
			if p.size.itemsArg != "" {
				return p, false, fmt.Errorf("a list sized by two list arguments, %s and %s", p.size.itemsArg, arg.Name)
			}
			p.size.itemsArg = arg.Name
		}
	}
	return p, true, nil
}

func intArgument(d *ast.Directive, name string) (*int, error) {
	a := d.Arguments.ForName(name)
	if a == nil {
		return nil, nil
	}
	if a.Value.Kind != ast.IntValue {
		return nil, fmt.Errorf("@%s(%s:) is not an Int", d.Name, name)
	}
	n, err := strconv.Atoi(a.Value.Raw)
	if err != nil {
		return nil, err
	}
	return &n, nil
}
