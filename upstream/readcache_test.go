package upstream_test

import (
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

func TestCacheIsPerCredentialAndForgottenOnWrite(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	base, err := upstream.New(srv.URL, upstream.Options{Retry: &fastRetry, Sharing: upstream.Sharing{CacheTTL: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	admin := base.WithAuthorization(demoAuth)
	reader := base.WithAuthorization("Bearer " + gitbooksim.ReaderToken)
	for range 3 {
		if _, err := admin.GetSpace(t.Context(), "acme-handbook"); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.CallCount("getSpaceById"); n != 1 {
		t.Errorf("cached reads: %d calls, want 1", n)
	}
	s, err := reader.GetSpace(t.Context(), "acme-handbook")
	if err != nil || s.Permissions.Admin {
		t.Errorf("another token got %+v, %v: it must not see the admin's cached answer", s, err)
	}
	if n := srv.CallCount("getSpaceById"); n != 2 {
		t.Errorf("%d calls, want the reader's own", n)
	}
	if _, err := admin.GetSpace(t.Context(), "no-such-space"); err == nil {
		t.Fatal("a 404 answered")
	}
	if _, err := admin.GetSpace(t.Context(), "no-such-space"); err == nil {
		t.Fatal("a 404 answered")
	}
	if n := srv.CallCount("getSpaceById"); n != 4 {
		t.Errorf("failures are not cached: %d calls, want 4", n)
	}

	before := len(installed(t, admin))
	if _, err := admin.InstallIntegrationOnSpace(t.Context(), "codesandbox", "inst-acme-codesandbox", "acme-handbook"); err != nil {
		t.Fatal(err)
	}
	if after := len(installed(t, admin)); after != before+1 {
		t.Errorf("after installing, the cached list still has %d integrations", after)
	}
}

func installed(t *testing.T, c *upstream.Client) []upstream.Integration {
	t.Helper()
	list, err := c.ListSpaceIntegrations(t.Context(), "acme-handbook", upstream.ListSpaceIntegrationsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

// A read in flight when its credential writes may predate the write: it is
// not kept.
func TestLocalReadCacheKeepsNoReadThatAWriteOvertook(t *testing.T) {
	rc := upstream.NewLocalReadCache(10, time.Minute)
	alice := upstream.CredentialOf("Bearer alice")
	ctx := t.Context()
	_, hit, keep := rc.Get(ctx, alice, "/spaces/s1")
	if hit {
		t.Fatal("an empty cache hit")
	}
	rc.Forget(ctx, alice)
	keep([]byte("from before the write"))
	if body, hit, _ := rc.Get(ctx, alice, "/spaces/s1"); hit {
		t.Errorf("served %q, read before the write", body)
	}
	_, _, keep = rc.Get(ctx, alice, "/spaces/s1")
	keep([]byte("after"))
	if body, hit, _ := rc.Get(ctx, alice, "/spaces/s1"); !hit || string(body) != "after" {
		t.Errorf("%q, %v: a read with no write between was not kept", body, hit)
	}
	if _, hit, _ := rc.Get(ctx, upstream.CredentialOf("Bearer bob"), "/spaces/s1"); hit {
		t.Error("another credential was served alice's read")
	}
}
