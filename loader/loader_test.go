package loader_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/loader"
	"github.com/gitbook-graphql/facade/upstream"
)

func newLoaders(t *testing.T, opts gitbooksim.Options) (*loader.Loaders, *gitbooksim.Server) {
	t.Helper()
	sim := gitbooksim.NewServer(opts)
	t.Cleanup(sim.Close)
	policy := upstream.RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: time.Millisecond}
	client, err := upstream.New(sim.URL, upstream.Options{Retry: &policy})
	if err != nil {
		t.Fatal(err)
	}
	return loader.New(client.WithAuthorization("Bearer "+gitbooksim.DemoToken), loader.Config{}), sim
}

func TestTransientFailuresAreNotCached(t *testing.T) {
	ctx := context.Background()
	l, sim := newLoaders(t, gitbooksim.Options{
		Fault: gitbooksim.FailFirst("getSpaceById", 2, gitbooksim.Fault{Status: http.StatusServiceUnavailable}),
	})
	if _, err := l.Space(ctx, 0, "acme-handbook"); !upstream.IsTransient(err) {
		t.Fatalf("first load: %v, want a transient failure after the retry", err)
	}
	s, err := l.Space(ctx, 0, "acme-handbook")
	if err != nil || s.Title != "Employee Handbook" {
		t.Fatalf("second load: %v, %v", s, err)
	}
	if n := sim.CallCount("getSpaceById"); n != 3 {
		t.Errorf("getSpaceById: %d calls, want 3", n)
	}
	if _, err := l.Space(ctx, 0, "acme-handbook"); err != nil || sim.CallCount("getSpaceById") != 3 {
		t.Errorf("a success is cached: %v, %d calls", err, sim.CallCount("getSpaceById"))
	}
}

func TestFinalFailuresAreCached(t *testing.T) {
	ctx := context.Background()
	l, sim := newLoaders(t, gitbooksim.Options{})
	for range 3 {
		if _, err := l.Space(ctx, 0, "no-such-space"); upstream.StatusCode(err) != http.StatusNotFound {
			t.Fatalf("load: %v", err)
		}
	}
	if n := sim.CallCount("getSpaceById"); n != 1 {
		t.Errorf("getSpaceById: %d calls, want 1", n)
	}
}

func TestIntegrationPagePrimesIntegrationsAndOwners(t *testing.T) {
	ctx := context.Background()
	l, sim := newLoaders(t, gitbooksim.Options{})
	list, err := l.IntegrationPage(ctx, loader.IntegrationPage{SpaceID: "acme-design-system", Limit: 100})
	if err != nil || len(list.Items) == 0 {
		t.Fatalf("page: %v, %v", list, err)
	}
	for _, item := range list.Items {
		in, err := l.Integration(ctx, 0, item.Name)
		if err != nil || in.Title != item.Title {
			t.Errorf("integration %s: %v, %v", item.Name, in, err)
		}
		owner, err := l.Organization(ctx, 0, item.Owner.ID)
		if err != nil || owner.Title != item.Owner.Title {
			t.Errorf("owner %s: %v, %v", item.Owner.ID, owner, err)
		}
	}
	if n := sim.CallCount(""); n != 1 {
		t.Errorf("%d calls, want only the page", n)
	}
}

func TestSpacesBatchKeepsOrderAndDeduplicates(t *testing.T) {
	ctx := context.Background()
	l, sim := newLoaders(t, gitbooksim.Options{Latency: 10 * time.Millisecond})
	ids := []string{"oss-governance", "acme-handbook", "no-such-space", "oss-governance"}
	spaces, errs := l.Spaces(ctx, ids)
	for i, id := range ids {
		switch {
		case id == "no-such-space":
			if errs[i] == nil || spaces[i] != nil {
				t.Errorf("%s: %v, %v", id, spaces[i], errs[i])
			}
		case errs[i] != nil || spaces[i].ID != id:
			t.Errorf("[%d] %s: %v, %v", i, id, spaces[i], errs[i])
		}
	}
	if n := sim.CallCount("getSpaceById"); n != 3 {
		t.Errorf("getSpaceById: %d calls, want 3", n)
	}
	if peak := sim.PeakInFlight(); peak != 3 {
		t.Errorf("peak in flight %d, want 3 (one batch)", peak)
	}
}

func TestNaiveLoadersCallForEveryLoad(t *testing.T) {
	ctx := context.Background()
	sim := gitbooksim.NewServer(gitbooksim.Options{})
	t.Cleanup(sim.Close)
	client, err := upstream.New(sim.URL, upstream.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := loader.New(client.WithAuthorization("Bearer "+gitbooksim.DemoToken), loader.Config{Naive: true})
	for range 3 {
		if _, err := l.Space(ctx, 0, "acme-handbook"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.IntegrationPage(ctx, loader.IntegrationPage{SpaceID: "acme-design-system", Limit: 100}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Integration(ctx, 0, "figma"); err != nil {
		t.Fatal(err)
	}
	if n := sim.CallCount("getSpaceById"); n != 3 {
		t.Errorf("getSpaceById: %d calls, want 3", n)
	}
	if n := sim.CallCount("getIntegrationByName"); n != 1 {
		t.Errorf("a naive loader is primed by nothing: %d calls for figma, want 1", n)
	}
}

// The portal's blocks name 16 integrations, all enabled on it; it has 28.
func TestEnabledIntegrationsLoadByTheFewestCalls(t *testing.T) {
	ctx := context.Background()
	const portal = "acme-developer-portal"
	blockNames := func(t *testing.T, l *loader.Loaders) []string {
		blocks, err := l.SpaceIntegrationBlocks(ctx, portal)
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, len(blocks))
		for i, b := range blocks {
			names[i] = b.Name
		}
		return names
	}
	for _, tc := range []struct {
		name            string
		pageSize, names int
		pages, byName   int
		counted         bool // a page of 2 was read before, which tells the count
	}{
		{"one page holds them all", 100, -1, 1, 0, false},
		{"pages of 10: three pages, not sixteen calls", 10, -1, 3, 0, false},
		{"one name: by name", 100, 1, 0, 1, false},
		{"count known, pages of 2 for three names: by name", 2, 3, 1, 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, sim := newLoaders(t, gitbooksim.Options{})
			names := blockNames(t, l)
			if tc.counted { // names past the first page of 2
				names = slices.DeleteFunc(names, func(n string) bool { return n == "acme-status" || n == "amplitude" })
			}
			if tc.names >= 0 {
				names = names[:tc.names]
			}
			if tc.counted {
				if _, err := l.IntegrationPage(ctx, loader.IntegrationPage{SpaceID: portal, Limit: 2}); err != nil {
					t.Fatal(err)
				}
			}
			l.LoadEnabledIntegrations(ctx, portal, names, tc.pageSize)
			if _, errs := l.Integrations(ctx, names); errs != nil {
				for i, err := range errs {
					if err != nil {
						t.Errorf("%s: %v", names[i], err)
					}
				}
			}
			if got := sim.CallCount("listSpaceIntegrations"); got != tc.pages {
				t.Errorf("listSpaceIntegrations: %d calls, want %d", got, tc.pages)
			}
			if got := sim.CallCount("getIntegrationByName"); got != tc.byName {
				t.Errorf("getIntegrationByName: %d calls, want %d", got, tc.byName)
			}
		})
	}
}

// A read of an entity waits for the lists under way, asked for above it,
// that may embed it: a space's organization, read below the space, for the
// page of the space's integrations sent with the space. It calls when the
// list fails or does not hold it, and waits no longer than the request.
func TestAReadWaitsForTheListsAboveItThatMayEmbedIt(t *testing.T) {
	const portal = "acme-developer-portal" // acme-status, owned by acme, is first
	first := loader.IntegrationPage{SpaceID: portal, Limit: 5}
	for _, tc := range []struct {
		name      string
		sim       gitbooksim.Options
		pageDepth int
		readDepth int
		orgCalls  int
		lifeEnds  bool
		wantErr   bool
	}{
		// The latency keeps the page on its way while the space answers.
		{name: "embedded", sim: gitbooksim.Options{Latency: 20 * time.Millisecond}, pageDepth: 0, readDepth: 1},
		// A list asked for at the read's own depth is not waited for.
		{name: "asked for at the read's depth", sim: gitbooksim.Options{Latency: 20 * time.Millisecond}, pageDepth: 1, readDepth: 1, orgCalls: 1},
		{name: "failed list", sim: gitbooksim.Options{Fault: gitbooksim.FailAlways("listSpaceIntegrations", gitbooksim.Fault{Status: http.StatusNotFound})},
			pageDepth: 0, readDepth: 1, orgCalls: 1},
		{name: "hung list", sim: gitbooksim.Options{Fault: gitbooksim.FailAlways("listSpaceIntegrations", gitbooksim.Fault{Hang: true})},
			pageDepth: 0, readDepth: 1, lifeEnds: true, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, sim := newLoaders(t, tc.sim)
			ctx := t.Context()
			if tc.lifeEnds {
				// The request's lifetime; the test's context outlives it.
				life, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
				defer cancel()
				ctx = loader.WithLifetime(ctx, life)
			}
			l.PrefetchIntegrationPage(ctx, tc.pageDepth, first)
			o, err := l.Organization(ctx, tc.readDepth, "acme")
			if tc.wantErr {
				if err == nil {
					t.Fatalf("organization %v: the read outlived the request", o)
				}
			} else if err != nil || o.ID != "acme" {
				t.Fatalf("organization %v, %v", o, err)
			}
			if n := sim.CallCount("getOrganizationById"); n != tc.orgCalls {
				t.Errorf("getOrganizationById: %d calls, want %d", n, tc.orgCalls)
			}
			sim.Close() // releases a hung call
		})
	}
}
