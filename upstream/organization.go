package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Organization mirrors the spec's Organization.
type Organization struct {
	Object                   string                     `json:"object"`
	ID                       string                     `json:"id"`
	Title                    string                     `json:"title"`
	CreatedAt                time.Time                  `json:"createdAt"`
	EmailDomains             []string                   `json:"emailDomains"`
	Hostname                 *string                    `json:"hostname,omitempty"`
	Type                     OrganizationType           `json:"type"`
	UseCase                  *OrganizationUseCase       `json:"useCase,omitempty"`
	CommunityType            *OrganizationCommunityType `json:"communityType,omitempty"`
	DefaultRole              *MemberRole                `json:"defaultRole,omitempty"` // null means guest
	DefaultContent           *SitePointer               `json:"defaultContent,omitempty"`
	SSO                      *bool                      `json:"sso,omitempty"`
	AI                       *bool                      `json:"ai,omitempty"`
	InviteLinks              bool                       `json:"inviteLinks"`
	AuditLogs                *bool                      `json:"auditLogs,omitempty"`
	Plan                     BillingProduct             `json:"plan"`
	Billing                  *OrganizationBilling       `json:"billing,omitempty"`
	MergeRules               MergeRulesConfiguration    `json:"mergeRules"`
	URLs                     OrganizationURLs           `json:"urls"`
	Trial                    OrganizationTrial          `json:"trial"`
	CustomHostname           *string                    `json:"customHostname,omitempty"`
	Blocked                  *OrganizationBlocked       `json:"blocked,omitempty"`
	InternalBillingMigration *json.RawMessage           `json:"internal_billingMigration,omitempty"`
	Permissions              OrganizationPermissions    `json:"permissions"`
}

// SitePointer mirrors the spec's SitePointer (Organization.defaultContent).
type SitePointer struct {
	Type SitePointerType `json:"type"`
	Site string          `json:"site"`
}

// OrganizationURLs is Organization.urls.
type OrganizationURLs struct {
	Location string  `json:"location"`
	App      string  `json:"app"`
	Logo     *string `json:"logo,omitempty"`
}

// OrganizationTrial is Organization.trial.
type OrganizationTrial struct {
	Status   BillingTrialStatus         `json:"status"`
	Count    int                        `json:"count"`
	EndDate  *time.Time                 `json:"endDate,omitempty"`
	Decision *OrganizationTrialDecision `json:"decision,omitempty"`
}

// OrganizationBlocked is Organization.blocked.
type OrganizationBlocked struct {
	Source *BlockSource `json:"source,omitempty"`
	Reason string       `json:"reason"`
}

// OrganizationPermissions is Organization.permissions: what the caller may do.
type OrganizationPermissions struct {
	View               bool `json:"view"`
	Access             bool `json:"access"`
	Admin              bool `json:"admin"`
	OwnTeam            bool `json:"ownTeam"`
	CreateContent      bool `json:"createContent"`
	CreateOpenAPISpec  bool `json:"createOpenAPISpec"`
	ViewBilling        bool `json:"viewBilling"`
	ListMembers        bool `json:"listMembers"`
	ListTeams          bool `json:"listTeams"`
	ListIntegrations   bool `json:"listIntegrations"`
	ListInstallations  bool `json:"listInstallations"`
	InstallIntegration bool `json:"installIntegration"`
}

// OrganizationBilling mirrors the spec's OrganizationBilling.
type OrganizationBilling struct {
	Interval            BillingInterval              `json:"interval"`
	EndDate             *time.Time                   `json:"endDate"` // required; null when none
	HasPaymentFailed    bool                         `json:"hasPaymentFailed"`
	CanCheckout         bool                         `json:"canCheckout"`
	IsScheduledToCancel bool                         `json:"isScheduledToCancel"`
	Pricing             OrganizationPricing          `json:"pricing"`
	UsageAddons         map[string]BillingMeterAddon `json:"usageAddons"`
	MinUsers            *float64                     `json:"minUsers,omitempty"`
	MaxUsers            *float64                     `json:"maxUsers,omitempty"`
	MinPremiumSites     *float64                     `json:"minPremiumSites,omitempty"`
	MaxPremiumSites     *float64                     `json:"maxPremiumSites,omitempty"`
	MinUltimateSites    *float64                     `json:"minUltimateSites,omitempty"`
	MaxUltimateSites    *float64                     `json:"maxUltimateSites,omitempty"`
	PaidMembers         *float64                     `json:"paidMembers,omitempty"`
	PaidPremiumSites    *float64                     `json:"paidPremiumSites,omitempty"`
	PaidUltimateSites   *float64                     `json:"paidUltimateSites,omitempty"`
	// From 0.202.0 on; nil in older records. creditsBundle and
	// aiCreditAlertThreshold are then required but may be null.
	CanChangeInterval      *bool                 `json:"canChangeInterval,omitempty"`
	CanUseSAML             *bool                 `json:"canUseSAML,omitempty"`
	CreditsBundle          *BillingCreditsBundle `json:"creditsBundle,omitempty"`
	AICreditAlertThreshold *float64              `json:"aiCreditAlertThreshold,omitempty"`
}

// OrganizationPricing mirrors the spec's OrganizationPricing.
type OrganizationPricing struct {
	Members struct {
		Plus2024 OrganizationPricePair `json:"plus_2024"`
		Pro2024  OrganizationPricePair `json:"pro_2024"`
	} `json:"members"`
	Sites struct {
		Premium  OrganizationPricePair `json:"premium"`
		Ultimate OrganizationPricePair `json:"ultimate"`
	} `json:"sites"`
}

// OrganizationPricePair mirrors the spec's OrganizationPricePair.
type OrganizationPricePair struct {
	Monthly float64 `json:"monthly"`
	Yearly  float64 `json:"yearly"`
}

// BillingMeterAddon mirrors the spec's BillingMeterAddon.
type BillingMeterAddon struct {
	Enabled bool `json:"enabled"`
}

// UnmarshalJSON accepts the bundle as the spec lists it: "none" or a number.
func (b *BillingCreditsBundle) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*b = BillingCreditsBundle(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("creditsBundle: want a string or a number, got %s", data)
	}
	if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
		return fmt.Errorf("creditsBundle: %w", err)
	}
	*b = BillingCreditsBundle(n.String())
	return nil
}

// GetOrganization calls getOrganizationById.
func (c *Client) GetOrganization(ctx context.Context, organizationID string) (*Organization, error) {
	const op = "getOrganizationById"
	if err := checkEntityID(op, "organizationId", organizationID); err != nil {
		return nil, err
	}
	o, err := get[Organization](c, ctx, op, c.path("orgs", organizationID), nil)
	if err != nil {
		return nil, err
	}
	if err := o.validate(); err != nil {
		return nil, badResponse(op, err)
	}
	return o, nil
}
