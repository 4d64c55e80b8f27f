package gitbooksim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gitbook-graphql/facade/upstream"
)

// DemoMaxPageSize is the largest page of integrations -demo answers, fewer
// than the facade asks for, so that the demo shows lists read a page at a
// time.
const DemoMaxPageSize = 20

// Demo tokens: DemoToken administers Acme, edits in the open-source
// collective and reads Northwind's spaces; ReaderToken only reads Acme's.
const (
	DemoToken   = "gb_demo_admin"
	ReaderToken = "gb_demo_reader"
)

// DemoData is a small, realistic GitBook: four organizations (one of them
// GitBook itself, which owns the public integrations), ten spaces, a
// catalog of well-known integrations with their blocks, and installations
// that put more than one page of integrations on Acme's developer portal.
//
// It speaks both versions of the spec the facade serves, as GitBook does:
// the Git sync integrations (github, gitlab) and two organizations
// (open-source-collective, northwind) are older records, in the seed
// version's shape (the gitsync category; no urls.publicContentEndpoint, no
// auditLogs, a billing without the 0.202.0 properties); the rest are 0.202.0
// records.
func DemoData() *Dataset {
	d := &Dataset{
		Organizations: []upstream.Organization{
			organization("gitbook", "GitBook", upstream.OrganizationTypeBusiness, upstream.BillingProductEnterprise2024, upstream.OrganizationUseCaseProductDocs, "gitbook.com"),
			organization("acme", "Acme Inc.", upstream.OrganizationTypeBusiness, upstream.BillingProductPro2024, upstream.OrganizationUseCaseProductDocs, "acme.example"),
			organization("open-source-collective", "Open Source Collective", upstream.OrganizationTypeCommunity, upstream.BillingProductCommunity2024, upstream.OrganizationUseCaseOpenSourceDocs, "oss.example"),
			organization("northwind", "Northwind Traders", upstream.OrganizationTypeBusiness, upstream.BillingProductPlus2024, upstream.OrganizationUseCaseInternalDocs, "northwind.example"),
		},
		Users: []User{
			{Token: DemoToken, ID: "u-ada", DisplayName: "Ada Lovelace", Email: "ada@acme.example", PhotoURL: "https://acme.example/people/ada.png", Roles: map[string]upstream.MemberRole{
				"acme": upstream.MemberRoleAdmin, "open-source-collective": upstream.MemberRoleEdit, "northwind": upstream.MemberRoleRead,
			}},
			{Token: ReaderToken, ID: "u-grace", DisplayName: "Grace Hopper", Email: "grace@acme.example", Roles: map[string]upstream.MemberRole{"acme": upstream.MemberRoleRead}},
		},
	}
	community := upstream.OrganizationCommunityTypeOpenSource
	d.Organizations[2].CommunityType = &community
	d.Organizations[1].Billing = &upstream.OrganizationBilling{
		Interval: upstream.BillingIntervalYearly, EndDate: ptr(day(350)), CanCheckout: true,
		UsageAddons: map[string]upstream.BillingMeterAddon{"ai": {Enabled: true}, "sites": {Enabled: false}},
		MinUsers:    ptr(5.0), PaidMembers: ptr(42.0), PaidPremiumSites: ptr(2.0), CanChangeInterval: ptr(true), CanUseSAML: ptr(true),
		CreditsBundle: ptr(upstream.BillingCreditsBundle135001500), AICreditAlertThreshold: ptr(80.0),
	}
	d.Organizations[1].Billing.Pricing.Members.Plus2024 = upstream.OrganizationPricePair{Monthly: 8, Yearly: 80}
	d.Organizations[1].Billing.Pricing.Members.Pro2024 = upstream.OrganizationPricePair{Monthly: 12, Yearly: 120}
	d.Organizations[1].Billing.Pricing.Sites.Premium = upstream.OrganizationPricePair{Monthly: 65, Yearly: 650}
	d.Organizations[1].Billing.Pricing.Sites.Ultimate = upstream.OrganizationPricePair{Monthly: 249, Yearly: 2490}
	// Older records: no auditLogs, and northwind's billing has none of
	// canChangeInterval, canUseSAML, creditsBundle, aiCreditAlertThreshold.
	d.Organizations[2].AuditLogs, d.Organizations[3].AuditLogs = nil, nil
	d.Organizations[3].Billing = &upstream.OrganizationBilling{
		Interval: upstream.BillingIntervalMonthly, CanCheckout: true,
		UsageAddons: map[string]upstream.BillingMeterAddon{},
		PaidMembers: ptr(12.0),
	}

	d.Spaces = []upstream.Space{
		space("acme-developer-portal", "acme", "Developer Portal", "1f680", upstream.ContentVisibilityPublic),
		space("acme-api-reference", "acme", "API Reference", "1f4d8", upstream.ContentVisibilityPublic),
		space("acme-changelog", "acme", "Changelog", "1f4e3", upstream.ContentVisibilityPublic),
		space("acme-handbook", "acme", "Employee Handbook", "1f4d6", upstream.ContentVisibilityPrivate),
		space("acme-design-system", "acme", "Design System", "1f3a8", upstream.ContentVisibilityShareLink),
		space("oss-getting-started", "open-source-collective", "Getting Started", "1f331", upstream.ContentVisibilityPublic),
		space("oss-contributing", "open-source-collective", "Contributing Guide", "1f91d", upstream.ContentVisibilityPublic),
		space("oss-governance", "open-source-collective", "Governance", "2696", upstream.ContentVisibilityUnlisted),
		space("northwind-runbooks", "northwind", "Operations Runbooks", "1f6e0", upstream.ContentVisibilityPrivate),
		space("northwind-onboarding", "northwind", "Onboarding", "1f44b", upstream.ContentVisibilityVisitorAuth),
	}
	styleguide := upstream.SpaceTypeStyleguide
	d.Spaces[4].Type = &styleguide
	d.Spaces[4].MergeRules = upstream.MergeRulesConfiguration{Type: upstream.MergeRulesConfigurationTypeRules, Rules: []upstream.MergeRule{
		{Rule: upstream.MergeRuleTypeRequireAtLeastOneApprovedReview},
		{Rule: upstream.MergeRuleTypeRequireSpecificReviewers, Users: []string{"u-design-lead"}},
	}}
	d.Spaces[1].GitSync = &upstream.GitSyncState{
		RepoName: ptr("acme/api-docs"), InstallationStatus: upstream.GitSyncInstallationStatusActive,
		InstallationProvider: upstream.GitSyncProviderGithub, InstallationID: "inst-acme-github",
		URL: ptr("https://github.com/acme/api-docs"),
		Operation: &upstream.GitSyncOperation{State: upstream.GitSyncOperationStateSuccess, Direction: upstream.GitSyncOperationDirectionImport,
			StartedAt: day(300), EndedAt: ptr(day(300).Add(42 * time.Second))},
	}
	fr := upstream.TranslationLanguageFr
	d.Spaces[2].Language = &fr
	d.Spaces[2].Imports = []upstream.ContentImportRun{{
		Object: "import-run", ID: "imp-changelog-2024", Status: upstream.ContentImportRunStatusCompleted,
		StartedAt: ptr(day(20)), CompletedAt: ptr(day(20).Add(3 * time.Minute)),
		Source: &upstream.ContentImportSource{Type: upstream.ContentImportSourceTypeWebsite, URL: ptr("https://acme.example/changelog")},
		Target: &upstream.ContentImportTarget{Space: "acme-changelog"},
		Pages: []upstream.ContentImportPage{
			{ID: "page-2024", SourceURL: ptr("https://acme.example/changelog/2024"), Type: upstream.ContentImportPageTypePage, Status: upstream.ContentImportPageStatusComplete},
		},
	}}
	d.Spaces[9].VisitorAuth = &upstream.VisitorAuth{Backend: upstream.VisitorAuthBackendIntegration, Integration: ptr("auth0")}
	inherit := upstream.DefaultLevelInherit
	d.Spaces[6].DefaultLevel = &inherit

	d.Integrations = []upstream.Integration{
		integration("slack", "Slack", "Get notified in Slack when content changes, and search your docs from Slack.", upstream.IntegrationTargetOrganization, []upstream.IntegrationCategory{upstream.IntegrationCategoryCollaboration}, nil, upstream.IntegrationScopeSpaceContentRead, upstream.IntegrationScopeSpaceMetadataRead),
		integration("github", "GitHub Sync", "Synchronize your GitBook content with a GitHub repository.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryGitsync}, nil, upstream.IntegrationScopeSpaceContentRead, upstream.IntegrationScopeSpaceContentWrite, upstream.IntegrationScopeSpaceGitSync),
		integration("gitlab", "GitLab Sync", "Synchronize your GitBook content with a GitLab project.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryGitsync}, nil, upstream.IntegrationScopeSpaceContentRead, upstream.IntegrationScopeSpaceContentWrite, upstream.IntegrationScopeSpaceGitSync),
		integration("github-files", "GitHub Files", "Embed code files from GitHub repositories.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryContent},
			[]upstream.IntegrationBlock{block("github-code-block", "GitHub Code Block", "https://github.com/", "https://raw.githubusercontent.com/")}),
		integration("jira", "Jira", "Embed and preview Jira issues.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryCollaboration},
			[]upstream.IntegrationBlock{block("embed", "Jira issue", "https://*.atlassian.net/browse/")}, upstream.IntegrationScopeSpaceContentRead),
		integration("linear", "Linear", "Preview Linear issues and projects in your docs.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryCollaboration},
			[]upstream.IntegrationBlock{block("linear-issue", "Linear issue", "https://linear.app/")}),
		integration("figma", "Figma", "Embed Figma files and frames that stay up to date.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryContent},
			[]upstream.IntegrationBlock{block("embed", "Figma", "https://www.figma.com/file/", "https://www.figma.com/design/")}),
		integration("mermaid", "Mermaid", "Draw diagrams and flowcharts with Mermaid.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryContent},
			[]upstream.IntegrationBlock{markdownBlock("mermaid", "Mermaid diagram", "mermaid", "graph TD\n  A[Request] --> B[GraphQL facade]\n  B --> C[GitBook API]")}),
		integration("drawio", "Draw.io", "Insert diagrams made with draw.io.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryContent},
			[]upstream.IntegrationBlock{block("drawio-diagram", "Draw.io diagram")}),
		integration("lucid", "Lucid", "Embed Lucidchart and Lucidspark documents.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryContent},
			[]upstream.IntegrationBlock{block("lucid-embed", "Lucid document", "https://lucid.app/")}),
		integration("loom", "Loom", "Play Loom videos inline.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryContent},
			[]upstream.IntegrationBlock{block("loom-video", "Loom video", "https://www.loom.com/share/")}),
		integration("codesandbox", "CodeSandbox", "Run live CodeSandbox examples in your docs.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryContent},
			[]upstream.IntegrationBlock{block("codesandbox-embed", "CodeSandbox", "https://codesandbox.io/s/", "https://codesandbox.io/p/")}),
		integration("stackblitz", "StackBlitz", "Embed StackBlitz projects.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryContent},
			[]upstream.IntegrationBlock{block("stackblitz-embed", "StackBlitz", "https://stackblitz.com/edit/")}),
		integration("runkit", "RunKit", "Runnable Node.js notebooks.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryContent},
			[]upstream.IntegrationBlock{markdownBlock("runkit-notebook", "RunKit notebook", "runkit", "console.log('hello from RunKit')")}),
		integration("formspree", "Formspree", "Collect form submissions from your docs.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryMarketing},
			[]upstream.IntegrationBlock{block("formspree-form", "Contact form")}),
		integration("google-analytics", "Google Analytics", "Track visitors of your published docs.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryAnalytics}, nil, upstream.IntegrationScopeSiteViewsRead, upstream.IntegrationScopeSiteScriptInject, upstream.IntegrationScopeSiteScriptCookies),
		integration("segment", "Segment", "Send page views and events to Segment.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryAnalytics}, nil, upstream.IntegrationScopeSiteViewsRead, upstream.IntegrationScopeSiteScriptInject),
		integration("mixpanel", "Mixpanel", "Product analytics for your documentation.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryAnalytics}, nil, upstream.IntegrationScopeSiteScriptInject),
		integration("amplitude", "Amplitude", "Understand how readers use your docs.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryAnalytics}, nil, upstream.IntegrationScopeSiteScriptInject),
		integration("heap", "Heap", "Capture every interaction on your docs.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryAnalytics}, nil, upstream.IntegrationScopeSiteScriptInject),
		integration("hotjar", "Hotjar", "Heatmaps and recordings of your docs.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryAnalytics}, nil, upstream.IntegrationScopeSiteScriptInject, upstream.IntegrationScopeSiteScriptCookies),
		integration("plausible", "Plausible", "Privacy-friendly analytics.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryAnalytics}, nil, upstream.IntegrationScopeSiteScriptInject),
		integration("fathom", "Fathom Analytics", "Simple, privacy-first analytics.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryAnalytics}, nil, upstream.IntegrationScopeSiteScriptInject),
		integration("posthog", "PostHog", "Product analytics and session replay.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryAnalytics}, nil, upstream.IntegrationScopeSiteScriptInject),
		integration("intercom", "Intercom", "Chat with readers from your docs.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryMarketing}, nil, upstream.IntegrationScopeSiteScriptInject),
		integration("hubspot", "HubSpot", "Track readers and chat with them.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryMarketing}, nil, upstream.IntegrationScopeSiteScriptInject, upstream.IntegrationScopeSiteScriptCookies),
		integration("cookiebot", "Cookiebot", "Cookie consent for your published docs.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryOther}, nil, upstream.IntegrationScopeSiteScriptInject, upstream.IntegrationScopeSiteScriptCookies),
		integration("auth0", "Auth0", "Authenticate readers of your docs with Auth0.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryVisitorAuth}, nil, upstream.IntegrationScopeSiteVisitorAuth, upstream.IntegrationScopeSiteVisitorClaims),
		integration("okta", "Okta", "Authenticate readers of your docs with Okta.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryVisitorAuth}, nil, upstream.IntegrationScopeSiteVisitorAuth),
		integration("azure-ad", "Azure AD", "Authenticate readers with Microsoft Entra ID.", upstream.IntegrationTargetSite, []upstream.IntegrationCategory{upstream.IntegrationCategoryVisitorAuth}, nil, upstream.IntegrationScopeSiteVisitorAuth),
		integration("acme-status", "Acme Status", "Live status of Acme's services, for Acme's docs only.", upstream.IntegrationTargetSpace, []upstream.IntegrationCategory{upstream.IntegrationCategoryOther},
			[]upstream.IntegrationBlock{block("status-badge", "Service status")}),
	}
	// The Git sync integrations are older records: no publicContentEndpoint.
	d.Integrations[1].URLs.PublicContentEndpoint = nil
	d.Integrations[2].URLs.PublicContentEndpoint = nil
	last := &d.Integrations[len(d.Integrations)-1]
	last.Owner.ID = "acme"
	last.Visibility = upstream.IntegrationVisibilityPrivate
	last.Verified = false
	d.Integrations[0].ContentSecurityPolicy = &upstream.IntegrationContentSecurityPolicy{Directives: map[string]string{
		"default-src": "'self'", "connect-src": "https://slack.com", "img-src": "https://*.slack-edge.com",
	}}

	// Acme's developer portal has every integration with blocks and most of
	// the rest: more than one upstream page at the demo's page size.
	portal := []string{}
	for _, in := range d.Integrations {
		if in.Name != "gitlab" && in.Name != "okta" && in.Name != "azure-ad" {
			portal = append(portal, in.Name)
		}
	}
	install := func(org string, spaces map[string][]string) {
		for name, ids := range spaces {
			d.Installations = append(d.Installations, Installation{ID: fmt.Sprintf("inst-%s-%s", org, name), Integration: name, Organization: org, Spaces: ids})
		}
	}
	acme := map[string][]string{}
	for _, name := range portal {
		acme[name] = []string{"acme-developer-portal"}
	}
	acme["github"] = append(acme["github"], "acme-api-reference")
	acme["github-files"] = append(acme["github-files"], "acme-api-reference")
	acme["mermaid"] = append(acme["mermaid"], "acme-api-reference", "acme-design-system")
	acme["figma"] = append(acme["figma"], "acme-design-system")
	acme["slack"] = append(acme["slack"], "acme-changelog", "acme-handbook")
	acme["jira"] = append(acme["jira"], "acme-handbook")
	acme["okta"] = []string{"acme-handbook"}
	install("acme", acme)
	install("open-source-collective", map[string][]string{
		"github":           {"oss-getting-started", "oss-contributing"},
		"mermaid":          {"oss-getting-started", "oss-contributing", "oss-governance"},
		"codesandbox":      {"oss-getting-started"},
		"plausible":        {"oss-getting-started"},
		"linear":           {"oss-contributing"},
		"google-analytics": {},
	})
	install("northwind", map[string][]string{
		"gitlab":  {"northwind-runbooks"},
		"jira":    {"northwind-runbooks"},
		"drawio":  {"northwind-runbooks", "northwind-onboarding"},
		"loom":    {"northwind-onboarding"},
		"auth0":   {"northwind-onboarding"},
		"slack":   {"northwind-runbooks", "northwind-onboarding"},
		"figma":   {},
		"segment": {},
	})
	slices.SortFunc(d.Installations, func(a, b Installation) int { return strings.Compare(a.ID, b.ID) })
	return d
}

var epoch = time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC)

func day(n int) time.Time { return epoch.AddDate(0, 0, n) }

func ptr[T any](v T) *T { return &v }

func organization(id, title string, typ upstream.OrganizationType, plan upstream.BillingProduct, useCase upstream.OrganizationUseCase, domain string) upstream.Organization {
	app := "https://app.gitbook.com/o/" + id
	return upstream.Organization{
		Object: "organization", ID: id, Title: title, CreatedAt: day(-400),
		EmailDomains: []string{domain}, Type: typ, UseCase: &useCase, DefaultRole: ptr(upstream.MemberRoleRead),
		SSO: ptr(typ == upstream.OrganizationTypeBusiness), AI: ptr(true), InviteLinks: true, AuditLogs: ptr(plan == upstream.BillingProductEnterprise2024),
		Plan:       plan,
		MergeRules: upstream.MergeRulesConfiguration{Type: upstream.MergeRulesConfigurationTypeNone},
		URLs:       upstream.OrganizationURLs{Location: "https://api.gitbook.com/v1/orgs/" + id, App: app, Logo: ptr("https://files.gitbook.com/orgs/" + id + "/logo.png")},
		Trial:      upstream.OrganizationTrial{Status: upstream.BillingTrialStatusNotapplicable},
	}
}

func space(id, org, title, emoji string, visibility upstream.ContentVisibility) upstream.Space {
	app := "https://app.gitbook.com/o/" + org + "/s/" + id
	s := upstream.Space{
		Object: "space", ID: id, Title: title, Emoji: emoji, Visibility: visibility,
		CreatedAt: day(-200), UpdatedAt: day(310), EditMode: ptr(upstream.SpaceEditModeLive),
		MergeRules:   upstream.MergeRulesConfiguration{Type: upstream.MergeRulesConfigurationTypeInherit},
		URLs:         upstream.SpaceURLs{Location: "https://api.gitbook.com/v1/spaces/" + id, App: app},
		Organization: org, Revision: "rev-" + id, DefaultLevel: ptr(upstream.DefaultLevelRead),
		Language: ptr(upstream.TranslationLanguageEn),
		Comments: 12, ChangeRequests: 48, ChangeRequestsOpen: 3, ChangeRequestsDraft: 1,
	}
	if visibility == upstream.ContentVisibilityPublic {
		s.URLs.Published = ptr("https://docs." + org + ".example/" + id)
		s.URLs.Public = s.URLs.Published
	}
	return s
}

func integration(name, title, summary string, target upstream.IntegrationTarget, categories []upstream.IntegrationCategory, blocks []upstream.IntegrationBlock, scopes ...upstream.IntegrationScope) upstream.Integration {
	if scopes == nil {
		scopes = []upstream.IntegrationScope{upstream.IntegrationScopeSpaceContentRead}
	}
	base := "https://integrations.gitbook.com/v1/integrations/" + name
	return upstream.Integration{
		Object: "integration", Name: name, Version: 3, Title: title, Summary: &summary,
		PreviewImages: []string{"https://files.gitbook.com/integrations/" + name + "/preview.png"},
		Target:        target, Verified: true, Visibility: upstream.IntegrationVisibilityPublic,
		Scopes: scopes, Categories: categories, Blocks: blocks,
		ExternalLinks: []upstream.IntegrationExternalLink{{URL: "https://www.gitbook.com/integrations/" + name, Label: "Documentation"}},
		Owner:         upstream.Organization{ID: "gitbook"},
		URLs: upstream.IntegrationURLs{
			Location: "https://api.gitbook.com/v1/integrations/" + name, Icon: ptr("https://files.gitbook.com/integrations/" + name + "/icon.png"),
			App: "https://app.gitbook.com/integrations/" + name, Assets: base + "/assets",
			PublicEndpoint: base, PublicContentEndpoint: ptr(base + "/content"),
		},
	}
}

func block(id, title string, unfurl ...string) upstream.IntegrationBlock {
	return upstream.IntegrationBlock{ID: id, Title: title, URLUnfurl: unfurl}
}

func markdownBlock(id, title, codeblock, body string) upstream.IntegrationBlock {
	return upstream.IntegrationBlock{ID: id, Title: title, Markdown: &upstream.IntegrationBlockMarkdown{Codeblock: codeblock, Body: body}}
}
