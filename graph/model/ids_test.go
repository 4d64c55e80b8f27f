package model_test

import (
	"testing"

	"github.com/gitbook-graphql/facade/graph/model"
	"github.com/gitbook-graphql/facade/upstream"
)

// A block's and a content source's ids are GitBook's prefixed with their
// integration's name, GitBook's own kept beside: GitBook keeps them unique
// only within the integration, and clients' caches key by id.
func TestNestedIdsNameTheirIntegration(t *testing.T) {
	in := model.IntegrationFromREST(&upstream.Integration{
		Name:           "figma",
		Blocks:         []upstream.IntegrationBlock{{ID: "embed", Title: "Figma"}},
		ContentSources: []upstream.IntegrationContentSource{{ID: "files", Title: "Files"}},
	})
	if in.ID != "figma" {
		t.Errorf("integration id %q", in.ID)
	}
	if b := in.Blocks[0]; b.ID != "figma/embed" || b.BlockID != "embed" {
		t.Errorf("block %+v", b)
	}
	if c := in.ContentSources[0]; c.ID != "figma/files" || c.SourceID != "files" {
		t.Errorf("content source %+v", c)
	}
}
