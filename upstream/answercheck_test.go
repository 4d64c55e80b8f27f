package upstream_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

func TestBadResponses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name, op, body string
		call           func(*upstream.Client) error
	}{
		{"malformed JSON", "getSpaceById", `{"id": `, getSpace},
		{"missing id", "getSpaceById", `{"object": "space", "title": "No id"}`, getSpace},
		{"wrong type", "getSpaceById", `{"id": 5}`, getSpace},
		{"array for object", "getSpaceById", `[]`, getSpace},
		{"bad time", "getSpaceById", `{"id": "x", "createdAt": "yesterday"}`, getSpace},
		{"empty body", "getSpaceById", ` `, getSpace},
		{"organization without id", "getOrganizationById", `{"object": "organization"}`, func(c *upstream.Client) error {
			_, err := c.GetOrganization(ctx, "acme")
			return err
		}},
		{"fractional credits bundle", "getOrganizationById", `{"id": "acme", "billing": {"creditsBundle": 1.5}}`, func(c *upstream.Client) error {
			_, err := c.GetOrganization(ctx, "acme")
			return err
		}},
		{"integration without name", "getIntegrationByName", `{"title": "Slack"}`, func(c *upstream.Client) error {
			_, err := c.GetIntegration(ctx, "slack")
			return err
		}},
		{"list without items", "listSpaceIntegrations", `{"count": 0}`, func(c *upstream.Client) error {
			_, err := c.ListSpaceIntegrations(ctx, "acme-handbook", upstream.ListSpaceIntegrationsOptions{})
			return err
		}},
		{"null blocks", "listSpaceIntegrationsBlocks", `null`, func(c *upstream.Client) error {
			_, err := c.ListSpaceIntegrationBlocks(ctx, "acme-handbook")
			return err
		}},
		{"object for blocks", "listSpaceIntegrationsBlocks", `{}`, func(c *upstream.Client) error {
			_, err := c.ListSpaceIntegrationBlocks(ctx, "acme-handbook")
			return err
		}},
		{"installation without space", "installIntegrationOnSpace", `{"integration": "okta"}`, func(c *upstream.Client) error {
			_, err := c.InstallIntegrationOnSpace(ctx, "okta", "inst-acme-okta", "acme-handbook")
			return err
		}},
		{"larger than the limit", "getSpaceById", `{"id": "x"` + strings.Repeat(" ", 16<<20) + `}`, getSpace},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := setup(t)
			if tc.name == "larger than the limit" {
				// Reading 16 MiB under -race on a busy machine can outlast the
				// default 5 s attempt, which then retries: this case is about size.
				policy := fastRetry
				slow, err := upstream.New(srv.URL, upstream.Options{Retry: &policy, AttemptTimeout: 5 * time.Minute})
				if err != nil {
					t.Fatal(err)
				}
				c = slow.WithAuthorization(demoAuth)
			}
			srv.SetFault(gitbooksim.FailAlways(tc.op, gitbooksim.Fault{Body: tc.body}))
			err := tc.call(c)
			e := asError(t, srv, err)
			if e.Op != tc.op || e.Kind != upstream.ErrBadResponse || e.StatusCode != 0 || e.Transient() {
				t.Errorf("error = %+v, want a bad response to %s", e, tc.op)
			}
			assertKinds(t, err, upstream.ErrBadResponse)
			// Too large is refused as such, not as the JSON cut short by the limit.
			if tc.name == "larger than the limit" && !strings.Contains(err.Error(), "larger than 16777216 bytes") {
				t.Errorf("Error() = %q, want it to say the answer is too large", err)
			}
			if n := srv.CallCount(""); n != 1 {
				t.Errorf("%d calls, want 1: a bad answer is not retried", n)
			}
		})
	}
}

func getSpace(c *upstream.Client) error {
	_, err := c.GetSpace(context.Background(), "acme-handbook")
	return err
}
