package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// @defer: gqlgen's executor answers an operation with deferred fragments
// first without them (hasNext: true), then with one response per deferred
// fragment, each holding its fields and the path of the object they belong
// to. A caller that accepts multipart/mixed gets those parts as they come,
// in the format Apollo Client reads (deferSpec=20220824: each later part is
// {"incremental": [...], "hasNext": ...}). Any other caller gets one answer
// with the deferred fields in it, which the spec allows a server to do.

const (
	mediaMultipart = "multipart/mixed"
	partBoundary   = "-"
)

// pending says whether more of the operation's answer is to come.
func pending(resp *graphql.Response) bool { return resp.HasNext != nil && *resp.HasNext }

// accepts says whether an Accept header names media (parameters aside).
func accepts(accept, media string) bool {
	for _, part := range strings.Split(accept, ",") {
		if mediaType, _, err := parseMedia(strings.TrimSpace(part)); err == nil && mediaType == media {
			return true
		}
	}
	return false
}

// whole waits for the deferred parts and puts each one's fields into the
// object at its path: one answer, as if nothing had been deferred.
func whole(ctx context.Context, first *graphql.Response, next graphql.ResponseHandler) *graphql.Response {
	for {
		part := next(ctx)
		if part == nil {
			break
		}
		first.Errors = append(first.Errors, part.Errors...)
		if merged, err := spliceFields(first.Data, part.Path, part.Data); err == nil {
			first.Data = merged
		}
		if !pending(part) {
			break
		}
	}
	first.HasNext = nil
	return first
}

// writeParts writes the answer as multipart/mixed, a part as each comes.
// -max-response-bytes bounds the parts together: the part that would pass
// it is replaced by its error, at its path, and ends the answer.
func (t overHTTP) writeParts(ctx context.Context, w http.ResponseWriter, first *graphql.Response, next graphql.ResponseHandler) {
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", fmt.Sprintf(`%s; boundary="%s"; deferSpec=20220824`, mediaMultipart, partBoundary))
	first.Errors = capErrors(first.Errors, t.maxErrors)
	sent, ok := t.writePart(ctx, w, 0, first, func(err *gqlerror.Error) any {
		return map[string]any{"data": nil, "errors": gqlerror.List{err}, "hasNext": false}
	})
	for more := ok; more; {
		if flusher != nil {
			flusher.Flush()
		}
		part := next(ctx)
		if part == nil {
			break
		}
		part.Errors = capErrors(part.Errors, t.maxErrors)
		more = pending(part)
		sent, ok = t.writePart(ctx, w, sent, map[string]any{"incremental": []*graphql.Response{part}, "hasNext": more}, func(err *gqlerror.Error) any {
			err.Path = part.Path
			return map[string]any{"incremental": []map[string]any{{"errors": gqlerror.List{err}, "path": part.Path}}, "hasNext": false}
		})
		more = more && ok
	}
	fmt.Fprintf(w, "\r\n--%s--\r\n", partBoundary)
}

// writePart writes one part, sent bytes having gone before it; past the
// bound, it writes instead what instead makes of the error, and says so.
func (t overHTTP) writePart(ctx context.Context, w io.Writer, sent int, v any, instead func(*gqlerror.Error) any) (int, bool) {
	data, err := json.Marshal(v)
	fits := err == nil && (t.maxResponseBytes <= 0 || sent+len(data) <= t.maxResponseBytes)
	if !fits {
		data, _ = json.Marshal(instead(tooLarge(ctx, sent+len(data), t.maxResponseBytes)))
	}
	fmt.Fprintf(w, "\r\n--%s\r\nContent-Type: %s; charset=utf-8\r\n\r\n", partBoundary, mediaJSON)
	_, _ = w.Write(data)
	return sent + len(data), fits
}

var errNoObject = errors.New("no object at the path")

// member is one member of a JSON object: its key, and its value's bytes
// (start and end offsets in the document it was read from).
type member struct {
	key        string
	start, end int
}

// spliceFields puts the members of the object fields into the object at
// path in data: a member data already has (gqlgen answers a deferred field
// null in the first part) takes the deferred value in place, so the field
// keeps its place in the selection; the others are added at the object's
// end. The rest of data is left as it was.
func spliceFields(data json.RawMessage, path ast.Path, fields json.RawMessage) (json.RawMessage, error) {
	deferred, _, err := objectMembers(json.NewDecoder(bytes.NewReader(fields)))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for _, step := range path {
		if err := descend(dec, step); err != nil {
			return nil, err
		}
	}
	present, end, err := objectMembers(dec)
	if err != nil {
		return nil, err
	}
	at := make(map[string]member, len(present))
	for _, m := range present {
		at[m.key] = m
	}
	out := make([]byte, 0, len(data)+len(fields))
	last, added := 0, len(present) > 0
	var tail []byte
	for _, d := range deferred {
		value := fields[d.start:d.end]
		if m, ok := at[d.key]; ok {
			out = append(append(out, data[last:m.start]...), value...)
			last = m.end
			continue
		}
		if added {
			tail = append(tail, ',')
		}
		key, _ := json.Marshal(d.key)
		tail = append(append(append(tail, key...), ':'), value...)
		added = true
	}
	out = append(append(out, data[last:end]...), tail...)
	return append(out, data[end:]...), nil
}

// objectMembers reads the object dec is at: its members, and the offset of
// its closing brace.
func objectMembers(dec *json.Decoder) (members []member, end int, err error) {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, 0, errNoObject
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, 0, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, 0, err
		}
		e := int(dec.InputOffset())
		members = append(members, member{key: key.(string), start: e - len(raw), end: e})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, 0, err
	}
	return members, int(dec.InputOffset()) - 1, nil
}

// descend moves dec to the value at one step of a path.
func descend(dec *json.Decoder, step ast.PathElement) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch s := step.(type) {
	case ast.PathName:
		if tok != json.Delim('{') {
			return errNoObject
		}
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return err
			}
			if key == string(s) {
				return nil
			}
			if err := skip(dec); err != nil {
				return err
			}
		}
	case ast.PathIndex:
		if tok != json.Delim('[') {
			return errNoObject
		}
		for i := 0; dec.More(); i++ {
			if i == int(s) {
				return nil
			}
			if err := skip(dec); err != nil {
				return err
			}
		}
	}
	return errNoObject
}

func skip(dec *json.Decoder) error {
	var v json.RawMessage
	return dec.Decode(&v)
}
