package model

import (
	"fmt"
	"strings"

	"github.com/gitbook-graphql/facade/upstream"
)

// graphQLEnumName maps a REST enum value to its GraphQL value: the rule of
// tools/enumgen, which wrote the schema's enums. Characters a GraphQL name
// cannot hold become '_', and a leading digit gains a '_'.
func graphQLEnumName(rest string) string {
	name := strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, rest)
	if name == "" || ('0' <= name[0] && name[0] <= '9') {
		name = "_" + name
	}
	switch name {
	case "true", "false", "null":
		name = "_" + name
	}
	return name
}

// graphQLEnum is a generated GraphQL enum type.
type graphQLEnum interface {
	~string
	IsValid() bool
}

// mapping turns upstream values into models and keeps the first value that
// the schema cannot represent: an enum value the spec does not list.
type mapping struct{ err error }

func (m *mapping) unknown(field, value string) {
	if m.err == nil {
		m.err = fmt.Errorf("%w: %s is %q, a value the spec does not list", upstream.ErrBadResponse, field, value)
	}
}

func enumOf[G graphQLEnum, R ~string](m *mapping, field string, v R) G {
	g := G(graphQLEnumName(string(v)))
	if !g.IsValid() {
		m.unknown(field, string(v))
	}
	return g
}

func enumPtr[G graphQLEnum, R ~string](m *mapping, field string, v *R) *G {
	if v == nil {
		return nil
	}
	g := enumOf[G](m, field, *v)
	return &g
}

func enumList[G graphQLEnum, R ~string](m *mapping, field string, vs []R) []G {
	if vs == nil {
		return nil
	}
	out := make([]G, len(vs))
	for i, v := range vs {
		out[i] = enumOf[G](m, field, v)
	}
	return out
}
