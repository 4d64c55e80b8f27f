package gitbooksim_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// listIntegrations filters the demo's catalog as GitBook names its filters.
func TestMarketplaceFilters(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	names := func(query string) []string {
		t.Helper()
		return ids(t, get(t, srv, gitbooksim.DemoToken, "/integrations?limit=1000&"+query), byKey("name"))
	}
	all := names("")
	if len(all) != 31 || !slices.Contains(all, "acme-status") {
		t.Errorf("the administrator's marketplace: %d integrations %v, want the 30 public ones and acme's own", len(all), all)
	}
	for query, want := range map[string][]string{
		"search=SLACK":                        {"slack"},
		"search=sync":                         {"github", "gitlab"},
		"category=visitor-auth":               {"auth0", "okta", "azure-ad"},
		"blockDomain=atlassian.net":           {"jira"},
		"blockDomain=figma.com":               {"figma"},
		"blockDomain=github.com":              {"github-files"},
		"scope=site:visitor:claims":           {"auth0"},
		"owner=acme":                          {"acme-status"},
		"category=collaboration&blocks=false": {"slack"},
		"search=git&target=space&blocks=true": {"github-files"},
		"contentSources=true":                 {},
	} {
		if got := names(query); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
	if n, blocks := len(names("blocks=false")), len(names("blocks=true")); n+blocks != len(all) || blocks == 0 || n == 0 {
		t.Errorf("blocks=true %d and blocks=false %d do not split %d", blocks, n, len(all))
	}
	for _, name := range names("target=site") {
		in := get(t, srv, gitbooksim.DemoToken, "/integrations/"+name).object(t)
		if in["target"] != "site" && in["target"] != "all" {
			t.Errorf("target=site lists %s, of target %v", name, in["target"])
		}
	}
	for query, message := range map[string]string{
		"category=nope":        "Invalid category",
		"scope=nope":           "Invalid scope",
		"target=nope":          "Invalid target",
		"blocks=maybe":         "Invalid blocks",
		"contentSources=maybe": "Invalid contentSources",
		"blockDomain=a/b":      "Invalid blockDomain",
	} {
		assertEnvelope(t, get(t, srv, gitbooksim.DemoToken, "/integrations?"+query), http.StatusBadRequest, message)
	}
}

// The marketplace lists public integrations and the caller's own private
// ones; unlisted ones are read by name only.
func TestMarketplaceVisibility(t *testing.T) {
	d := installationsData()
	d.Integrations[0].ContentSources = []upstream.IntegrationContentSource{{ID: "pages", Title: "Pages"}}
	srv := newServer(t, gitbooksim.Options{Data: d})
	for token, want := range map[string][]string{
		outsider:  {"widget"},
		customer:  {"widget", "secret"},
		publisher: {"widget"},
	} {
		if got := ids(t, get(t, srv, token, "/integrations"), byKey("name")); !slices.Equal(got, want) {
			t.Errorf("%s's marketplace: %v, want %v", token, got, want)
		}
	}
	if a := get(t, srv, outsider, "/integrations/hidden"); a.status != http.StatusOK {
		t.Errorf("an unlisted integration by its name: %d", a.status)
	}
	if got := ids(t, get(t, srv, customer, "/integrations?contentSources=true"), byKey("name")); !slices.Equal(got, []string{"widget"}) {
		t.Errorf("contentSources=true: %v", got)
	}
	if got := ids(t, get(t, srv, customer, "/integrations?contentSources=false"), byKey("name")); !slices.Equal(got, []string{"secret"}) {
		t.Errorf("contentSources=false: %v", got)
	}
}
