package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Integration mirrors the spec's Integration.
type Integration struct {
	Object                string                            `json:"object"`
	Name                  string                            `json:"name"`
	Version               float64                           `json:"version"`
	Title                 string                            `json:"title"`
	Description           *string                           `json:"description,omitempty"`
	Summary               *string                           `json:"summary,omitempty"`
	PreviewImages         []string                          `json:"previewImages"`
	Target                IntegrationTarget                 `json:"target"`
	Verified              bool                              `json:"verified"`
	Visibility            IntegrationVisibility             `json:"visibility"`
	Scopes                []IntegrationScope                `json:"scopes"`
	Categories            []IntegrationCategory             `json:"categories"`
	Blocks                []IntegrationBlock                `json:"blocks,omitempty"`
	ContentSources        []IntegrationContentSource        `json:"contentSources,omitempty"`
	Configurations        *IntegrationConfigurations        `json:"configurations,omitempty"`
	ExternalLinks         []IntegrationExternalLink         `json:"externalLinks"`
	Owner                 Organization                      `json:"owner"`
	URLs                  IntegrationURLs                   `json:"urls"`
	Permissions           IntegrationPermissions            `json:"permissions"`
	ContentSecurityPolicy *IntegrationContentSecurityPolicy `json:"contentSecurityPolicy,omitempty"`
}

// IntegrationURLs is Integration.urls.
type IntegrationURLs struct {
	Location              string  `json:"location"`
	Icon                  *string `json:"icon,omitempty"`
	App                   string  `json:"app"`
	Assets                string  `json:"assets"`
	PublicEndpoint        string  `json:"publicEndpoint"`
	PublicContentEndpoint *string `json:"publicContentEndpoint,omitempty"` // 0.202.0 on
}

// IntegrationPermissions is Integration.permissions.
type IntegrationPermissions struct {
	Admin bool `json:"admin"`
}

// IntegrationExternalLink is an element of the spec's IntegrationExternalLinks.
type IntegrationExternalLink struct {
	URL   string `json:"url"`
	Label string `json:"label"`
}

// IntegrationBlock mirrors the spec's IntegrationBlock.
type IntegrationBlock struct {
	ID          string                    `json:"id"`
	Title       string                    `json:"title"`
	Description *string                   `json:"description,omitempty"`
	Icon        *string                   `json:"icon,omitempty"`
	URLUnfurl   []string                  `json:"urlUnfurl,omitempty"`
	Markdown    *IntegrationBlockMarkdown `json:"markdown,omitempty"`
}

// IntegrationBlockMarkdown mirrors the spec's IntegrationBlockMarkdown.
type IntegrationBlockMarkdown struct {
	Codeblock string `json:"codeblock"`
	Body      string `json:"body"`
}

// IntegrationContentSource mirrors the spec's IntegrationContentSource.
type IntegrationContentSource struct {
	ID            string                            `json:"id"`
	Title         string                            `json:"title"`
	Description   *string                           `json:"description,omitempty"`
	Icon          *string                           `json:"icon,omitempty"`
	Configuration IntegrationConfigurationComponent `json:"configuration"`
}

// IntegrationConfigurationComponent mirrors the spec's schema of that name.
type IntegrationConfigurationComponent struct {
	ComponentID string `json:"componentId"`
}

// IntegrationConfigurations mirrors the spec's IntegrationConfigurations.
type IntegrationConfigurations struct {
	Account *IntegrationConfiguration `json:"account,omitempty"`
	Space   *IntegrationConfiguration `json:"space,omitempty"`
	Site    *IntegrationConfiguration `json:"site,omitempty"`
}

// IntegrationConfiguration holds the spec's IntegrationConfiguration oneOf:
// either a JSON schema of properties (Properties, Required) or a UI component
// (ComponentID).
type IntegrationConfiguration struct {
	ComponentID *string         `json:"componentId,omitempty"`
	Properties  json.RawMessage `json:"properties,omitempty"`
	Required    []string        `json:"required,omitempty"`
}

// IntegrationContentSecurityPolicy holds the spec's oneOf: a policy written
// as one string, or as an object of directives.
type IntegrationContentSecurityPolicy struct {
	Raw        string
	Directives map[string]string
}

// UnmarshalJSON accepts both forms of the policy.
func (p *IntegrationContentSecurityPolicy) UnmarshalJSON(data []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte(`"`)) {
		p.Directives = nil
		return json.Unmarshal(data, &p.Raw)
	}
	p.Raw = ""
	return json.Unmarshal(data, &p.Directives)
}

// MarshalJSON writes the policy back in the form it came in.
func (p IntegrationContentSecurityPolicy) MarshalJSON() ([]byte, error) {
	if p.Directives != nil {
		return json.Marshal(p.Directives)
	}
	return json.Marshal(p.Raw)
}

// HeaderValue is the policy as a Content-Security-Policy header value:
// directives in name order, separated by "; ".
func (p IntegrationContentSecurityPolicy) HeaderValue() string {
	if p.Directives == nil {
		return p.Raw
	}
	names := make([]string, 0, len(p.Directives))
	for name := range p.Directives {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		parts = append(parts, strings.TrimSpace(name+" "+p.Directives[name]))
	}
	return strings.Join(parts, "; ")
}

// SpaceIntegrationBlocks is an element of the spec's SpaceIntegrationBlocks:
// the blocks one integration provides in a space.
type SpaceIntegrationBlocks struct {
	Name   string             `json:"name"`
	Blocks []IntegrationBlock `json:"blocks"`
}

// IntegrationList is the answer of listSpaceIntegrations: the spec's List
// with items of Integration.
type IntegrationList struct {
	List
	Items []Integration `json:"items"`
}

// ListSpaceIntegrationsOptions narrows listSpaceIntegrations.
type ListSpaceIntegrationsOptions struct {
	Search string // the spec's `search` query parameter; empty for none
	ListOptions
}

// GetIntegration calls getIntegrationByName.
func (c *Client) GetIntegration(ctx context.Context, name string) (*Integration, error) {
	const op = "getIntegrationByName"
	if err := checkIntegrationName(op, name); err != nil {
		return nil, err
	}
	in, err := get[Integration](c, ctx, op, c.path("integrations", name), nil)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, badResponse(op, err)
	}
	return in, nil
}

// ListSpaceIntegrations calls listSpaceIntegrations for one page.
func (c *Client) ListSpaceIntegrations(ctx context.Context, spaceID string, opts ListSpaceIntegrationsOptions) (*IntegrationList, error) {
	const op = "listSpaceIntegrations"
	if err := checkEntityID(op, "spaceId", spaceID); err != nil {
		return nil, err
	}
	q, err := opts.ListOptions.query(op)
	if err != nil {
		return nil, err
	}
	if opts.Search != "" {
		q.Set("search", opts.Search)
	}
	list, err := get[IntegrationList](c, ctx, op, c.path("spaces", spaceID, "integrations"), q)
	if err != nil {
		return nil, err
	}
	if list.Items == nil {
		return nil, badResponse(op, errMissing("items"))
	}
	for i := range list.Items {
		if err := list.Items[i].validate(); err != nil {
			return nil, badResponse(op, fmt.Errorf("items[%d]: %w", i, err))
		}
	}
	return list, nil
}

// ListSpaceIntegrationBlocks calls listSpaceIntegrationsBlocks.
func (c *Client) ListSpaceIntegrationBlocks(ctx context.Context, spaceID string) ([]SpaceIntegrationBlocks, error) {
	const op = "listSpaceIntegrationsBlocks"
	if err := checkEntityID(op, "spaceId", spaceID); err != nil {
		return nil, err
	}
	found, err := get[[]SpaceIntegrationBlocks](c, ctx, op, c.path("spaces", spaceID, "integration-blocks"), nil)
	if err != nil {
		return nil, err
	}
	blocks := *found
	if blocks == nil {
		return nil, badResponse(op, errMissing("the list of blocks"))
	}
	for i := range blocks {
		if blocks[i].Name == "" {
			return nil, badResponse(op, fmt.Errorf("[%d]: blocks without a name", i))
		}
		if err := validateBlocks(blocks[i].Blocks); err != nil {
			return nil, badResponse(op, fmt.Errorf("[%d]: %w", i, err))
		}
	}
	return blocks, nil
}

// List mirrors the spec's List: the envelope of every paginated answer.
type List struct {
	Next  *ListNext `json:"next,omitempty"`
	Count *float64  `json:"count,omitempty"`
}

// ListNext is List.next: the page token of the following page.
type ListNext struct {
	Page string `json:"page"`
}

// ListOptions are the spec's listPage and listLimit parameters.
type ListOptions struct {
	Page  string // token from a previous answer's next.page; empty for the first page
	Limit int    // 0 leaves the upstream's default; at most MaxListLimit
}

// MaxListLimit is the maximum of the spec's listLimit parameter.
const MaxListLimit = 1000

func (o ListOptions) query(op string) (url.Values, error) {
	q := url.Values{}
	if o.Limit < 0 || o.Limit > MaxListLimit {
		return nil, invalidArgument(op, "limit", "must be between 0 and "+strconv.Itoa(MaxListLimit))
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Page != "" {
		q.Set("page", o.Page)
	}
	return q, nil
}
