package settings

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Text is a string, or bytes (a key), allowed as Choices and Check say.
type Text[T ~string | ~[]byte] struct {
	Flag, Env string
	Value     *T
	Default   string
	// Choices, when given, are the values allowed.
	Choices []string
	// Check, when given, says what is wrong with a value it refuses; its
	// error must not repeat a secret the value holds.
	Check       func(string) error
	Usage       string
	DefaultText string // when set, said in place of Default
}

// The kinds of Text.
type (
	String = Text[string]
	Bytes  = Text[[]byte]
)

// NotEmpty, as a Text's Check, refuses the empty string.
func NotEmpty(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func (t Text[T]) About() About {
	a := About{Flag: t.Flag, Env: t.Env, Usage: t.Usage, Type: "string", Default: t.Default, DefaultText: t.DefaultText}
	if len(t.Choices) > 0 {
		a.Range = oneOf(t.Choices, "`", "`")
	}
	for _, v := range []string{"", "?"} {
		if t.verdict(v) != nil {
			a.Refused = append(a.Refused, v)
		}
	}
	return a
}

func (t Text[T]) set(text string) error { *t.Value = T(text); return nil }
func (t Text[T]) value() string         { return string(*t.Value) }
func (t Text[T]) bound() bool           { return t.Value != nil }

func (t Text[T]) reset() {
	var v T
	if t.Default != "" {
		v = T(t.Default)
	}
	*t.Value = v
}

func (t Text[T]) fill() {
	if len(*t.Value) == 0 && t.verdict("") != nil {
		t.reset()
	}
}

func (t Text[T]) check() error { return t.verdict(string(*t.Value)) }

func (t Text[T]) verdict(v string) error {
	if len(t.Choices) > 0 && !slices.Contains(t.Choices, v) {
		return fmt.Errorf("-%s must be %s", t.Flag, oneOf(t.Choices, "", ""))
	}
	if t.Check != nil {
		if err := t.Check(v); err != nil {
			return fmt.Errorf("-%s: %w", t.Flag, err)
		}
	}
	return nil
}

// oneOf is "a, b or c", each quoted between open and close.
func oneOf(choices []string, open, close string) string {
	q := make([]string, len(choices))
	for i, c := range choices {
		q[i] = open + c + close
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// List is a comma-separated list; the blanks around each item, and empty
// items, are dropped.
type List struct {
	Flag, Env   string
	Value       *[]string
	Default     []string
	Usage       string
	DefaultText string // when set, said in place of Default
}

func (l List) About() About {
	return About{Flag: l.Flag, Env: l.Env, Usage: l.Usage, Type: "list", Default: strings.Join(l.Default, ","), DefaultText: l.DefaultText}
}

func (l List) set(text string) error {
	var items []string
	for _, e := range strings.Split(text, ",") {
		if e = strings.TrimSpace(e); e != "" {
			items = append(items, e)
		}
	}
	*l.Value = items
	return nil
}

func (l List) value() string { return strings.Join(*l.Value, ",") }
func (l List) reset()        { *l.Value = slices.Clone(l.Default) }
func (l List) check() error  { return nil }
func (l List) bound() bool   { return l.Value != nil }

func (l List) fill() {
	if len(*l.Value) == 0 {
		l.reset()
	}
}
