package settings

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Usage writes what -h says: the intro, then each flag with its usage,
// variable, default and range, then the variables with no flag.
func (c Command) Usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s [flags]\n\n%s\n\nFlags, each also set by the environment variable named with it (the flag wins):\n", c.Name, c.Intro)
	for _, s := range c.Settings {
		a := s.About()
		name := "-" + a.Flag
		if a.Type != "" {
			name += " " + a.Type
		}
		notes := []string{a.Env}
		if d := plain(defaultText(a.Default, a.DefaultText)); d != "" && d != "—" {
			notes = append(notes, "default "+d)
		}
		if a.Range != "" {
			notes = append(notes, plain(a.Range))
		}
		fmt.Fprintf(w, "  %s\n    \t%s (%s)\n", name, plain(a.Usage), strings.Join(notes, "; "))
	}
	if len(c.Variables) == 0 {
		return
	}
	fmt.Fprintf(w, "\nEnvironment variables without a flag:\n")
	for _, v := range c.Variables {
		fmt.Fprintf(w, "  %s\n    \t%s", v.Env, plain(v.Usage))
		if v.DefaultText != "" {
			fmt.Fprintf(w, " (default %s)", plain(v.DefaultText))
		}
		fmt.Fprintln(w)
	}
}

// Markdown is the README's table of the settings and the variables.
func (c Command) Markdown() string {
	var b strings.Builder
	b.WriteString("| flag | environment | default | range | meaning |\n|---|---|---|---|---|\n")
	for _, s := range c.Settings {
		a := s.About()
		d := defaultText(a.Default, a.DefaultText)
		if a.DefaultText == "" && a.Default != "" {
			d = "`" + a.Default + "`"
		}
		fmt.Fprintf(&b, "| `-%s` | `%s` | %s | %s | %s |\n", a.Flag, a.Env, cell(d), cell(a.Range), cell(a.Usage))
	}
	for _, v := range c.Variables {
		fmt.Fprintf(&b, "| — | `%s` | %s |  | %s |\n", v.Env, cell(defaultText("", v.DefaultText)), cell(v.Usage))
	}
	return b.String()
}

// defaultText is text, or value, or a dash for none.
func defaultText(value, text string) string {
	switch {
	case text != "":
		return text
	case value != "":
		return value
	}
	return "—"
}

// cell keeps a table's cell in its column.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

var link = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// plain is Markdown as -h says it: links are their text, code is not
// quoted.
func plain(s string) string {
	return strings.ReplaceAll(link.ReplaceAllString(s, "$1"), "`", "")
}
