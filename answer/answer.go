// Package answer meters one GraphQL answer while gqlgen builds it. Every
// value placed in the answer is charged as its field resolves, to limits on
// the values an answer may hold and the bytes it may take: the field that
// passes either gets RESPONSE_TOO_LARGE at its path, and every field after
// it resolves to nothing at once, so that no more CPU or memory goes to an
// answer that will not be sent. The end of the request's lifetime (its
// deadline, or its caller gone) cuts the answer the same way: a document's
// shape, its aliases, repeated ids or introspection, cannot make an answer
// cost more than its limits or outlast its request.
package answer

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gitbook-graphql/facade/codes"
)

// Limits bound one answer.
type Limits struct {
	// Values bounds the values an answer holds: each field's value and
	// each element of a list. What gqlgen spends building an answer, in
	// CPU and memory, grows with its values: 3 to 6 µs and 700 to 800
	// bytes allocated each, measured (introspection's the dearest).
	Values int
	// Bytes bounds the answer's size, as estimated while it is built:
	// never more than its JSON will take, so no answer within the limit is
	// cut; the encoded answer is held to the same limit.
	Bytes int
	// Errors is how many fields cut by the deadline say so with an error
	// of their own; the others are null without one, and counted
	// (Silenced), as an answer carries at most that many errors.
	Errors int
}

// Why an answer was cut.
const (
	open     int32 = iota
	tooLarge       // a value passed a limit
	deadline       // the request's deadline passed
	gone           // the request was cancelled: its caller went away
)

// Meter charges one answer's values against its Limits. Its Wrap is the
// answer's field middleware (gqlgen's OperationContext.ResolverMiddleware):
// every field of the answer, introspection's included, passes through it.
// It is safe for concurrent use, as gqlgen resolves fields concurrently.
type Meter struct {
	// cut is read by every field and written once: it keeps a cache line of
	// its own, which both cores can hold, away from used, which every field
	// writes.
	cut atomic.Int32
	_   [60]byte
	// used is the values charged, above valueShift, and the bytes below
	// it: one atomic add a field.
	used     atomic.Int64
	_        [56]byte
	limits   Limits
	overflow atomic.Pointer[gqlerror.Error] // the error of the value that passed a limit
	reported atomic.Int64                   // fields cut by the deadline that said so
	silenced atomic.Int64                   // and those that did not
	stop     func() bool
}

// used packs values and bytes in one int64: MaxValues values and bytes up
// to a terabyte, far past what any answer is let charge before it is cut.
const (
	valueShift = 40
	bytesMask  = 1<<valueShift - 1
	// MaxValues is the largest Limits.Values a meter can count to.
	MaxValues = 1<<(63-valueShift) - 1
	// MaxBytes is the largest Limits.Bytes.
	MaxBytes = 1 << 36
)

// New meters an answer under limits, cut when life ends.
func New(limits Limits, life context.Context) *Meter {
	limits.Values = min(limits.Values, MaxValues)
	limits.Bytes = min(limits.Bytes, MaxBytes)
	m := &Meter{limits: limits}
	m.stop = context.AfterFunc(life, func() {
		why := gone
		if errors.Is(life.Err(), context.DeadlineExceeded) {
			why = deadline
		}
		m.cut.CompareAndSwap(open, why)
	})
	return m
}

// Close lets the meter go of the request's lifetime, once the answer is
// built.
func (m *Meter) Close() { m.stop() }

// Wrap puts the meter around a field middleware chain, such as the
// operation's ResolverMiddleware.
func (m *Meter) Wrap(next graphql.FieldMiddleware) graphql.FieldMiddleware {
	maxValues, maxBytes := int64(m.limits.Values), int64(m.limits.Bytes)
	return func(ctx context.Context, resolve graphql.Resolver) (any, error) {
		if m.cut.Load() != open {
			return nil, m.cutError()
		}
		res, err := next(ctx, resolve)
		values, size := measure(res)
		used := m.used.Add(values<<valueShift | size)
		if used>>valueShift > maxValues || used&bytesMask > maxBytes {
			return nil, m.passed(ctx)
		}
		return res, err
	}
}

// Overflow is the error of the value that passed a limit, or nil when the
// answer fits: the answer is that error alone, with no data.
func (m *Meter) Overflow() *gqlerror.Error { return m.overflow.Load() }

// Silenced is how many fields the deadline cut without an error of their
// own, for the answer to say how many errors it left out.
func (m *Meter) Silenced() int { return int(m.silenced.Load()) }

// Charged is what the answer was charged: its values and estimated bytes.
func (m *Meter) Charged() (values, bytes int64) {
	used := m.used.Load()
	return used >> valueShift, used & bytesMask
}

// passed cuts the answer at the field that passed a limit. The first such
// field gets the error; fields that pass it at the same time, on other
// goroutines, are silent.
func (m *Meter) passed(ctx context.Context) error {
	if !m.cut.CompareAndSwap(open, tooLarge) {
		return m.cutError()
	}
	// Two of the error: gqlgen completes the one it is given (its
	// locations) on this goroutine while the answer may already be read on
	// another, which takes the meter's own, complete before it is stored.
	tooLarge := func() *gqlerror.Error {
		return &gqlerror.Error{
			Message:    m.tooLargeMessage(),
			Path:       append(ast.Path(nil), graphql.GetPath(ctx)...),
			Extensions: map[string]any{"code": codes.ResponseTooLarge},
		}
	}
	kept := tooLarge()
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field != nil && fc.Field.Position != nil {
		kept.Locations = []gqlerror.Location{{Line: fc.Field.Position.Line, Column: fc.Field.Position.Column}}
	}
	m.overflow.Store(kept)
	return tooLarge()
}

func (m *Meter) tooLargeMessage() string {
	values, size := m.Charged()
	if values > int64(m.limits.Values) {
		return fmt.Sprintf("the answer holds more than the %d values this server sends (-max-response-values) from here on; ask for fewer fields, or page with first", m.limits.Values)
	}
	return fmt.Sprintf("the answer is larger than the %d bytes this server sends (-max-response-bytes) from here on (%d bytes so far); ask for fewer fields, or page with first", m.limits.Bytes, size)
}

// cutError is what a field resolves to once the answer is cut: nothing,
// and an error only where the caller will read it.
func (m *Meter) cutError() error {
	if m.cut.Load() == deadline && m.reported.Add(1) <= int64(m.limits.Errors) {
		return &gqlerror.Error{
			Message:    "the request's deadline (-request-timeout) passed before this field was resolved",
			Extensions: map[string]any{"code": codes.RequestTimeout},
		}
	}
	m.silenced.Add(1)
	return errSilent
}

// errSilent is the error of a field cut without one of its own. Its path
// and locations are set, so gqlgen adds none, and Silent tells the error
// presenter to drop it: a cut field costs no allocation.
var errSilent = &gqlerror.Error{
	Message:   "cut",
	Path:      ast.Path{},
	Locations: []gqlerror.Location{},
}

// Silent says whether err is a cut field's, which the answer leaves out.
func Silent(err error) bool {
	var gqlErr *gqlerror.Error
	return errors.As(err, &gqlErr) && gqlErr == errSilent
}

// measure is what a resolved value is charged: its values (one, and one
// for each element of a list) and the bytes it takes at least in JSON,
// with its member's name, quotes, colon and comma counted as 4. Objects
// and list elements that are objects are charged their fields as those
// resolve.
func measure(v any) (values, size int64) {
	const member = 4
	switch v := v.(type) {
	case nil:
		return 1, member + 4
	case string:
		return 1, member + 2 + int64(len(v))
	case *string:
		if v == nil {
			return 1, member + 4
		}
		return 1, member + 2 + int64(len(*v))
	case bool:
		return 1, member + 4
	case int, int64, float64, time.Time:
		return 1, member + 1
	case []string:
		size = member + 2
		for _, s := range v {
			size += int64(len(s)) + 3
		}
		return 1 + int64(len(v)), size
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String: // enums
		return 1, member + 2 + int64(rv.Len())
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 { // the JSON scalar: its bytes as they are
			return 1, member + int64(rv.Len())
		}
		// Each element takes a comma and its value, at least a byte.
		return 1 + int64(rv.Len()), member + 2 + 2*int64(rv.Len())
	case reflect.Pointer:
		if rv.IsNil() {
			return 1, member + 4
		}
	}
	return 1, member + 2 // an object, whose fields are charged as they resolve
}
