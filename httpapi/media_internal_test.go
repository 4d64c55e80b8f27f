package httpapi

import (
	"maps"
	"mime"
	"testing"
)

// The fast path must answer exactly as mime.ParseMediaType would.
func FuzzParseMediaMatchesMime(f *testing.F) {
	for _, v := range []string{
		"application/json", "application/graphql-response+json", "multipart/mixed",
		"Application/JSON", "application/json; charset=utf-8", "application/json ",
		" application/json", "*/*", "text/*", "application/", "/json", "application",
		"application//json", "application/json/x", "", "a/b", "x-foo/bar.baz-1",
		"application/json;", "multipart/mixed;deferSpec=20220824",
	} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		gotType, gotParams, gotErr := parseMedia(v)
		wantType, wantParams, wantErr := mime.ParseMediaType(v)
		if (gotErr == nil) != (wantErr == nil) || gotType != wantType {
			t.Fatalf("parseMedia(%q) = %q, %v; mime says %q, %v", v, gotType, gotErr, wantType, wantErr)
		}
		if len(gotParams) != len(wantParams) || !maps.Equal(gotParams, wantParams) {
			t.Fatalf("parseMedia(%q) params = %v; mime says %v", v, gotParams, wantParams)
		}
	})
}
