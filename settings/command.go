package settings

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// Command is a program's settings, with the environment variables it reads
// that have no flag.
type Command struct {
	Name  string
	Intro string // what the program does, for -h
	// Settings are the flags, in the order -h and the README list them.
	Settings []Setting
	// Variables are read elsewhere (GITBOOK_TOKEN, GOGC); -h and the
	// README list them after the flags.
	Variables []Variable
}

// Variable is an environment variable with no flag.
type Variable struct {
	Env         string
	DefaultText string // in Markdown; "" for none
	Usage       string // in Markdown
}

// Parse sets each setting to its default, then from its environment
// variable when that is set (not empty), then from its flag in args, and
// checks them all. A malformed environment value is an error naming the
// variable; a value out of range, one naming the flag. -h prints Usage to
// output and returns flag.ErrHelp. given holds the flags that were set,
// on the command line or by their variables.
func (c Command) Parse(args []string, getenv func(string) string, output io.Writer) (given map[string]bool, err error) {
	given, err = c.parse(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		c.Usage(output)
		return given, err
	}
	if err != nil {
		return given, &UsageError{Command: c.Name, Err: err}
	}
	return given, nil
}

// UsageError is a setting the command line or the environment got wrong.
// Its text is one line, which says where the flags are listed: the whole
// usage would bury the one line that matters.
type UsageError struct {
	Command string
	Err     error
}

func (e *UsageError) Error() string {
	return e.Err.Error() + " (run " + e.Command + " -h for the flags)"
}

func (e *UsageError) Unwrap() error { return e.Err }

func (c Command) parse(args []string, getenv func(string) string) (given map[string]bool, err error) {
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	// The flag package would print its error and the whole usage; the
	// error is returned instead, and -h prints the usage itself.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	given = map[string]bool{}
	var envErr error
	for _, s := range c.Settings {
		a := s.About()
		s.reset()
		if v := getenv(a.Env); v != "" {
			given[a.Flag] = true
			if err := s.set(v); err != nil && envErr == nil {
				envErr = fmt.Errorf("%s=%q: %w", a.Env, v, err)
			}
		}
		fs.Var(flagValue{s}, a.Flag, plain(a.Usage))
	}
	if err := fs.Parse(args); err != nil {
		return given, err
	}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if envErr != nil {
		return given, envErr
	}
	if fs.NArg() > 0 {
		return given, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return given, Check(c.Settings)
}

// flagValue is a setting as the flag package sees it.
type flagValue struct{ s Setting }

func (v flagValue) String() string {
	if v.s == nil { // the flag package asks a zero Value
		return ""
	}
	return v.s.value()
}

func (v flagValue) Set(text string) error { return v.s.set(text) }

func (v flagValue) IsBoolFlag() bool {
	_, ok := v.s.(Bool)
	return ok
}
