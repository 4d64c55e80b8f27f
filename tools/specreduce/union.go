package main

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
)

// union merges two reduced versions of the spec (a the newer) into the
// contract that serves both: a record of either version must fit it.
//
//   - properties, operations, schemas, responses: every key of either;
//   - enum, type: every value of either, a's order first;
//   - required: only what both require (a property one version lacks, or
//     makes optional, is optional);
//   - nullable, deprecated: either says so;
//   - oneOf, anyOf, allOf: merged variant by variant when both have as many
//     variants, else every distinct variant of either;
//   - anything else (formats, constraints, parameters): the newer's.
func union(a, b any) any {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	am, bm, ok := objects(a, b)
	if !ok {
		return a
	}
	out := maps.Clone(am)
	for k, bv := range bm {
		av, ok := am[k]
		switch {
		case k == "required":
			continue // below: it needs both sides
		case !ok:
			out[k] = bv
		case k == "enum" || k == "type":
			out[k] = unionValues(av, bv)
		case k == "nullable" || k == "deprecated":
			out[k] = av == true || bv == true
		case k == "oneOf" || k == "anyOf" || k == "allOf":
			out[k] = unionVariants(av, bv)
		case containers[k]:
			out[k] = unionEach(av, bv)
		default:
			out[k] = union(av, bv)
		}
	}
	if schemaLike(am) && schemaLike(bm) {
		delete(out, "required")
		if both := intersect(am["required"], bm["required"]); len(both) > 0 {
			out["required"] = both
		}
	}
	return out
}

// containers are maps whose keys are names (of properties, schemas,
// operations, statuses), not keywords: a property named "required" is not a
// required list.
var containers = map[string]bool{"properties": true, "schemas": true, "operations": true, "responses": true}

func unionEach(a, b any) any {
	am, bm, ok := objects(a, b)
	if !ok {
		return a
	}
	out := maps.Clone(am)
	for k, bv := range bm {
		out[k] = union(out[k], bv)
	}
	return out
}

// objects reads two JSON objects; ok is false unless both are.
func objects(a, b any) (am, bm map[string]any, ok bool) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	return am, bm, aok && bok
}

// schemaLike says whether m is a schema that may carry a required list
// (and not, say, a map of properties that has one named "required").
func schemaLike(m map[string]any) bool {
	_, props := m["properties"]
	_, typ := m["type"]
	_, req := m["required"]
	return props || typ || req
}

func unionValues(a, b any) any {
	al, bl := asList(a), asList(b)
	out := slices.Clone(al)
	for _, v := range bl {
		if !slices.ContainsFunc(out, func(e any) bool { return reflect.DeepEqual(e, v) }) {
			out = append(out, v)
		}
	}
	if _, one := a.(string); one && len(out) == 1 {
		return out[0] // "type": "string" stays a name
	}
	return out
}

func unionVariants(a, b any) any {
	al, bl := asList(a), asList(b)
	if len(al) == len(bl) {
		out := make([]any, len(al))
		for i := range al {
			out[i] = union(al[i], bl[i])
		}
		return out
	}
	return unionValues(al, bl)
}

func intersect(a, b any) []any {
	var out []any
	bl := asList(b)
	for _, v := range asList(a) {
		if slices.Contains(bl, v) {
			out = append(out, v)
		}
	}
	return out
}

// asList reads a JSON list, or one value as a list of one.
func asList(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	case string, float64, bool:
		return []any{v}
	}
	panic(fmt.Sprintf("specreduce: not a list: %v", v))
}
