package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A list of trusted documents that does not load at start is a bad
// command line: one line naming the flag, the file and the entry, and
// status 2.
func TestATrustedDocumentsListThatDoesNotLoadExitsTwo(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte(`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","type":"query","body":"query A {\n"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, says string
	}{
		{broken, `operations[0] (id "a"): its text does not parse`},
		{filepath.Join(dir, "missing.json"), "no such file"},
	} {
		code, stdout, stderr := runMain(t, []string{"-addr", "127.0.0.1:0", "-demo", "-log-level", "error", "-trusted-documents", tc.path}, "")
		if code != 2 || stdout != "" || !strings.HasPrefix(stderr, "facade: -trusted-documents: ") || !strings.Contains(stderr, tc.says) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("status %d, stdout %q, stderr %q; want 2 and one line saying %q", code, stdout, stderr, tc.says)
		}
	}
}

// In a process of its own: SIGHUP reloads the list, so an operation added
// to the file runs; a file that no longer loads leaves the list in force,
// and the log says why.
func TestSIGHUPReloadsTheTrustedDocuments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "persisted_queries.json")
	const (
		first  = `query First { organization(id: "acme") { title } }`
		second = `query Second { organization(id: "acme") { id title } }`
	)
	writeList := func(data string) {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	relayMap := func(entries map[string]string) string {
		b, _ := json.Marshal(entries)
		return string(b)
	}
	writeList(relayMap(map[string]string{"first": first}))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-demo", "-addr", "127.0.0.1:0", "-trusted-documents", path)
	cmd.Env = []string{"FACADE_TEST_MAIN=1"}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan map[string]any)
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		for range lines { // to the end of its output, then its exit
		}
		_ = cmd.Wait()
	}()
	go func() {
		defer close(lines)
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			var line map[string]any
			if json.Unmarshal(s.Bytes(), &line) == nil {
				lines <- line
			}
		}
	}()
	// next waits for the log line whose msg starts with prefix.
	next := func(prefix string) map[string]any {
		t.Helper()
		for line := range lines {
			if msg, _ := line["msg"].(string); strings.HasPrefix(msg, prefix) {
				return line
			}
		}
		t.Fatalf("the process ended before logging %q", prefix)
		return nil
	}
	addr := next("listening")["addr"].(string)
	run := func(docID string) string {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"doc_id": docID})
		resp, err := http.Post("http://"+addr+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		return string(answer)
	}
	if a := run("first"); !strings.Contains(a, `"title":"Acme Inc."`) {
		t.Fatalf("first: %s", a)
	}
	if a := run("second"); !strings.Contains(a, "PERSISTED_QUERY_NOT_IN_LIST") {
		t.Fatalf("second before it is listed: %s", a)
	}

	writeList(relayMap(map[string]string{"first": first, "second": second}))
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if line := next("trusted documents: "); line["msg"] != "trusted documents: reloaded 2 operations" {
		t.Fatalf("after SIGHUP: %v", line)
	}
	if a := run("second"); !strings.Contains(a, `"id":"acme"`) {
		t.Errorf("second after SIGHUP: %s", a)
	}

	writeList(`{"first": 1}`)
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	line := next("trusted documents: ")
	if msg, _ := line["msg"].(string); !strings.Contains(msg, "kept the list") || !strings.Contains(line["error"].(string), `entry "first"`) || line["operations"] != 2.0 {
		t.Errorf("after SIGHUP with a broken file: %v", line)
	}
	if a := run("second"); !strings.Contains(a, `"id":"acme"`) {
		t.Errorf("second after a broken file: %s", a)
	}
}
