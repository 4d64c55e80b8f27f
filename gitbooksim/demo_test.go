package gitbooksim_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

// The demo data speaks both versions of the spec: older records lack the
// properties 0.202.0 added, and the Git sync integrations are in the
// gitsync category, which only the older version lists.
func TestDemoDataServesBothVersions(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	github := call(t, srv, http.MethodGet, gitbooksim.DemoToken, "/integrations/github", "").object(t)
	if got := github["categories"]; !slices.Equal(got.([]any), []any{"gitsync"}) {
		t.Errorf("github categories = %v, want [gitsync]", got)
	}
	if _, ok := github["urls"].(map[string]any)["publicContentEndpoint"]; ok {
		t.Error("github, an older record, has urls.publicContentEndpoint")
	}
	slack := call(t, srv, http.MethodGet, gitbooksim.DemoToken, "/integrations/slack", "").object(t)
	if _, ok := slack["urls"].(map[string]any)["publicContentEndpoint"]; !ok {
		t.Error("slack, a 0.202.0 record, lacks urls.publicContentEndpoint")
	}
	northwind := call(t, srv, http.MethodGet, gitbooksim.DemoToken, "/orgs/northwind", "").object(t)
	billing, _ := northwind["billing"].(map[string]any)
	if billing == nil {
		t.Fatalf("northwind has no billing: %v", northwind)
	}
	for _, p := range []string{"canChangeInterval", "canUseSAML", "creditsBundle", "aiCreditAlertThreshold"} {
		if _, ok := billing[p]; ok {
			t.Errorf("northwind, an older record, has billing.%s", p)
		}
	}
	if _, ok := northwind["auditLogs"]; ok {
		t.Error("northwind, an older record, has auditLogs")
	}
}
