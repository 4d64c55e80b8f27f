package model_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/gitbook-graphql/facade/graph/model"
	"github.com/gitbook-graphql/facade/upstream"
)

// answer is a RoundTripper that answers every call with the same body, so
// that fuzzed bodies go through the client's real decoding, with no network.
type answer []byte

func (a answer) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(a)), Request: req,
	}, nil
}

// Whatever the upstream answers, decoding it either succeeds or fails with
// ErrBadResponse, and mapping what decoded never panics.
func FuzzUpstreamAnswers(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzUpstreamAnswers.
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := upstream.New("http://127.0.0.1:1/v1", upstream.Options{HTTPClient: &http.Client{Transport: answer(body)}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(err error) {
			if err != nil && !errors.Is(err, upstream.ErrBadResponse) {
				t.Fatalf("answer %q: %v, want nil or ErrBadResponse", body, err)
			}
		}
		if s, err := c.GetSpace(ctx, "s"); err == nil {
			model.SpaceFromREST(s)
		} else {
			check(err)
		}
		if o, err := c.GetOrganization(ctx, "o"); err == nil {
			model.OrganizationFromREST(o)
		} else {
			check(err)
		}
		if in, err := c.GetIntegration(ctx, "slack"); err == nil {
			model.IntegrationFromREST(in)
		} else {
			check(err)
		}
		if list, err := c.ListSpaceIntegrations(ctx, "s", upstream.ListSpaceIntegrationsOptions{}); err == nil {
			for i := range list.Items {
				model.IntegrationFromREST(&list.Items[i])
			}
		} else {
			check(err)
		}
		if blocks, err := c.ListSpaceIntegrationBlocks(ctx, "s"); err == nil {
			model.SpaceIntegrationBlocksFromREST(blocks)
		} else {
			check(err)
		}
		if inst, err := c.InstallIntegrationOnSpace(ctx, "slack", "i", "s"); err == nil {
			model.InstallationFromREST(inst)
		} else {
			check(err)
		}
	})
}
