package upstream_test

import (
	"sync"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// Identical reads in flight at once are made once per credential; every
// caller gets the answer, and callers with another token get their own.
func TestIdenticalReadsInFlightAreCoalescedPerCredential(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{Latency: 50 * time.Millisecond})
	base, err := upstream.New(srv.URL, upstream.Options{Retry: &fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	admin := base.WithAuthorization(demoAuth)
	reader := base.WithAuthorization("Bearer " + gitbooksim.ReaderToken)
	var wg sync.WaitGroup
	var mu sync.Mutex
	admins := map[bool]int{}
	for i := range 40 {
		c := admin
		if i%2 == 1 {
			c = reader
		}
		wg.Go(func() {
			s, err := c.GetSpace(t.Context(), "acme-handbook")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			admins[s.Permissions.Admin]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if admins[true] != 20 || admins[false] != 20 {
		t.Errorf("answers by admin permission: %v; each token must get its own", admins)
	}
	if n := srv.CallCount("getSpaceById"); n != 2 {
		t.Errorf("getSpaceById: %d calls for 40 reads by 2 tokens, want 2", n)
	}
}

// When the caller whose read others joined gives up, the others still get
// an answer.
func TestCoalescedReadOutlivesTheCallerThatMadeIt(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{Latency: 100 * time.Millisecond})
	c := newClient(t, srv, nil)
	impatient, cancel := contextWithCancel(t)
	done := make(chan error, 1)
	go func() {
		_, err := c.GetSpace(impatient, "acme-handbook")
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	s, err := c.GetSpace(t.Context(), "acme-handbook")
	if err != nil || s.ID != "acme-handbook" {
		t.Fatalf("the patient caller: %v, %v", s, err)
	}
	if err := <-done; err == nil {
		t.Error("the impatient caller should have given up")
	}
}
