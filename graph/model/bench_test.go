package model_test

import (
	"testing"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/graph/model"
)

// BenchmarkIntegrationFromREST maps one integration, owner and blocks
// included: done for every integration of every page.
func BenchmarkIntegrationFromREST(b *testing.B) {
	d := gitbooksim.DemoData()
	in := d.Integrations[6] // figma: blocks
	in.Owner = d.Organizations[1]
	b.ReportAllocs()
	for b.Loop() {
		model.IntegrationFromREST(&in)
	}
}

func BenchmarkSpaceFromREST(b *testing.B) {
	s := gitbooksim.DemoData().Spaces[1]
	b.ReportAllocs()
	for b.Loop() {
		model.SpaceFromREST(&s)
	}
}
