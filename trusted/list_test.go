package trusted_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gitbook-graphql/facade/trusted"
)

const (
	spaceQuery = "query Space($id: String!) {\n  space(id: $id) {\n    title\n  }\n}"
	orgQuery   = "query Org { organization(id: \"acme\") { title } }"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func manifest(t testing.TB, ops ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"format": "apollo-persisted-query-manifest", "version": 1, "operations": ops})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func op(id, name, typ, body string) map[string]any {
	return map[string]any{"id": id, "name": name, "type": typ, "body": body}
}

// Both formats are read, told apart by content, and every way of naming an
// operation finds it.
func TestBothFormatsAreFoundEveryWay(t *testing.T) {
	apollo, err := trusted.Parse(manifest(t, op(sha(spaceQuery), "Space", "query", spaceQuery), op("org-1", "Org", "query", orgQuery)))
	if err != nil {
		t.Fatal(err)
	}
	relay, err := trusted.Parse([]byte(`{"` + sha(spaceQuery) + `": ` + quote(spaceQuery) + `, "org-1": ` + quote(orgQuery) + `}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []*trusted.List{apollo, relay} {
		if l.Len() != 2 {
			t.Errorf("%s: %d operations, want 2", l.Format(), l.Len())
		}
		for name, id := range map[string]string{
			"listed id":          "org-1",
			"sha256 of the body": sha(orgQuery),
			"prefixed sha256":    "sha256:" + sha(orgQuery),
		} {
			if got, ok := l.ByID(id); !ok || got.Body != orgQuery {
				t.Errorf("%s: %s %q: %v %v", l.Format(), name, id, got, ok)
			}
		}
		for _, id := range []string{"", "org", "sha256:", "sha256:org-1", strings.ToUpper(sha(orgQuery))} {
			if got, ok := l.ByID(id); ok {
				t.Errorf("%s: id %q found %q", l.Format(), id, got.ID)
			}
		}
		for _, text := range []string{
			spaceQuery,
			"query Space($id: String!) { space(id: $id) { title } }",
			"# a comment\nquery Space($id:String!){space(id:$id){title}},,,",
			"query Space(\r\n\t$id: String!\r\n) { space(id: $id) { title # the title\n } }",
		} {
			if got, ok := l.ByText(text, 100); !ok || got.Body != spaceQuery {
				t.Errorf("%s: text %q not found", l.Format(), text)
			}
		}
		for _, text := range []string{
			"",
			"query Space($id: String!) { space(id: $id) { title id } }",
			"query Space($id: String) { space(id: $id) { title } }",
			"query Org { organization(id: \"acme \") { title } }",
			"query Org { organization(id: acme) { title } }",
			"query Space($id: String!) { space(id: $id) { title } ", // a token short
			"{",
			"\"unterminated",
		} {
			if got, ok := l.ByText(text, 100); ok {
				t.Errorf("%s: text %q found %q", l.Format(), text, got.ID)
			}
		}
		// Past the token limit, even the same tokens are not looked up:
		// only the exact text, a map lookup, is.
		if _, ok := l.ByText(" "+spaceQuery, 5); ok {
			t.Errorf("%s: text past the token limit was lexed whole", l.Format())
		}
		if _, ok := l.ByText(spaceQuery, 5); !ok {
			t.Errorf("%s: the exact text is refused for its length", l.Format())
		}
	}
}

// Strings keep their content: a block string and a string of the same
// value are the same token, and spacing inside a string is not a blank.
func TestStringsAreTokensWhole(t *testing.T) {
	const body = `query { space(id: "a b") { title } }`
	l, err := trusted.Parse([]byte(`{"x": ` + quote(body) + `}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.ByText(`query{space(id:"""a b"""){title}}`, 0); !ok {
		t.Error("a block string of the same value is not found")
	}
	for _, text := range []string{`query { space(id: "a  b") { title } }`, `query { space(id: "ab") { title } }`, `query { space(id: a b) { title } }`} {
		if _, ok := l.ByText(text, 0); ok {
			t.Errorf("%s found", text)
		}
	}
}

// A file that cannot be a list is refused whole, saying which entry and why.
func TestMalformedListsAreRefusedSayingWhere(t *testing.T) {
	for name, tc := range map[string]struct {
		data string
		says string
	}{
		"not JSON":           {`{"format":`, "not a JSON object"},
		"an array":           {`[]`, "not a JSON object"},
		"null":               {`null`, "not a JSON object"},
		"other format":       {`{"format":"other","version":1,"operations":[]}`, `format "other"`},
		"no version":         {`{"format":"apollo-persisted-query-manifest","operations":[]}`, "no version"},
		"version 2":          {`{"format":"apollo-persisted-query-manifest","version":2,"operations":[]}`, "version is 2"},
		"version as string":  {`{"format":"apollo-persisted-query-manifest","version":"1","operations":[]}`, `version is "1"`},
		"no operations":      {`{"format":"apollo-persisted-query-manifest","version":1}`, `"operations" is not an array`},
		"operation a string": {`{"format":"apollo-persisted-query-manifest","version":1,"operations":["x"]}`, "operations[0]: not an object"},
		"no id":              {string(manifest(t, op("", "A", "query", "{ a }"))), "operations[0]: no id"},
		"no body":            {string(manifest(t, op("a", "A", "query", ""))), `operations[0] (id "a"): no body`},
		"bad type":           {string(manifest(t, op("a", "A", "fragment", "{ a }"))), `operations[0] (id "a"): type`},
		"body not GraphQL": {string(manifest(t, op("a", "A", "query", "{ a }"), op("b", "B", "query", "query B {"))),
			`operations[1] (id "b"): its text does not parse`},
		"fragments alone":     {string(manifest(t, op("a", "A", "query", "fragment F on Space { title }"))), "fragments and no operation"},
		"id twice, two texts": {string(manifest(t, op("a", "A", "query", "{ a }"), op("a", "A", "query", "{ b }"))), `operations[1] (id "a"): the id is listed before`},
		"relay value number":  {`{"abc": 1}`, `entry "abc": its value is not a string`},
		"relay empty text":    {`{"abc": ""}`, `entry "abc": no text`},
		"relay empty id":      {`{"": "{ a }"}`, "empty id"},
		"relay bad text":      {`{"abc": "{ a "}`, `entry "abc": its text does not parse`},
		"trailing data":       {`{} {}`, "not a JSON object"},
	} {
		t.Run(name, func(t *testing.T) {
			l, err := trusted.Parse([]byte(tc.data))
			if err == nil {
				t.Fatalf("accepted, %d operations", l.Len())
			}
			if !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q, want one line saying %q", err, tc.says)
			}
		})
	}
	// The same entry twice is one operation.
	l, err := trusted.Parse(manifest(t, op("a", "A", "query", "{ a }"), op("a", "A", "query", "{ a }")))
	if err != nil || l.Len() != 1 {
		t.Errorf("an entry listed twice: %v", err)
	}
	// No operation at all is a list that allows nothing.
	for _, empty := range []string{`{}`, `{"format":"apollo-persisted-query-manifest","version":1,"operations":[]}`} {
		if l, err := trusted.Parse([]byte(empty)); err != nil || l.Len() != 0 {
			t.Errorf("%s: %v", empty, err)
		}
	}
}

// Reload puts a new list in force whole, and keeps the old one when the
// file does not load; readers in flight never see a list half made.
func TestReloadSwapsWholeAndKeepsTheOldOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "list.json")
	write := func(data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(manifest(t, op("a", "A", "query", "{ a }")))
	store, err := trusted.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	old := store.List()
	write([]byte(`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a"}]}`))
	if _, err := store.Reload(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("a broken file reloaded: %v", err)
	}
	if store.List() != old {
		t.Error("a broken file replaced the list")
	}
	if _, err := store.Reload(filepath.Join(t.TempDir(), "gone.json")); err == nil || store.List() != old {
		t.Errorf("a missing file: %v", err)
	}

	listA := manifest(t, op("a", "A", "query", "{ a }"), op("d", "D", "query", "{ d }"))
	listB := manifest(t, op("b", "B", "query", "{ b }"), op("c", "C", "query", "{ c }"))
	write(listA)
	if _, err := store.Reload(path); err != nil {
		t.Fatal(err)
	}
	// Readers check that each list they get holds both of its entries, or
	// neither, while lists are swapped under them.
	var wg sync.WaitGroup
	var done atomic.Bool
	for range 4 {
		wg.Go(func() {
			for !done.Load() {
				l := store.List()
				_, a := l.ByID("a")
				_, b := l.ByID("b")
				_, c := l.ByText("{ c }", 10)
				if a == b || a == c || l.Len() != 2 {
					t.Errorf("a list seen half made: a %v b %v c %v, %d operations", a, b, c, l.Len())
					return
				}
			}
		})
	}
	for i := range 200 {
		if i%2 == 0 {
			write(listB)
		} else {
			write(listA)
		}
		if _, err := store.Reload(path); err != nil {
			t.Fatal(err)
		}
	}
	done.Store(true)
	wg.Wait()
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
