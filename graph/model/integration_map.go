package model

import "github.com/gitbook-graphql/facade/upstream"

// IntegrationFromREST maps an integration, its embedded owner and blocks
// included, as SpaceFromREST a space.
func IntegrationFromREST(in *upstream.Integration) *Integration {
	out := &Integration{
		ID:             in.Name,
		Name:           in.Name,
		Version:        in.Version,
		Title:          in.Title,
		Description:    in.Description,
		Summary:        in.Summary,
		PreviewImages:  nonNil(in.PreviewImages),
		Target:         enumVal(IntegrationTargetOf, in.Target),
		Verified:       in.Verified,
		Visibility:     enumVal(IntegrationVisibilityOf, in.Visibility),
		Scopes:         nonNil(enumList(IntegrationScopeOf, in.Scopes)),
		Categories:     nonNil(enumList(IntegrationCategoryOf, in.Categories)),
		Blocks:         IntegrationBlocksFromREST(in.Name, in.Blocks),
		ContentSources: contentSources(in.Name, in.ContentSources),
		Configurations: configurations(in.Configurations),
		ExternalLinks:  nonNil(in.ExternalLinks),
		Owner:          organization(&in.Owner),
		Urls:           in.URLs,
		Permissions:    in.Permissions,
	}
	if csp := in.ContentSecurityPolicy; csp != nil {
		v := csp.HeaderValue()
		out.ContentSecurityPolicy = &v
	}
	return out
}

// IntegrationBlocksFromREST maps blocks; never nil, as the schema's lists
// of blocks are not null.
func IntegrationBlocksFromREST(integration string, blocks []upstream.IntegrationBlock) []IntegrationBlock {
	out := make([]IntegrationBlock, len(blocks))
	for i, b := range blocks {
		out[i] = IntegrationBlock{
			ID:          integration + "/" + b.ID,
			BlockID:     b.ID,
			Title:       b.Title,
			Description: b.Description,
			Icon:        b.Icon,
			URLUnfurl:   b.URLUnfurl,
			Markdown:    (*IntegrationBlockMarkdown)(b.Markdown),
		}
	}
	return out
}

// SpaceIntegrationBlocksFromREST maps the answer of listSpaceIntegrationsBlocks.
func SpaceIntegrationBlocksFromREST(list []upstream.SpaceIntegrationBlocks) []SpaceIntegrationBlocks {
	out := make([]SpaceIntegrationBlocks, len(list))
	for i, sb := range list {
		out[i] = SpaceIntegrationBlocks{Name: sb.Name, Blocks: IntegrationBlocksFromREST(sb.Name, sb.Blocks)}
	}
	return out
}

// InstallationFromREST maps an installation of an integration on a space.
func InstallationFromREST(in *upstream.IntegrationSpaceInstallation) *IntegrationSpaceInstallation {
	out := &IntegrationSpaceInstallation{
		Installation:    in.Installation,
		Status:          enumVal(IntegrationInstallationStatusOf, in.Status),
		Configuration:   JSON(in.Configuration),
		ExternalIds:     nonNil(in.ExternalIDs),
		Urls:            in.URLs,
		IntegrationName: in.Integration,
		SpaceID:         in.Space.ID,
	}
	if len(out.Configuration) == 0 {
		out.Configuration = JSON(`{}`)
	}
	return out
}

func contentSources(integration string, list []upstream.IntegrationContentSource) []IntegrationContentSource {
	if list == nil {
		return nil
	}
	out := make([]IntegrationContentSource, len(list))
	for i, c := range list {
		out[i] = IntegrationContentSource{
			ID:            integration + "/" + c.ID,
			SourceID:      c.ID,
			Title:         c.Title,
			Description:   c.Description,
			Icon:          c.Icon,
			Configuration: c.Configuration,
		}
	}
	return out
}

func configurations(c *upstream.IntegrationConfigurations) *IntegrationConfigurations {
	if c == nil {
		return nil
	}
	return &IntegrationConfigurations{Account: configuration(c.Account), Space: configuration(c.Space), Site: configuration(c.Site)}
}

func configuration(c *upstream.IntegrationConfiguration) *IntegrationConfiguration {
	if c == nil {
		return nil
	}
	return &IntegrationConfiguration{ComponentID: c.ComponentID, Properties: JSON(c.Properties), Required: c.Required}
}

// nonNil turns an absent list into an empty one, for non-null list fields.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// IntegrationInstallationFromREST maps an integration's installation on an
// organization; integration names the integration, which GitBook's record
// does not.
func IntegrationInstallationFromREST(integration string, in *upstream.IntegrationInstallation) *IntegrationInstallation {
	out := &IntegrationInstallation{
		Key:             InstallationKey(integration, in.ID),
		ID:              in.ID,
		Status:          enumVal(IntegrationInstallationStatusOf, in.Status),
		SpaceSelection:  enumVal(IntegrationInstallationSpaceSelectionOf, in.SpaceSelection),
		SiteSelection:   enumVal(IntegrationInstallationSiteSelectionOf, in.SiteSelection),
		Spaces:          in.Spaces,
		Configuration:   JSON(in.Configuration),
		CreatedAt:       in.CreatedAt,
		UpdatedAt:       in.UpdatedAt,
		Urls:            in.URLs,
		ExternalIds:     nonNil(in.ExternalIDs),
		Target:          in.Target,
		Network:         in.Network,
		IntegrationName: integration,
	}
	if len(out.Configuration) == 0 {
		out.Configuration = JSON(`{}`)
	}
	return out
}

// InstallationKey is an installation's `key`: its integration's name and its
// ID, which GitBook reads it by.
func InstallationKey(integration, id string) string { return integration + "/" + id }
