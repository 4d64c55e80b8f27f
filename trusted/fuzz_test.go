package trusted_test

import (
	"testing"

	"github.com/gitbook-graphql/facade/trusted"
)

// Parse refuses what it cannot read, and never panics; a list it accepts
// finds each of its operations by id, hash and text.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","name":"A","type":"query","body":"query A { a }"}]}`,
		`{"abc":"query { space(id: \"x\") { title } }","def":"mutation M { m }"}`,
		`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","type":"query","body":"{ a(s: \"\"\"b\"\"\") }"}]}`,
		`{}`, `[]`, `null`, `{"format":1}`, `{"a":"#"}`, `{"a":"{ a(x: 1.5e3) @d }"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := trusted.Parse(data)
		if err != nil {
			return
		}
		for _, op := range l.Operations() {
			if got, ok := l.ByID(op.ID); !ok || got.ID != op.ID {
				t.Errorf("id %q not found", op.ID)
			}
			if _, ok := l.ByID(op.SHA256); !ok {
				t.Errorf("hash of %q not found", op.ID)
			}
			if _, ok := l.ByText(op.Body, 0); !ok {
				t.Errorf("text of %q not found", op.ID)
			}
			if !l.Same(" "+op.Body+"\n", &op, 0) {
				t.Errorf("text of %q with blanks around is not the same", op.ID)
			}
		}
	})
}
