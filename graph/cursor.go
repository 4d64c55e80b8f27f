package graph

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"hash"
	"strings"
	"sync"
)

// cursor is where to resume after an edge: the upstream page to read, how
// many of its items to skip, and the page size, which must stay the same for
// the page token to hold. After the last item of a page it points at the
// start of the next one, so resuming costs no call for a page already read.
// It names its space and search, so it cannot be replayed elsewhere, and it
// is sealed (cursorSeal), so it cannot be rewritten.
type cursor struct {
	Space  string `json:"s"`
	Search string `json:"q,omitempty"`
	Page   string `json:"p,omitempty"`
	Skip   int    `json:"k,omitempty"`
	Limit  int    `json:"l"`
}

func (p spaceLists) encodeCursor(c cursor) string {
	data, _ := json.Marshal(c)
	return p.seal.seal(data)
}

// decodeCursor reads a cursor of this space and search that this server
// (or one sharing its cursor key) sealed. Its page size can be no larger
// than the server's own: a server whose page size was lowered since refuses
// the cursors of the old one.
func (p spaceLists) decodeCursor(s, spaceID, search string) (cursor, error) {
	bad := &inputError{arg: "after", reason: "is not a cursor of this space's integrations with this search, or was altered"}
	data, ok := p.seal.open(s)
	if !ok {
		return cursor{}, bad
	}
	var c cursor
	if json.Unmarshal(data, &c) != nil || c.Space != spaceID || c.Search != search ||
		c.Limit < 1 || c.Limit > p.pageSize || c.Skip < 0 || c.Skip > c.Limit {
		return cursor{}, bad
	}
	return c, nil
}

// CursorSeal signs the cursors the server hands out, so that one a caller
// rewrote (a page token, a page size, a space) is refused before any call.
// Replicas that hand out each other's cursors share a key; without one, each
// process makes its own, and its cursors last as long as it does.
type CursorSeal struct {
	key  []byte
	macs *sync.Pool // of HMACs keyed with key: a connection signs a cursor per edge
}

// cursorTagBytes is the signature's length: 128 bits of HMAC-SHA256, as
// truncated tags are commonly kept (RFC 2104 allows half the hash or more).
const cursorTagBytes = 16

// NewCursorSeal seals with key; an empty key gets a random one.
func NewCursorSeal(key []byte) CursorSeal {
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key) // never fails (crypto/rand's documented contract)
	}
	return CursorSeal{key: key, macs: &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

// processSeal lets a zero CursorSeal (a Resolver built without one) work,
// with a key of its process.
var processSeal = NewCursorSeal(nil)

func (s CursorSeal) tag(data []byte) []byte {
	if s.macs == nil {
		s = processSeal
	}
	mac := s.macs.Get().(hash.Hash)
	defer s.macs.Put(mac)
	mac.Reset()
	mac.Write(data)
	var sum [sha256.Size]byte
	return mac.Sum(sum[:0])[:cursorTagBytes]
}

func (s CursorSeal) seal(data []byte) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString(data) + "." + enc.EncodeToString(s.tag(data))
}

func (s CursorSeal) open(sealed string) ([]byte, bool) {
	body, sig, ok := strings.Cut(sealed, ".")
	if !ok {
		return nil, false
	}
	enc := base64.RawURLEncoding
	data, err1 := enc.DecodeString(body)
	tag, err2 := enc.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(tag, s.tag(data)) {
		return nil, false
	}
	return data, true
}
