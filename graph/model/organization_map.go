package model

import (
	"sort"

	"github.com/gitbook-graphql/facade/upstream"
)

// OrganizationFromREST maps an organization, as SpaceFromREST a space.
func OrganizationFromREST(o *upstream.Organization) *Organization {
	out := organization(o)
	return &out
}

func organization(o *upstream.Organization) Organization {
	out := Organization{
		ID:             o.ID,
		Title:          o.Title,
		CreatedAt:      o.CreatedAt,
		EmailDomains:   o.EmailDomains,
		Hostname:       o.Hostname,
		Type:           enumVal(OrganizationTypeOf, o.Type),
		UseCase:        enumPtr(OrganizationUseCaseOf, o.UseCase),
		CommunityType:  enumPtr(OrganizationCommunityTypeOf, o.CommunityType),
		DefaultRole:    enumPtr(MemberRoleOf, o.DefaultRole),
		Sso:            o.SSO,
		Ai:             o.AI,
		InviteLinks:    o.InviteLinks,
		AuditLogs:      o.AuditLogs,
		Plan:           enumVal(BillingProductOf, o.Plan),
		Billing:        billing(o.Billing),
		MergeRules:     mergeRules(o.MergeRules),
		Urls:           o.URLs,
		CustomHostname: o.CustomHostname,
		Permissions:    o.Permissions,
		Trial: OrganizationTrial{
			Status:   enumVal(BillingTrialStatusOf, o.Trial.Status),
			Count:    o.Trial.Count,
			EndDate:  o.Trial.EndDate,
			Decision: enumPtr(OrganizationTrialDecisionOf, o.Trial.Decision),
		},
	}
	if out.EmailDomains == nil {
		out.EmailDomains = []string{}
	}
	if dc := o.DefaultContent; dc != nil {
		out.DefaultContent = &SitePointer{Type: enumVal(SitePointerTypeOf, dc.Type), Site: dc.Site}
	}
	if b := o.Blocked; b != nil {
		out.Blocked = &OrganizationBlocked{Source: enumPtr(BlockSourceOf, b.Source), Reason: b.Reason}
	}
	return out
}

func billing(b *upstream.OrganizationBilling) *OrganizationBilling {
	if b == nil {
		return nil
	}
	out := &OrganizationBilling{
		Interval:            enumVal(BillingIntervalOf, b.Interval),
		EndDate:             b.EndDate,
		HasPaymentFailed:    b.HasPaymentFailed,
		CanCheckout:         b.CanCheckout,
		IsScheduledToCancel: b.IsScheduledToCancel,
		Pricing: OrganizationPricing{
			Members: OrganizationMemberPricing{
				Plus2024: b.Pricing.Members.Plus2024,
				Pro2024:  b.Pricing.Members.Pro2024,
			},
			Sites: OrganizationSitePricing{
				Premium:  b.Pricing.Sites.Premium,
				Ultimate: b.Pricing.Sites.Ultimate,
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
		CreditsBundle:          enumPtr(BillingCreditsBundleOf, b.CreditsBundle),
		AiCreditAlertThreshold: b.AICreditAlertThreshold,
	}
	for name, addon := range b.UsageAddons {
		out.UsageAddons = append(out.UsageAddons, BillingUsageAddon{Name: name, Enabled: addon.Enabled})
	}
	sort.Slice(out.UsageAddons, func(i, j int) bool { return out.UsageAddons[i].Name < out.UsageAddons[j].Name })
	return out
}
