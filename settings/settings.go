// Package settings describes each of the facade's settings once: its flag,
// its environment variable, its default, its range and what it does. The
// package that owns a setting lists it beside its Config or Options, bound
// to the field it sets; the flags, the environment, -h, the checks and the
// README's table all come from those lists, and so do the packages' own
// defaults (Reset, Fill). A new limit is its field and one entry:
//
//	func (c *Config) Settings() []settings.Setting {
//		return []settings.Setting{
//			settings.Int{Flag: "max-depth", Env: "MAX_DEPTH", Value: &c.MaxDepth, Default: 15, Min: 1,
//				Usage: "deepest field nesting an operation may have"},
//			...
//
// DefaultConfig calls Reset on that list, withDefaults calls Fill, and the
// command (package main) parses, checks and documents every package's
// list; go test . -run TestReadmeListsEverySetting -update rewrites the
// README's table.
package settings

import (
	"errors"
	"fmt"
	"regexp"
)

// A Setting is one flag and its environment variable, bound to the field it
// sets. Its kinds are Int, Int64, Duration, Bool, String, Bytes and List.
type Setting interface {
	// About says what the setting is, for -h, the README and tests.
	About() About
	set(text string) error // parses text into the field
	value() string         // the field, as a flag would give it
	reset()                // sets the field to its default
	fill()                 // sets the field to its default where it is unset
	check() error          // refuses a field out of range, naming the flag
	bound() bool           // the setting has a field to set
}

// About is what a setting says of itself.
type About struct {
	Flag  string // without its dash: "max-depth"
	Env   string // "MAX_DEPTH"
	Usage string // what it does or guards, in Markdown (-h drops the marks)
	// Type is the flag's type for -h: int, duration, string or list; ""
	// for a bool.
	Type string
	// Default is the default as a flag would give it; "" for none.
	Default string
	// DefaultText, in Markdown, is said in place of Default, for a default
	// worked out when the process starts.
	DefaultText string
	// Range says, in Markdown, which values are allowed; "" for any.
	Range string
	// Refused are values just past the ends of the range, which parsing
	// refuses (for tests).
	Refused []string
}

// Reset sets every setting of list to its default.
func Reset(list []Setting) {
	for _, s := range list {
		s.reset()
	}
}

// Fill gives its default to every setting of list that was left unset: a
// field at its zero value, or a number below zero, when that is out of the
// setting's range. A value in range is kept, zero too, so that what the
// flags accepted is never changed behind their back. Config and Options
// types call it from their withDefaults, so that their zero value means the
// defaults.
func Fill(list []Setting) {
	for _, s := range list {
		s.fill()
	}
}

// Check refuses the first setting of list that is out of range, naming its
// flag: "-max-depth must be at least 1".
func Check(list []Setting) error {
	for _, s := range list {
		if err := s.check(); err != nil {
			return err
		}
	}
	return nil
}

var (
	flagName = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	envName  = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)
)

// Verify refuses a list that is not well made: a setting without a field,
// a flag, an environment variable or a usage, a flag or a variable used
// twice, or a default out of its own range. It resets the list to check
// the defaults.
func Verify(list []Setting) error {
	flags, envs := map[string]bool{}, map[string]bool{}
	var errs []error
	for _, s := range list {
		a := s.About()
		switch {
		case !flagName.MatchString(a.Flag):
			errs = append(errs, fmt.Errorf("flag %q is not a flag name", a.Flag))
		case !envName.MatchString(a.Env):
			errs = append(errs, fmt.Errorf("-%s: %q is not an environment variable's name", a.Flag, a.Env))
		case flags[a.Flag]:
			errs = append(errs, fmt.Errorf("-%s is listed twice", a.Flag))
		case envs[a.Env]:
			errs = append(errs, fmt.Errorf("-%s: %s is listed twice", a.Flag, a.Env))
		case a.Usage == "":
			errs = append(errs, fmt.Errorf("-%s has no usage", a.Flag))
		case !s.bound():
			errs = append(errs, fmt.Errorf("-%s is bound to no field", a.Flag))
		}
		flags[a.Flag], envs[a.Env] = true, true
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	Reset(list)
	if err := Check(list); err != nil {
		return fmt.Errorf("a default is out of range: %w", err)
	}
	return nil
}
