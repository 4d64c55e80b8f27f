package loader

import (
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// A request's loaders are made as it asks for them: one that reads a space
// makes the space loader only.
func TestLoadersAreMadeOnFirstUse(t *testing.T) {
	sim := gitbooksim.NewServer(gitbooksim.Options{})
	t.Cleanup(sim.Close)
	client, err := upstream.New(sim.URL, upstream.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := New(client.WithAuthorization("Bearer "+gitbooksim.DemoToken), Config{})
	if _, err := l.Space(t.Context(), 0, "acme-changelog"); err != nil {
		t.Fatal(err)
	}
	if l.spaceLoader.loader == nil {
		t.Error("the space loader was not made")
	}
	for name, made := range map[string]bool{
		"organizations":    l.organizationLoader.loader != nil,
		"integrations":     l.integrationLoader.loader != nil,
		"integrationPages": l.integrationPageLoader.loader != nil,
		"spaceBlocks":      l.spaceBlocksLoader.loader != nil,
	} {
		if made {
			t.Errorf("the %s loader was made, and never asked for", name)
		}
	}
}
