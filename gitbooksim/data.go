package gitbooksim

import (
	"encoding/json"

	"github.com/gitbook-graphql/facade/upstream"
)

// Dataset is what the simulated API knows. Records hold what every caller
// sees alike; permissions are filled per caller from its role.
type Dataset struct {
	Organizations []upstream.Organization
	Spaces        []upstream.Space // Organization names the owning organization
	// Integrations is the catalog. Owner.ID names the owning organization;
	// answers embed that organization whole.
	Integrations  []upstream.Integration
	Installations []Installation
	Users         []User
}

// User is a caller, known by the bearer token it sends.
type User struct {
	Token string
	// Label, when set, ends the title of every space, organization and
	// integration this user is answered, so that tests can tell whose
	// answer a value came from.
	Label string
	// Roles maps organization IDs to the user's role in them.
	Roles map[string]upstream.MemberRole
	// Who getAuthenticatedUser says the user is. Without an ID, one is
	// derived from the token (never the token itself).
	ID, DisplayName, Email, PhotoURL string
}

// Installation is an integration installed in an organization, and the
// spaces it is enabled on.
type Installation struct {
	ID           string
	Integration  string
	Organization string
	Spaces       []string
	// Status is the installation's; empty means active.
	Status upstream.IntegrationInstallationStatus
	// AllSpaces: the installation manages every space (space_selection
	// "all") rather than those selected.
	AllSpaces bool
	// Configuration is the account-level configuration; nil means {}.
	Configuration json.RawMessage
	// ExternalIDs are the installation's externalIds, which
	// listIntegrationInstallations' externalId filters on.
	ExternalIDs []string
}

// Clone copies the dataset deeply enough that the simulator's writes to it
// (installations) leave the original alone.
func (d *Dataset) Clone() *Dataset {
	c := *d
	c.Installations = make([]Installation, len(d.Installations))
	for i, in := range d.Installations {
		in.Spaces = append([]string(nil), in.Spaces...)
		c.Installations[i] = in
	}
	return &c
}

func spacePermissions(role upstream.MemberRole) upstream.SpacePermissions {
	p := upstream.SpacePermissions{View: true, Access: true}
	switch role {
	case upstream.MemberRoleAdmin:
		return upstream.SpacePermissions{View: true, Access: true, Admin: true, ViewInviteLinks: true, Edit: true,
			TriggerGitSync: true, Comment: true, Merge: true, Review: true, InstallIntegration: true}
	case upstream.MemberRoleCreate, upstream.MemberRoleEdit:
		p.Edit, p.TriggerGitSync, p.Comment, p.Merge, p.Review = true, true, true, true, true
	case upstream.MemberRoleReview:
		p.Comment, p.Review = true, true
	case upstream.MemberRoleComment:
		p.Comment = true
	}
	return p
}

func organizationPermissions(role upstream.MemberRole) upstream.OrganizationPermissions {
	p := upstream.OrganizationPermissions{View: true, Access: true, ListMembers: true, ListTeams: true}
	switch role {
	case upstream.MemberRoleAdmin:
		return upstream.OrganizationPermissions{View: true, Access: true, Admin: true, OwnTeam: true,
			CreateContent: true, CreateOpenAPISpec: true, ViewBilling: true, ListMembers: true, ListTeams: true,
			ListIntegrations: true, ListInstallations: true, InstallIntegration: true}
	case upstream.MemberRoleCreate:
		p.CreateContent, p.CreateOpenAPISpec, p.ListIntegrations = true, true, true
	}
	return p
}
