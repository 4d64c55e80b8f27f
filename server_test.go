package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/settings"
)

// startDemo runs the binary's run() with -demo on a loopback port and
// returns its address once it listens.
func startDemo(t *testing.T, env map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, logs := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-demo", "-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, logs, io.Discard)
		logs.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(lines.Bytes(), &line) == nil && line.Msg == "listening" {
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return line.Addr
		}
	}
	t.Fatal("the server never said it was listening")
	return ""
}

// The README's first GraphQL example answers, in full, against -demo.
func TestReadmeExampleAnswersAgainstDemo(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no ```graphql example")
	}
	addr := startDemo(t, nil)

	body, _ := json.Marshal(map[string]string{"query": string(m[1])})
	resp, err := http.Post("http://"+addr+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Data   map[string]any
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatal(err)
	}
	if len(answer.Errors) > 0 || len(answer.Data) == 0 {
		t.Fatalf("errors %v, data %v", answer.Errors, answer.Data)
	}
	for key, v := range answer.Data {
		if v == nil {
			t.Errorf("data.%s is null", key)
		}
	}
}

func TestConfigFromFlagsAndEnvironment(t *testing.T) {
	env := map[string]string{"ADDR": ":9999", "REQUEST_TIMEOUT": "3s", "GITBOOK_API_URL": "http://127.0.0.1:1/v1", "DEMO": "true"}
	getenv := func(k string) string { return env[k] }

	c, err := parseConfig(nil, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.addr != ":9999" || c.handler.RequestTimeout != 3*time.Second || c.upstreamURL != "http://127.0.0.1:1/v1" || !c.demo {
		t.Errorf("from the environment: %+v", c)
	}
	c, err = parseConfig([]string{"-addr", ":7000", "-request-timeout", "1s", "-demo=false"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.addr != ":7000" || c.handler.RequestTimeout != time.Second || c.demo {
		t.Errorf("flags should win over the environment: %+v", c)
	}

	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
	}{
		"bad duration in env": {nil, map[string]string{"REQUEST_TIMEOUT": "soon"}},
		"zero timeout":        {[]string{"-request-timeout", "0s"}, nil},
		"page size over 1000": {[]string{"-upstream-page-size", "1001"}, nil},
		"unknown log format":  {[]string{"-log-format", "xml"}, nil},
		"stray argument":      {[]string{"extra"}, nil},
		"unknown flag":        {[]string{"-nope"}, nil},
		"bad boolean in env":  {nil, map[string]string{"DEMO": "perhaps"}},
		"bad integer in env":  {nil, map[string]string{"UPSTREAM_PAGE_SIZE": "many"}},
		"no fields allowed":   {[]string{"-max-fields", "0"}, nil},
		"no errors allowed":   {nil, map[string]string{"MAX_ERRORS": "0"}},
		"no inflight slots":   {nil, map[string]string{"MAX_INFLIGHT_REQUESTS": "0"}},
		"inflight under body": {[]string{"-max-inflight-body-bytes", "65536"}, nil},
		"not a redis URL":     {[]string{"-redis-url", "http://:pw@127.0.0.1:6379"}, nil},
		"zero redis timeout":  {nil, map[string]string{"REDIS_TIMEOUT": "0s"}},
		"zero APQ TTL":        {[]string{"-apq-ttl", "0s"}, nil},
	} {
		if _, err := parseConfig(tc.args, func(k string) string { return tc.env[k] }, io.Discard); err == nil {
			t.Errorf("%s: no error", name)
		}
	}

	var usage strings.Builder
	if _, err := parseConfig([]string{"-h"}, getenv, &usage); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	for _, v := range []string{"ADDR", "GITBOOK_API_URL", "DEMO", "REQUEST_TIMEOUT", "GITBOOK_TOKEN",
		"UPSTREAM_CONCURRENCY", "MAX_UPSTREAM_CALLS", "INTROSPECTION", "UPSTREAM_ATTEMPT_TIMEOUT", "MAX_DEPTH", "MAX_REQUEST_BYTES",
		"MAX_TOKENS", "MAX_FIELDS", "MAX_ALIASES", "MAX_DIRECTIVES", "MAX_NAME_LENGTH", "MAX_ERRORS",
		"QUERY_CACHE_BYTES", "APQ_CACHE_BYTES", "MAX_AUTHORIZATION_BYTES", "MAX_RESPONSE_BYTES", "REDIS_URL", "REDIS_TIMEOUT",
		"MAX_INFLIGHT_REQUESTS", "MAX_INFLIGHT_BODY_BYTES"} {
		if !strings.Contains(usage.String(), v) {
			t.Errorf("-h does not mention %s", v)
		}
	}
	// Every flag has its row in the README's table.
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	flags := regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(usage.String(), -1)
	if len(flags) < 30 {
		t.Fatalf("read %d flags from -h; its format changed", len(flags))
	}
	for _, name := range flags {
		if !strings.Contains(string(readme), "| `-"+name[1]+"` |") {
			t.Errorf("-%s has no row in the README's Configuration table", name[1])
		}
	}
}

func TestARedisURLsPasswordIsNeverInItsError(t *testing.T) {
	_, err := parseConfig([]string{"-redis-url", "http://:hunter2@127.0.0.1:6379"}, func(string) string { return "" }, io.Discard)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v", err)
	}
}

func TestGCDefaultsGiveWayToTheEnvironment(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))

	tuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GOGC unset: GC percent %d, want %d", got, gcPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != memoryLimit {
		t.Errorf("GOMEMLIMIT unset: limit %d, want %d", got, memoryLimit)
	}

	debug.SetMemoryLimit(math.MaxInt64)
	tuneGC(func(k string) string { return map[string]string{"GOGC": "100", "GOMEMLIMIT": "1GiB"}[k] })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC set: GC percent %d, want the runtime's own", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set: limit %d, want the runtime's own", got)
	}
}

func TestACredentialOfItsOwnListensOnLoopback(t *testing.T) {
	parse := func(args []string, env map[string]string) config {
		t.Helper()
		c, err := parseConfig(args, func(k string) string { return env[k] }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		args        []string
		env         map[string]string
		credential  bool
		listen      string
		allowedHost string
	}{
		{nil, nil, false, ":8080", "localhost"},
		{nil, nil, true, "127.0.0.1:8080", "127.0.0.1"},
		{[]string{"-addr", ":9000"}, nil, true, ":9000", "::1"},
		{nil, map[string]string{"ADDR": "10.0.0.5:8080"}, true, "10.0.0.5:8080", "10.0.0.5"},
		{[]string{"-allowed-hosts", "docs.example.com, api.example.com"}, nil, true, "127.0.0.1:8080", "api.example.com"},
	} {
		c := parse(tc.args, tc.env)
		if got := listenAddr(c, tc.credential); got != tc.listen {
			t.Errorf("%v %v credential=%v: listens on %s, want %s", tc.args, tc.env, tc.credential, got, tc.listen)
		}
		if hosts := allowedHosts(c); !slices.Contains(hosts, tc.allowedHost) {
			t.Errorf("%v %v: allowed hosts %v lack %s", tc.args, tc.env, hosts, tc.allowedHost)
		}
	}
}

// HTTP/2 over cleartext with prior knowledge is served, and a client that
// offers the upgrade (Upgrade: h2c, as curl --http2 sends) is answered
// over HTTP/1.1 as JSON: no refusal outside the error contract.
func TestHTTP2OverCleartext(t *testing.T) {
	addr := startDemo(t, nil)
	body := `{"query":"{ space(id: \"acme-handbook\") { title } }"}`
	h2c := &http.Transport{Protocols: new(http.Protocols)}
	h2c.Protocols.SetUnencryptedHTTP2(true)
	defer h2c.CloseIdleConnections()
	resp, err := (&http.Client{Transport: h2c}).Post("http://"+addr+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != 200 || !strings.Contains(string(answer), "Employee Handbook") {
		t.Errorf("h2c: %s %d %s", resp.Proto, resp.StatusCode, answer)
	}

	for _, upgrade := range []string{"h2c", "websocket"} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Connection", "Upgrade, HTTP2-Settings")
		req.Header.Set("Upgrade", upgrade)
		req.Header.Set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(answer), "Employee Handbook") {
			t.Errorf("Upgrade: %s: %d %s %s", upgrade, resp.StatusCode, resp.Header.Get("Content-Type"), answer)
		}
	}
}

// A bad flag, flag value or variable is one line naming it and where the
// flags are listed; -h alone prints the usage.
func TestAFlagErrorIsOneLine(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
		says string
	}{
		"unknown flag":       {[]string{"-nope"}, nil, "-nope"},
		"bad value":          {[]string{"-request-timeout", "soon"}, nil, "-request-timeout"},
		"bad variable":       {nil, map[string]string{"REQUEST_TIMEOUT": "soon"}, "REQUEST_TIMEOUT"},
		"out of range":       {[]string{"-request-timeout", "0s"}, nil, "request-timeout"},
		"unexpected operand": {[]string{"serve"}, nil, "serve"},
	} {
		t.Run(name, func(t *testing.T) {
			var out strings.Builder
			_, err := parseConfig(tc.args, func(k string) string { return tc.env[k] }, &out)
			var usage *settings.UsageError
			if !errors.As(err, &usage) {
				t.Fatalf("error %v (%T), want a UsageError", err, err)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, tc.says) || !strings.HasSuffix(msg, "(run facade -h for the flags)") {
				t.Errorf("error %q", msg)
			}
			if out.Len() != 0 {
				t.Errorf("printed besides the error:\n%s", out.String())
			}
		})
	}
	var out strings.Builder
	if _, err := parseConfig([]string{"-h"}, func(string) string { return "" }, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	if !strings.Contains(out.String(), "-request-timeout") {
		t.Errorf("-h printed no usage:\n%s", out.String())
	}
}

// TestMain runs main itself when a test starts this binary as the facade
// (FACADE_TEST_MAIN=1): what the process prints and exits with is tested
// without building it.
func TestMain(m *testing.M) {
	if os.Getenv("FACADE_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// In a process of its own: a flag or a variable given a bad value is one
// line on stderr and status 2, not the whole of -h; -h is the whole, and
// status 0.
func TestABadFlagExitsTwo(t *testing.T) {
	const hint = " (run facade -h for the flags)\n"
	for _, tc := range []struct {
		args []string
		env  string
		want string // the line's start
	}{
		{[]string{"-request-timeout", "x"}, "", `facade: invalid value "x" for flag -request-timeout: `},
		{[]string{"-nope"}, "", "facade: flag provided but not defined: -nope"},
		{nil, "REQUEST_TIMEOUT=soon", `facade: REQUEST_TIMEOUT="soon": `},
		{[]string{"-max-depth", "0"}, "", "facade: -max-depth must be at least 1"},
		{[]string{"-max-inflight-body-bytes", "65536"}, "", "facade: -max-inflight-body-bytes must be at least -max-request-bytes"},
		{[]string{"stray"}, "", "facade: unexpected arguments: [stray]"},
	} {
		// On loopback, should the value be taken after all.
		code, stdout, stderr := runMain(t, append([]string{"-addr", "127.0.0.1:0"}, tc.args...), tc.env)
		if code != 2 || stdout != "" || !strings.HasPrefix(stderr, tc.want) || !strings.HasSuffix(stderr, hint) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v %s: status %d, stdout %q, stderr %q; want 2 and one line %q…%q", tc.args, tc.env, code, stdout, stderr, tc.want, hint)
		}
	}
	for _, help := range []string{"-h", "-help"} {
		code, _, stderr := runMain(t, []string{help}, "")
		if code != 0 || !strings.HasPrefix(stderr, "Usage: facade") || !strings.Contains(stderr, "-request-timeout duration") || strings.Count(stderr, "\n") < 50 {
			t.Errorf("%s: status %d, stderr %q", help, code, stderr)
		}
	}
}

// runMain runs main in a process of its own, with env its only variable
// besides FACADE_TEST_MAIN.
func runMain(t *testing.T, args []string, env string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = []string{"FACADE_TEST_MAIN=1"}
	if env != "" {
		cmd.Env = append(cmd.Env, env)
	}
	var out, errs strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errs.String()
}
