package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

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
