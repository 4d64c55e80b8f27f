package settings_test

import (
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/settings"
)

// knobs is a Config of the kinds a package binds.
type knobs struct {
	n      int
	big    int64
	wait   time.Duration
	off    bool // says the opposite of its flag
	on     bool
	mode   string
	key    []byte
	hosts  []string
	prefix string
}

func (k *knobs) settings() []settings.Setting {
	return []settings.Setting{
		settings.Int{Flag: "n", Env: "N", Value: &k.n, Default: 10, Min: 1, Max: 100, Usage: "a count"},
		settings.Int64{Flag: "big", Env: "BIG", Value: &k.big, Default: 1 << 40, Min: 1, Usage: "a size"},
		settings.Duration{Flag: "wait", Env: "WAIT", Value: &k.wait, Default: time.Second, Min: settings.Positive, Usage: "a wait"},
		settings.Bool{Flag: "feature", Env: "FEATURE", Off: &k.off, Usage: "a feature, on by default"},
		settings.Bool{Flag: "extra", Env: "EXTRA", On: &k.on, Usage: "an extra, off by default"},
		settings.String{Flag: "mode", Env: "MODE", Value: &k.mode, Default: "a", Choices: []string{"a", "b", "c"}, Usage: "a mode"},
		settings.Bytes{Flag: "key", Env: "KEY", Value: &k.key, DefaultText: "a random one", Usage: "a key"},
		settings.List{Flag: "hosts", Env: "HOSTS", Value: &k.hosts, Usage: "some hosts"},
		settings.String{Flag: "prefix", Env: "PREFIX", Value: &k.prefix, Default: "p:", Check: settings.NotEmpty, Usage: "a prefix"},
	}
}

func parse(t *testing.T, args []string, env map[string]string) (knobs, map[string]bool, error) {
	t.Helper()
	var k knobs
	c := settings.Command{Name: "test", Intro: "Tests.", Settings: k.settings()}
	given, err := c.Parse(args, func(v string) string { return env[v] }, io.Discard)
	return k, given, err
}

func TestTheVariableGivesTheDefaultAndTheFlagWins(t *testing.T) {
	k, given, err := parse(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if k.n != 10 || k.big != 1<<40 || k.wait != time.Second || k.off || k.on || k.mode != "a" || k.key != nil || k.hosts != nil || k.prefix != "p:" || len(given) != 0 {
		t.Errorf("defaults: %+v, given %v", k, given)
	}
	env := map[string]string{"N": "20", "WAIT": "2s", "FEATURE": "false", "EXTRA": "true", "MODE": "b", "KEY": "k1", "HOSTS": " a.example, ,b.example "}
	k, given, err = parse(t, nil, env)
	if err != nil {
		t.Fatal(err)
	}
	if k.n != 20 || k.wait != 2*time.Second || !k.off || !k.on || k.mode != "b" || string(k.key) != "k1" || !slices.Equal(k.hosts, []string{"a.example", "b.example"}) {
		t.Errorf("from the environment: %+v", k)
	}
	if !given["n"] || !given["hosts"] || given["big"] {
		t.Errorf("given %v", given)
	}
	k, given, err = parse(t, []string{"-n", "0x1e", "-feature", "-extra=false", "-mode=c", "-big", "1_000"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if k.n != 30 || k.off || k.on || k.mode != "c" || k.big != 1000 || k.wait != 2*time.Second {
		t.Errorf("the flags should win: %+v", k)
	}
	if !given["big"] {
		t.Errorf("given %v", given)
	}
}

func TestValuesOutOfRangeAreRefusedNamingTheFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-n", "0"}, nil, "-n must be between 1 and 100"},
		{nil, map[string]string{"N": "101"}, "-n must be between 1 and 100"},
		{[]string{"-big", "0"}, nil, "-big must be at least 1"},
		{[]string{"-wait", "0s"}, nil, "-wait must be positive"},
		{[]string{"-mode", "d"}, nil, "-mode must be a, b or c"},
		{[]string{"-prefix="}, nil, "-prefix: must not be empty"},
		{nil, map[string]string{"N": "ten"}, `N="ten": not a whole number`},
		{nil, map[string]string{"WAIT": "1"}, `WAIT="1": not a duration`},
		{nil, map[string]string{"FEATURE": "yes please"}, `FEATURE="yes please": not a boolean`},
		{nil, map[string]string{"BIG": "99999999999999999999"}, `BIG="99999999999999999999": out of range`},
		{[]string{"stray"}, nil, "unexpected arguments: [stray]"},
	} {
		_, _, err := parse(t, tc.args, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: error %v, want %q", tc.args, tc.env, err, tc.want)
		}
	}
	if _, _, err := parse(t, []string{"-h"}, nil); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

// Refused lists values the parsing refuses; a default is never among them.
func TestRefusedValuesAreRefused(t *testing.T) {
	var k knobs
	for _, s := range k.settings() {
		a := s.About()
		for _, v := range a.Refused {
			if _, _, err := parse(t, []string{"-" + a.Flag + "=" + v}, nil); err == nil {
				t.Errorf("-%s=%q: no error", a.Flag, v)
			}
		}
	}
	if got := (settings.Int{Min: 1, Max: 100}).About().Refused; !slices.Equal(got, []string{"0", "101"}) {
		t.Errorf("Refused = %q", got)
	}
}

// Fill gives an unset field its default, and keeps every value in range.
func TestFillKeepsWhatIsInRange(t *testing.T) {
	var ttl time.Duration
	n, zero, neg := 0, 0, -3
	list := []settings.Setting{
		settings.Int{Flag: "n", Env: "N", Value: &n, Default: 10, Min: 1, Usage: "."},
		settings.Int{Flag: "zero", Env: "ZERO", Value: &zero, Default: 0, Min: 0, Usage: "."},
		settings.Int{Flag: "neg", Env: "NEG", Value: &neg, Default: 5, Min: 0, Usage: "."},
		settings.Duration{Flag: "ttl", Env: "TTL", Value: &ttl, Default: time.Minute, Usage: "0 means off"},
	}
	settings.Fill(list)
	if n != 10 || zero != 0 || neg != 5 || ttl != 0 {
		t.Errorf("n %d, zero %d, neg %d, ttl %v", n, zero, neg, ttl)
	}
	var k knobs
	k.n, k.wait = 7, time.Minute
	settings.Fill(k.settings())
	if k.n != 7 || k.wait != time.Minute || k.big != 1<<40 || k.prefix != "p:" || k.mode != "a" || k.key != nil {
		t.Errorf("filled %+v", k)
	}
}

func TestVerifyRefusesAListBadlyMade(t *testing.T) {
	var k knobs
	if err := settings.Verify(k.settings()); err != nil {
		t.Errorf("a list well made: %v", err)
	}
	n := 0
	for _, tc := range []struct {
		s    settings.Setting
		want string
	}{
		{settings.Int{Flag: "n", Env: "OTHER", Value: &n, Usage: "."}, "-n is listed twice"},
		{settings.Int{Flag: "other", Env: "N", Value: &n, Usage: "."}, "N is listed twice"},
		{settings.Int{Flag: "Other", Env: "OTHER", Value: &n, Usage: "."}, "not a flag name"},
		{settings.Int{Flag: "other", Env: "other", Value: &n, Usage: "."}, "not an environment variable's name"},
		{settings.Int{Flag: "other", Env: "OTHER", Usage: "."}, "bound to no field"},
		{settings.Bool{Flag: "other", Env: "OTHER", On: new(bool), Off: new(bool), Usage: "."}, "bound to no field"},
		{settings.Int{Flag: "other", Env: "OTHER", Value: &n}, "has no usage"},
		{settings.Int{Flag: "other", Env: "OTHER", Value: &n, Min: 1, Usage: "."}, "a default is out of range: -other must be at least 1"},
	} {
		if err := settings.Verify(append(k.settings(), tc.s)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.s, err, tc.want)
		}
	}
}

func TestUsageAndMarkdownSayTheSame(t *testing.T) {
	var k knobs
	c := settings.Command{Name: "test", Intro: "Tests.", Settings: k.settings()[:4],
		Variables: []settings.Variable{{Env: "TOKEN", Usage: "a `token` ([why](#why))"}}}
	var usage strings.Builder
	c.Usage(&usage)
	want := `Usage: test [flags]

Tests.

Flags, each also set by the environment variable named with it (the flag wins):
  -n int
    	a count (N; default 10; 1–100)
  -big int
    	a size (BIG; default 1099511627776; ≥ 1)
  -wait duration
    	a wait (WAIT; default 1s; > 0)
  -feature
    	a feature, on by default (FEATURE; default true)

Environment variables without a flag:
  TOKEN
    	a token (why)
`
	if usage.String() != want {
		t.Errorf("usage:\n%s\nwant\n%s", usage.String(), want)
	}
	md := c.Markdown()
	wantMD := "| flag | environment | default | range | meaning |\n|---|---|---|---|---|\n" +
		"| `-n` | `N` | `10` | 1–100 | a count |\n" +
		"| `-big` | `BIG` | `1099511627776` | ≥ 1 | a size |\n" +
		"| `-wait` | `WAIT` | `1s` | > 0 | a wait |\n" +
		"| `-feature` | `FEATURE` | `true` |  | a feature, on by default |\n" +
		"| — | `TOKEN` | — |  | a `token` ([why](#why)) |\n"
	if md != wantMD {
		t.Errorf("markdown:\n%s\nwant\n%s", md, wantMD)
	}
}
