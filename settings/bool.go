package settings

import (
	"errors"
	"strconv"
)

// Bool is a switch. Its default is its field's zero value, so that a
// Config's zero value keeps meaning the defaults: On is a field the flag
// sets as it is (false by default); Off is a field that says the opposite
// of the flag (-introspection sets DisableIntrospection), so the flag is
// true by default. Give one of them.
type Bool struct {
	Flag, Env   string
	On, Off     *bool
	Usage       string
	DefaultText string // when set, said in place of the default
}

func (b Bool) About() About {
	return About{Flag: b.Flag, Env: b.Env, Usage: b.Usage, Default: strconv.FormatBool(b.Off != nil), DefaultText: b.DefaultText}
}

func (b Bool) set(text string) error {
	v, err := strconv.ParseBool(text)
	if err != nil {
		return errors.New("not a boolean: true or false")
	}
	b.store(v)
	return nil
}

func (b Bool) store(v bool) {
	if b.On != nil {
		*b.On = v
	} else {
		*b.Off = !v
	}
}

func (b Bool) value() string {
	if b.On != nil {
		return strconv.FormatBool(*b.On)
	}
	return strconv.FormatBool(!*b.Off)
}

func (b Bool) reset()       { b.store(b.Off != nil) }
func (b Bool) fill()        {}
func (b Bool) check() error { return nil }
func (b Bool) bound() bool  { return (b.On == nil) != (b.Off == nil) }
