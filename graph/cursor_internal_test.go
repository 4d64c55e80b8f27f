package graph

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// Sealing is logic of its own: a cursor must open only as it was sealed,
// and only under the key that sealed it.

func TestSealOpensOnlyAsSealed(t *testing.T) {
	s := NewCursorSeal([]byte("key"))
	data := []byte(`{"s":"space","l":10}`)
	sealed := s.seal(data)
	if got, ok := s.open(sealed); !ok || string(got) != string(data) {
		t.Fatalf("open(seal(%s)) = %s, %v", data, got, ok)
	}
	if got, ok := NewCursorSeal([]byte("key")).open(sealed); !ok || string(got) != string(data) {
		t.Errorf("a seal of the same key refused the cursor")
	}
	body, tag, _ := strings.Cut(sealed, ".")
	enc := base64.RawURLEncoding
	refused := map[string]string{
		"another key":         NewCursorSeal([]byte("other")).seal(data),
		"a rewritten body":    enc.EncodeToString([]byte(`{"s":"space","l":1000}`)) + "." + tag,
		"a rewritten tag":     body + "." + enc.EncodeToString(make([]byte, cursorTagBytes)),
		"no tag":              body,
		"an empty tag":        body + ".",
		"a body not base64":   "!!." + tag,
		"a tag not base64":    body + ".!!",
		"a truncated tag":     sealed[:len(sealed)-2],
		"nothing":             "",
		"a second separator":  sealed + ".x",
		"the random key's":    NewCursorSeal(nil).seal(data),
		"the process key's":   CursorSeal{}.seal(data),
		"a tag of the body's": body + "." + body,
	}
	for name, c := range refused {
		if got, ok := s.open(c); ok {
			t.Errorf("%s: %q opened as %s", name, c, got)
		}
	}
}

// A zero CursorSeal (a Resolver built without one) seals with its process's
// key; random keys differ.
func TestZeroAndRandomSeals(t *testing.T) {
	data := []byte("cursor")
	if _, ok := (CursorSeal{}).open(CursorSeal{}.seal(data)); !ok {
		t.Error("a zero seal refused its own cursor")
	}
	a, b := NewCursorSeal(nil), NewCursorSeal([]byte{})
	if _, ok := b.open(a.seal(data)); ok {
		t.Error("two random keys are the same")
	}
	if _, ok := a.open(a.seal(data)); !ok {
		t.Error("a random seal refused its own cursor")
	}
}

// decodeCursor takes a cursor of its own space and search only, with a page
// size no larger than the server's and a skip within it.
func TestDecodeCursorChecksWhatItResumes(t *testing.T) {
	p := spaceLists{pageSize: 10, seal: NewCursorSeal([]byte("key"))}
	ok := cursor{Space: "s", Search: "git", Page: "p2", Skip: 3, Limit: 10}
	if got, err := p.decodeCursor(p.encodeCursor(ok), "s", "git"); err != nil || got != ok {
		t.Fatalf("decodeCursor = %+v, %v; want %+v", got, err, ok)
	}
	bad := map[string]string{
		"another space":       p.encodeCursor(ok),
		"another search":      p.encodeCursor(cursor{Space: "s", Limit: 10}),
		"no page size":        p.encodeCursor(cursor{Space: "s", Search: "git"}),
		"a larger page size":  p.encodeCursor(cursor{Space: "s", Search: "git", Limit: 11}),
		"a negative skip":     p.encodeCursor(cursor{Space: "s", Search: "git", Skip: -1, Limit: 10}),
		"a skip past a page":  p.encodeCursor(cursor{Space: "s", Search: "git", Skip: 11, Limit: 10}),
		"a body not a cursor": p.seal.seal([]byte(`["s"]`)),
		"not sealed":          "abc",
	}
	for name, c := range bad {
		space := "s"
		if name == "another space" {
			space = "t"
		}
		_, err := p.decodeCursor(c, space, "git")
		var input *inputError
		if !errors.As(err, &input) || input.arg != "after" {
			t.Errorf("%s: err = %v, want an error of the argument after", name, err)
		}
	}
	// A skip of the whole page is where the next page starts.
	full := cursor{Space: "s", Search: "git", Skip: 10, Limit: 10}
	if _, err := p.decodeCursor(p.encodeCursor(full), "s", "git"); err != nil {
		t.Errorf("skip = limit: %v", err)
	}
}
