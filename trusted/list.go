// Package trusted is the list of trusted documents: the operations a
// first-party client is known to send, read from the file its build writes
// (Apollo's persisted query manifest, or relay-compiler's map of id to
// text), and found again by id, by the sha256 of their text, or by the text
// itself. What the server does with a request the list does not hold is
// httpapi's to decide; this package only answers whether it is listed.
package trusted

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Operation is one document of the list.
type Operation struct {
	ID     string // the manifest's id, or Relay's key
	Name   string // the manifest's name; "" from Relay
	Body   string // the document's text, as the client sends it
	SHA256 string // hex of sha256(Body): APQ's hash of it
	tokens string // Body's tokens (appendTokens)
}

// List is a loaded list of trusted documents. It never changes once made,
// so requests read it without a lock; Store swaps whole lists.
type List struct {
	format string
	ops    []*Operation
	byID   map[string]*Operation // ids as listed
	bySHA  map[string]*Operation // sha256 hex of each body
	byText map[string]*Operation // each body as listed
	// byTokens holds each body as its tokens (see appendTokens), so that a
	// caller's text found with other blanks, commas or comments is known.
	byTokens map[string]*Operation
}

// The formats a list is read from.
const (
	FormatApollo = "apollo-persisted-query-manifest"
	FormatRelay  = "relay"
)

// Len is how many operations the list holds.
func (l *List) Len() int { return len(l.ops) }

// Operations are the list's operations, in the file's order (a Relay
// map's has none).
func (l *List) Operations() []Operation {
	out := make([]Operation, len(l.ops))
	for i, op := range l.ops {
		out[i] = *op
	}
	return out
}

// Format is the file's format, FormatApollo or FormatRelay.
func (l *List) Format() string { return l.format }

// ByID finds the operation an id names: a listed id, or the sha256 hex of a
// listed body (APQ's sha256Hash; also written "sha256:<hex>", the prefixed
// form GraphQL over HTTP's persisted documents use). Listed ids win.
func (l *List) ByID(id string) (*Operation, bool) {
	if op, ok := l.byID[id]; ok {
		return op, true
	}
	if op, ok := l.bySHA[id]; ok {
		return op, true
	}
	if hash, ok := strings.CutPrefix(id, "sha256:"); ok {
		op, found := l.bySHA[hash]
		return op, found
	}
	return nil, false
}

// ByText finds the operation whose body is text: the same bytes, or else the
// same tokens (blanks, commas and comments aside). Lexing the text, the
// dear part, happens only when its bytes are not listed, and stops past
// maxTokens tokens (0: no limit), counted as the parser counts them; text
// with more, or that does not lex, is not listed.
func (l *List) ByText(text string, maxTokens int) (*Operation, bool) {
	if op, ok := l.byText[text]; ok {
		return op, true
	}
	if len(l.byTokens) == 0 {
		return nil, false
	}
	buf := tokenBuffers.Get().(*[]byte)
	defer tokenBuffers.Put(buf)
	var ok bool
	*buf, ok = appendTokens((*buf)[:0], text, maxTokens)
	if !ok {
		return nil, false
	}
	op, found := l.byTokens[string(*buf)] // indexing with string(b) does not copy b
	return op, found
}

// Same reports whether text is op's body, or has its tokens (lexed as
// ByText lexes it).
func (l *List) Same(text string, op *Operation, maxTokens int) bool {
	if text == op.Body {
		return true
	}
	buf := tokenBuffers.Get().(*[]byte)
	defer tokenBuffers.Put(buf)
	var ok bool
	*buf, ok = appendTokens((*buf)[:0], text, maxTokens)
	return ok && string(*buf) == op.tokens
}

// Load reads the list at path.
func Load(path string) (*List, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	l, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// Parse reads a list from either format, told apart by its content: an
// object whose "format" is a string is a manifest; any other object, a
// Relay map of id to text. It refuses the whole file for one bad entry,
// saying which and why: a list that ran some of a client's operations and
// refused the rest would fail in production, not at deploy.
func Parse(data []byte) (*List, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("not a JSON object (an Apollo persisted query manifest, or Relay's map of id to text): %w", err)
	}
	if top == nil {
		return nil, errors.New("not a JSON object (an Apollo persisted query manifest, or Relay's map of id to text): null")
	}
	var format string
	if raw, ok := top["format"]; ok && json.Unmarshal(raw, &format) == nil {
		if format != FormatApollo {
			return nil, fmt.Errorf("format %q is not %q", clip(format), FormatApollo)
		}
		return parseManifest(top)
	}
	return parseRelay(top)
}

// parseManifest reads what @apollo/generate-persisted-query-manifest writes.
func parseManifest(top map[string]json.RawMessage) (*List, error) {
	var version json.Number
	if raw, ok := top["version"]; !ok {
		return nil, errors.New("no version; only version 1 of the manifest is read")
	} else if err := strictNumber(raw, &version); err != nil || version.String() != "1" {
		return nil, fmt.Errorf("version is %s; only version 1 of the manifest is read", clip(string(raw)))
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(top["operations"], &raws); err != nil || raws == nil {
		return nil, errors.New(`"operations" is not an array`)
	}
	l := newList(FormatApollo, len(raws))
	for i, raw := range raws {
		var e struct {
			ID, Name, Type, Body *string
		}
		where := fmt.Sprintf("operations[%d]", i)
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("%s: not an object of strings id, name, type and body: %w", where, err)
		}
		switch {
		case e.ID == nil || *e.ID == "":
			return nil, fmt.Errorf("%s: no id", where)
		case e.Body == nil || *e.Body == "":
			return nil, fmt.Errorf("%s (id %q): no body", where, clip(*e.ID))
		case e.Type == nil || !validType(*e.Type):
			return nil, fmt.Errorf("%s (id %q): type is not query, mutation or subscription", where, clip(*e.ID))
		}
		name := ""
		if e.Name != nil {
			name = *e.Name
		}
		where = fmt.Sprintf("%s (id %q)", where, clip(*e.ID))
		if err := l.add(where, &Operation{ID: *e.ID, Name: name, Body: *e.Body}); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// parseRelay reads what relay-compiler's persistConfig writes: an object of
// id to text. Its order is not kept (nothing depends on it).
func parseRelay(top map[string]json.RawMessage) (*List, error) {
	l := newList(FormatRelay, len(top))
	for id, raw := range top {
		where := fmt.Sprintf("entry %q", clip(id))
		var body string
		if err := json.Unmarshal(raw, &body); err != nil {
			return nil, fmt.Errorf("%s: its value is not a string of GraphQL (Relay's map is of id to text)", where)
		}
		if id == "" {
			return nil, errors.New("an entry has an empty id")
		}
		if body == "" {
			return nil, fmt.Errorf("%s: no text", where)
		}
		if err := l.add(where, &Operation{ID: id, Body: body}); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func newList(format string, n int) *List {
	return &List{format: format, ops: make([]*Operation, 0, n),
		byID: make(map[string]*Operation, n), bySHA: make(map[string]*Operation, n),
		byText: make(map[string]*Operation, n), byTokens: make(map[string]*Operation, n)}
}

// add indexes op, once its body parses as a document with an operation. An
// id listed twice is refused unless both entries are the same text.
func (l *List) add(where string, op *Operation) error {
	doc, err := parser.ParseQuery(&ast.Source{Input: op.Body})
	if err != nil {
		return fmt.Errorf("%s: its text does not parse: %s", where, oneLine(err.Error()))
	}
	if len(doc.Operations) == 0 {
		return fmt.Errorf("%s: its text has fragments and no operation", where)
	}
	if prev, dup := l.byID[op.ID]; dup {
		if prev.Body != op.Body {
			return fmt.Errorf("%s: the id is listed before with another text", where)
		}
		return nil
	}
	sum := sha256.Sum256([]byte(op.Body))
	op.SHA256 = hex.EncodeToString(sum[:])
	tokens, ok := appendTokens(nil, op.Body, 0)
	if !ok { // parsed, so it lexes; kept as a guard
		return fmt.Errorf("%s: its text does not lex", where)
	}
	op.tokens = string(tokens)
	l.ops = append(l.ops, op)
	l.byID[op.ID] = op
	keepFirst(l.bySHA, op.SHA256, op)
	keepFirst(l.byText, op.Body, op)
	keepFirst(l.byTokens, op.tokens, op)
	return nil
}

func keepFirst(m map[string]*Operation, k string, op *Operation) {
	if _, ok := m[k]; !ok {
		m[k] = op
	}
}

func validType(t string) bool { return t == "query" || t == "mutation" || t == "subscription" }

// strictNumber decodes a JSON number, and nothing else, into n.
func strictNumber(raw json.RawMessage, n *json.Number) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return err
	}
	num, ok := v.(json.Number)
	if !ok {
		return errors.New("not a number")
	}
	*n = num
	return nil
}

// clip shortens what the file says to a length an error line can carry.
func clip(s string) string {
	const most = 64
	if len(s) <= most {
		return s
	}
	return strings.ToValidUTF8(s[:most], "") + "…"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
