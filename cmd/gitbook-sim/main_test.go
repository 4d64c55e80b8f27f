package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

func TestServesTheAPIAndItsCalls(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, "127.0.0.1:0", gitbooksim.Options{}, stdout) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + strings.TrimSpace(strings.TrimPrefix(line, "listening "))

	req, _ := http.NewRequest("GET", base+"/v1/orgs/acme", nil)
	req.Header.Set("Authorization", "Bearer "+gitbooksim.DemoToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /v1/orgs/acme: %v %v", resp, err)
	}
	resp.Body.Close()

	var calls struct{ Calls []gitbooksim.Call }
	resp, err = http.Get(base + "/_sim/calls")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&calls)
	resp.Body.Close()
	if len(calls.Calls) != 1 || calls.Calls[0].Op != "getOrganizationById" {
		t.Errorf("calls: %+v", calls.Calls)
	}
	resp, err = http.Post(base+"/_sim/reset", "", nil)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("reset: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestMain runs main itself when a test starts this binary as the
// simulator (GITBOOK_SIM_TEST_MAIN=1).
func TestMain(m *testing.M) {
	if os.Getenv("GITBOOK_SIM_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A bad flag is one line on stderr and status 2; -h is the usage, and
// status 0.
func TestAFlagErrorIsOneLine(t *testing.T) {
	for _, tc := range []struct {
		arg    string
		code   int
		stderr *regexp.Regexp
	}{
		{"-latency=x", 2, regexp.MustCompile(`^gitbook-sim: invalid value "x" for flag -latency: .* \(run gitbook-sim -h for the flags\)\n$`)},
		{"-nope", 2, regexp.MustCompile(`^gitbook-sim: flag provided but not defined: -nope \(run gitbook-sim -h for the flags\)\n$`)},
		{"-h", 0, regexp.MustCompile(`(?s)^Usage: gitbook-sim \[flags\]\n.*-latency duration.*-max-page-size int`)},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, os.Args[0], tc.arg)
		cmd.Env = []string{"GITBOOK_SIM_TEST_MAIN=1"}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		cancel()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		if code := cmd.ProcessState.ExitCode(); code != tc.code || !tc.stderr.MatchString(stderr.String()) {
			t.Errorf("%s: status %d, stderr %q; want %d and %s", tc.arg, code, stderr.String(), tc.code, tc.stderr)
		}
	}
}
