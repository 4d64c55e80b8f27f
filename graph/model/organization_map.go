package model

import (
	"sort"

	"github.com/gitbook-graphql/facade/upstream"
)

// OrganizationFromREST maps an organization; it fails, wrapping
// upstream.ErrBadResponse, when it holds an enum value the spec does not list.
func OrganizationFromREST(o *upstream.Organization) (*Organization, error) {
	var m mapping
	out := organization(&m, o)
	return &out, m.err
}

func organization(m *mapping, o *upstream.Organization) Organization {
	out := Organization{
		ID:             o.ID,
		Title:          o.Title,
		CreatedAt:      o.CreatedAt,
		EmailDomains:   o.EmailDomains,
		Hostname:       o.Hostname,
		Type:           enumOf[OrganizationType](m, "Organization.type", o.Type),
		UseCase:        enumPtr[OrganizationUseCase](m, "Organization.useCase", o.UseCase),
		CommunityType:  enumPtr[OrganizationCommunityType](m, "Organization.communityType", o.CommunityType),
		DefaultRole:    enumPtr[MemberRole](m, "Organization.defaultRole", o.DefaultRole),
		Sso:            o.SSO,
		Ai:             o.AI,
		InviteLinks:    o.InviteLinks,
		AuditLogs:      o.AuditLogs,
		Plan:           enumOf[BillingProduct](m, "Organization.plan", o.Plan),
		Billing:        billing(m, o.Billing),
		MergeRules:     mergeRules(m, o.MergeRules),
		Urls:           OrganizationUrls(o.URLs),
		CustomHostname: o.CustomHostname,
		Permissions:    OrganizationPermissions(o.Permissions),
		Trial: OrganizationTrial{
			Status:   enumOf[BillingTrialStatus](m, "Organization.trial.status", o.Trial.Status),
			Count:    o.Trial.Count,
			EndDate:  o.Trial.EndDate,
			Decision: enumPtr[OrganizationTrialDecision](m, "Organization.trial.decision", o.Trial.Decision),
		},
	}
	if out.EmailDomains == nil {
		out.EmailDomains = []string{}
	}
	if dc := o.DefaultContent; dc != nil {
		out.DefaultContent = &SitePointer{Type: enumOf[SitePointerType](m, "Organization.defaultContent.type", dc.Type), Site: dc.Site}
	}
	if b := o.Blocked; b != nil {
		out.Blocked = &OrganizationBlocked{Source: enumPtr[BlockSource](m, "Organization.blocked.source", b.Source), Reason: b.Reason}
	}
	return out
}

func billing(m *mapping, b *upstream.OrganizationBilling) *OrganizationBilling {
	if b == nil {
		return nil
	}
	out := &OrganizationBilling{
		Interval:            enumOf[BillingInterval](m, "billing.interval", b.Interval),
		EndDate:             b.EndDate,
		HasPaymentFailed:    b.HasPaymentFailed,
		CanCheckout:         b.CanCheckout,
		IsScheduledToCancel: b.IsScheduledToCancel,
		Pricing: OrganizationPricing{
			Members: OrganizationMemberPricing{
				Plus2024: OrganizationPricePair(b.Pricing.Members.Plus2024),
				Pro2024:  OrganizationPricePair(b.Pricing.Members.Pro2024),
			},
			Sites: OrganizationSitePricing{
				Premium:  OrganizationPricePair(b.Pricing.Sites.Premium),
				Ultimate: OrganizationPricePair(b.Pricing.Sites.Ultimate),
			},
		},
		UsageAddons:            make([]BillingUsageAddon, 0, len(b.UsageAddons)),
		MinUsers:               b.MinUsers,
		MaxUsers:               b.MaxUsers,
		MinPremiumSites:        b.MinPremiumSites,
		MaxPremiumSites:        b.MaxPremiumSites,
		MinUltimateSites:       b.MinUltimateSites,
		MaxUltimateSites:       b.MaxUltimateSites,
		PaidMembers:            b.PaidMembers,
		PaidPremiumSites:       b.PaidPremiumSites,
		PaidUltimateSites:      b.PaidUltimateSites,
		CanChangeInterval:      b.CanChangeInterval,
		CanUseSaml:             b.CanUseSAML,
		CreditsBundle:          enumPtr[BillingCreditsBundle](m, "billing.creditsBundle", b.CreditsBundle),
		AiCreditAlertThreshold: b.AICreditAlertThreshold,
	}
	for name, addon := range b.UsageAddons {
		out.UsageAddons = append(out.UsageAddons, BillingUsageAddon{Name: name, Enabled: addon.Enabled})
	}
	sort.Slice(out.UsageAddons, func(i, j int) bool { return out.UsageAddons[i].Name < out.UsageAddons[j].Name })
	return out
}
