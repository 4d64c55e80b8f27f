package model

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gitbook-graphql/facade/upstream"
)

// GitBook adds enum values without notice, and a GraphQL server must not
// answer a value its schema lacks. So the enums' model types (enums_gen.go,
// written by tools/enumgen) keep a value the schema does not list, marked
// unknown, and serve it as null with an UnknownValueError at its own path:
// every enum field, and every element of a list of enums, is nullable for
// that reason, and the rest of the answer is served whole.

// unknownMark starts a value GitBook sent and the schema does not list. No
// GraphQL name can start with it, so it never collides with a known value.
const unknownMark = "?"

func unknownEnumValue(rest string) string { return unknownMark + rest }

// UnknownValueError is an enum value GitBook sent that the schema does not
// list, reported at the field that serves it. It counts as a bad upstream
// answer (errors.Is upstream.ErrBadResponse), of one field only.
type UnknownValueError struct {
	Enum  string // the GraphQL enum, such as IntegrationCategory
	Field string // the schema field serving it, such as Integration.categories
	Value string // what GitBook sent; empty when it sent none
}

// maxShownValue bounds how much of an unknown value a message repeats.
const maxShownValue = 64

func (e *UnknownValueError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: GitBook sent no value, and %s needs one", e.Field, e.Enum)
	}
	return fmt.Sprintf("%s: GitBook sent %s, a value %s does not list", e.Field, strconv.Quote(e.Shown()), e.Enum)
}

// Shown is the value, cut to a length safe to repeat in a message.
func (e *UnknownValueError) Shown() string {
	if len(e.Value) <= maxShownValue {
		return e.Value
	}
	return strings.ToValidUTF8(e.Value[:maxShownValue], "") + "…"
}

// Is makes an unknown value a bad upstream answer.
func (e *UnknownValueError) Is(target error) bool { return target == upstream.ErrBadResponse }

// UnknownValue tells telemetry what to count, without it importing model.
func (e *UnknownValueError) UnknownValue() (enum, field, value string) {
	return e.Enum, e.Field, e.Value
}

func marshalEnum(ctx context.Context, w io.Writer, enum, v string, valid bool) error {
	if !valid {
		return &UnknownValueError{Enum: enum, Field: servingField(ctx), Value: strings.TrimPrefix(v, unknownMark)}
	}
	_, err := io.WriteString(w, strconv.Quote(v))
	return err
}

// servingField names the schema field being served, as Type.field: the
// field context of a list element has no field, its parent does.
func servingField(ctx context.Context) string {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if fc.Field.Field != nil {
			return fc.Object + "." + fc.Field.Name
		}
	}
	return ""
}

func enumInput(enum string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s: want a string, got %T", enum, v)
	}
	return s, nil
}

func notAValue(enum, s string) error {
	return fmt.Errorf("%s has no value %s", enum, strconv.Quote(s))
}

// enumVal maps a required enum value, for a field that is nullable all the
// same: an unknown value is served as null.
func enumVal[G any, R any](of func(R) G, v R) *G {
	g := of(v)
	return &g
}

// enumPtr maps an optional enum value.
func enumPtr[G any, R any](of func(R) G, v *R) *G {
	if v == nil {
		return nil
	}
	return enumVal(of, *v)
}

// enumList maps a list of enum values, whose elements are nullable so that
// an unknown one is served as null beside the others; an absent list stays
// absent.
func enumList[G any, R any](of func(R) G, vs []R) []*G {
	if vs == nil {
		return nil
	}
	values := make([]G, len(vs)) // one allocation for the list
	out := make([]*G, len(vs))
	for i, v := range vs {
		values[i] = of(v)
		out[i] = &values[i]
	}
	return out
}
