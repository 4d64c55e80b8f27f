package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/settings"
)

var update = flag.Bool("update", false, "rewrite the README's table of settings")

const (
	readmeTableStart = "<!-- settings: generated from the packages' Settings by go test . -run TestReadmeListsEverySetting -update -->\n"
	readmeTableEnd   = "<!-- end of settings -->\n"
)

// every is the process's settings, bound to a config of their own.
func every() settings.Command { return new(config).command() }

// The README's table is the one the settings give: -update rewrites it.
func TestReadmeListsEverySetting(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	before, rest, ok := strings.Cut(readme, readmeTableStart)
	_, after, ok2 := strings.Cut(rest, readmeTableEnd)
	if !ok || !ok2 {
		t.Fatalf("README.md lacks the markers %q and %q", readmeTableStart, readmeTableEnd)
	}
	table := every().Markdown()
	// Blank lines around the table, so that no Markdown reader takes the
	// markers for part of it.
	want := before + readmeTableStart + "\n" + table + "\n" + readmeTableEnd + after
	if *update && want != readme {
		if err := os.WriteFile("README.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		readme = want
	}
	if readme != want {
		t.Error("the README's table of settings is stale: run go test . -run TestReadmeListsEverySetting -update")
	}
	for _, s := range every().Settings {
		a := s.About()
		if row := "| `-" + a.Flag + "` | `" + a.Env + "` |"; !strings.Contains(table, row) {
			t.Errorf("-%s has no row %q", a.Flag, row)
		}
	}
}

// Every setting has a flag, a variable of its own, a usage and a default in
// its range.
func TestSettingsAreWellMade(t *testing.T) {
	if err := settings.Verify(every().Settings); err != nil {
		t.Error(err)
	}
}

func parseWith(args []string, env map[string]string) error {
	_, err := parseConfig(args, func(k string) string { return env[k] }, io.Discard)
	return err
}

// Each setting refuses the values just past its range, by flag and by
// environment variable alike, in an error that names the flag.
func TestEverySettingRefusesValuesOutOfRange(t *testing.T) {
	checked := 0
	for _, s := range every().Settings {
		a := s.About()
		for _, v := range a.Refused {
			err := parseWith([]string{"-" + a.Flag + "=" + v}, nil)
			if err == nil || !strings.Contains(err.Error(), "-"+a.Flag) {
				t.Errorf("-%s=%q: error %v, want one naming -%s", a.Flag, v, err, a.Flag)
			}
			if v == "" {
				continue // an empty variable is one not set
			}
			if err := parseWith(nil, map[string]string{a.Env: v}); err == nil || !strings.Contains(err.Error(), "-"+a.Flag) {
				t.Errorf("%s=%q: error %v, want one naming -%s", a.Env, v, err, a.Flag)
			}
			checked++
		}
	}
	if checked < 30 {
		t.Errorf("only %d values out of range checked", checked)
	}
	if err := parseWith(nil, nil); err != nil {
		t.Errorf("the defaults: %v", err)
	}
}

// A variable's value that is not of its setting's type is an error naming
// the variable, even when the flag is given too.
func TestMalformedVariablesAreNamed(t *testing.T) {
	for _, s := range every().Settings {
		a := s.About()
		if a.Type == "string" || a.Type == "list" {
			continue // any text is one
		}
		err := parseWith(nil, map[string]string{a.Env: "~"})
		if err == nil || !strings.Contains(err.Error(), a.Env) {
			t.Errorf("%s=~: error %v, want one naming %s", a.Env, err, a.Env)
		}
		if err := parseWith([]string{"-" + a.Flag + "=~"}, nil); err == nil || errors.Is(err, flag.ErrHelp) {
			t.Errorf("-%s=~: error %v", a.Flag, err)
		}
	}
}
