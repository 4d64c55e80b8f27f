package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	spec           = "../../testdata/gitbook-openapi.reduced.json"
	committedGo    = "../../upstream/enums_gen.go"
	committedGQL   = "../../schema/enums.graphqls"
	committedModel = "../../graph/model/enums_gen.go"
	regenerateCmd  = "go generate ./upstream && go run github.com/99designs/gqlgen generate"
)

func TestGraphQLName(t *testing.T) {
	for rest, want := range map[string]string{
		"public":             "public",
		"internalDocs":       "internalDocs", // case kept
		"free_2024":          "free_2024",
		"share-link":         "share_link",
		"space:content:read": "space_content_read",
		"pt-br":              "pt_br",
		"a.b c/d":            "a_b_c_d",
		"135001500":          "_135001500", // a name cannot start with a digit
		"1-a":                "_1_a",
		"true":               "_true", // true, false and null are not enum values
		"false":              "_false",
		"null":               "_null",
		"nullable":           "nullable",
		"":                   "_",
		"é":                  "_", // one character, one '_'
	} {
		if got := GraphQLName(rest); got != want {
			t.Errorf("GraphQLName(%q) = %q, want %q", rest, got, want)
		}
	}
}

// TestCommittedFilesAreCurrent regenerates the enums from the committed
// reduced spec: a generated file that is stale, or edited by hand, fails.
func TestCommittedFilesAreCurrent(t *testing.T) {
	for i := range 2 { // twice: the output must not depend on map order
		dir := t.TempDir()
		goOut, gqlOut := filepath.Join(dir, "enums_gen.go"), filepath.Join(dir, "enums.graphqls")
		modelOut := filepath.Join(dir, "model_enums_gen.go")
		if err := run(spec, goOut, "upstream", gqlOut, modelOut); err != nil {
			t.Fatal(err)
		}
		for generated, committed := range map[string]string{goOut: committedGo, gqlOut: committedGQL, modelOut: committedModel} {
			if diff := firstDifference(t, generated, committed); diff != "" {
				t.Errorf("run %d: %s is not what enumgen writes (%s); regenerate with\n\t%s", i+1, committed, diff, regenerateCmd)
			}
		}
	}
}

func TestRunRefusesCollidingValues(t *testing.T) {
	in := withSchemas(t, func(schemas map[string]any) {
		cv := schemas["ContentVisibility"].(map[string]any)
		cv["enum"] = append(cv["enum"].([]any), "share:link") // and "share-link": both share_link
	})
	err := run(in, filepath.Join(t.TempDir(), "e.go"), "upstream", filepath.Join(t.TempDir(), "e.graphqls"), filepath.Join(t.TempDir(), "m.go"))
	if err == nil || !strings.Contains(err.Error(), "share_link") {
		t.Errorf("run = %v, want an error naming share_link", err)
	}
}

func TestRunRefusesAMissingSource(t *testing.T) {
	in := withSchemas(t, func(schemas map[string]any) { delete(schemas, "BillingInterval") })
	err := run(in, filepath.Join(t.TempDir(), "e.go"), "upstream", filepath.Join(t.TempDir(), "e.graphqls"), filepath.Join(t.TempDir(), "m.go"))
	if err == nil || !strings.Contains(err.Error(), "BillingInterval") {
		t.Errorf("run = %v, want an error naming BillingInterval", err)
	}
}

// withSchemas writes a copy of the reduced spec, changed by edit.
func withSchemas(t *testing.T, edit func(map[string]any)) string {
	t.Helper()
	raw, err := os.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc["schemas"].(map[string]any))
	out, _ := json.Marshal(doc)
	path := filepath.Join(t.TempDir(), "spec.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// firstDifference says where two files first differ, or "" when they are
// byte for byte the same.
func firstDifference(t *testing.T, a, b string) string {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(x, y) {
		return ""
	}
	xs, ys := strings.Split(string(x), "\n"), strings.Split(string(y), "\n")
	for i := 0; i < len(xs) || i < len(ys); i++ {
		var xl, yl string
		if i < len(xs) {
			xl = xs[i]
		}
		if i < len(ys) {
			yl = ys[i]
		}
		if xl != yl || i >= len(xs) || i >= len(ys) {
			return fmt.Sprintf("line %d: want %q, have %q", i+1, xl, yl)
		}
	}
	return "they differ"
}
