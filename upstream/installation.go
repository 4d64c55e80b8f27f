package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// IntegrationSpaceInstallation mirrors the spec's IntegrationSpaceInstallation:
// an integration's installation as it applies to one space.
type IntegrationSpaceInstallation struct {
	Integration   string                        `json:"integration"`
	Installation  string                        `json:"installation"`
	Status        IntegrationInstallationStatus `json:"status"`
	Configuration json.RawMessage               `json:"configuration"`
	ExternalIDs   []string                      `json:"externalIds"`
	URLs          IntegrationInstallationURLs   `json:"urls"`
	Space         SpaceRef                      `json:"space"`
}

// IntegrationInstallationURLs is IntegrationContentInstallationBase.urls.
type IntegrationInstallationURLs struct {
	Location              string `json:"location"`
	PublicEndpoint        string `json:"publicEndpoint"`
	PublicContentEndpoint string `json:"publicContentEndpoint"`
}

// SpaceRef holds the spec's `oneOf: [string, Space]`: a space's ID, and the
// whole space when the upstream sent it.
type SpaceRef struct {
	ID    string
	Space *Space
}

// UnmarshalJSON accepts both forms of the reference.
func (r *SpaceRef) UnmarshalJSON(data []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte(`"`)) {
		r.Space = nil
		return json.Unmarshal(data, &r.ID)
	}
	var s Space
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	r.ID, r.Space = s.ID, &s
	return nil
}

// MarshalJSON writes the reference back in the form it came in.
func (r SpaceRef) MarshalJSON() ([]byte, error) {
	if r.Space != nil {
		return json.Marshal(r.Space)
	}
	return json.Marshal(r.ID)
}

// InstallIntegrationOnSpace calls installIntegrationOnSpace. It is sent once:
// when its answer is lost the error wraps ErrOutcomeUnknown.
func (c *Client) InstallIntegrationOnSpace(ctx context.Context, integration, installationID, spaceID string) (*IntegrationSpaceInstallation, error) {
	const op = "installIntegrationOnSpace"
	if err := checkInstallationArgs(op, integration, installationID, spaceID); err != nil {
		return nil, err
	}
	body, err := json.Marshal(struct {
		Space string `json:"space"`
	}{spaceID})
	if err != nil {
		return nil, err
	}
	var inst IntegrationSpaceInstallation
	path := c.path("integrations", integration, "installations", installationID, "spaces")
	if err := c.do(ctx, op, http.MethodPost, path, nil, body, &inst); err != nil {
		return nil, err
	}
	if inst.Space.ID == "" {
		return nil, badResponse(op, errMissing("space"))
	}
	return &inst, nil
}

// UninstallIntegrationFromSpace calls uninstallIntegrationFromSpace. It is
// sent once: when its answer is lost the error wraps ErrOutcomeUnknown.
func (c *Client) UninstallIntegrationFromSpace(ctx context.Context, integration, installationID, spaceID string) error {
	const op = "uninstallIntegrationFromSpace"
	if err := checkInstallationArgs(op, integration, installationID, spaceID); err != nil {
		return err
	}
	path := c.path("integrations", integration, "installations", installationID, "spaces", spaceID)
	return c.do(ctx, op, http.MethodDelete, path, nil, nil, nil)
}

func checkInstallationArgs(op, integration, installationID, spaceID string) error {
	if err := checkIntegrationName(op, integration); err != nil {
		return err
	}
	if err := checkEntityID(op, "installationId", installationID); err != nil {
		return err
	}
	return checkEntityID(op, "spaceId", spaceID)
}

// IntegrationInstallation mirrors the spec's IntegrationInstallation: an
// integration installed on an organization.
type IntegrationInstallation struct {
	ID             string                                `json:"id"`
	Status         IntegrationInstallationStatus         `json:"status"`
	SpaceSelection IntegrationInstallationSpaceSelection `json:"space_selection"`
	SiteSelection  IntegrationInstallationSiteSelection  `json:"site_selection"`
	// Spaces is the number of spaces the installation manages. A pointer:
	// an answer without it is null, not an invented 0.
	Spaces        *float64                       `json:"spaces,omitempty"`
	Configuration json.RawMessage                `json:"configuration"`
	CreatedAt     time.Time                      `json:"createdAt"`
	UpdatedAt     time.Time                      `json:"updatedAt"`
	URLs          IntegrationInstallationAppURLs `json:"urls"`
	ExternalIDs   []string                       `json:"externalIds"`
	Target        IntegrationInstallationTarget  `json:"target"`
	Network       *IntegrationNetwork            `json:"network,omitempty"`
}

// IntegrationInstallationAppURLs is IntegrationInstallation.urls, which has
// the installation's `app` besides its endpoints.
type IntegrationInstallationAppURLs struct {
	Location              string  `json:"location"`
	App                   string  `json:"app"`
	PublicEndpoint        string  `json:"publicEndpoint"`
	PublicContentEndpoint *string `json:"publicContentEndpoint,omitempty"`
}

// IntegrationInstallationTarget is the spec's IntegrationInstallationTarget:
// a oneOf whose only variant, OrganizationTarget, names the organization.
type IntegrationInstallationTarget struct {
	Organization string `json:"organization"`
}

// IntegrationNetwork mirrors the spec's IntegrationNetwork.
type IntegrationNetwork struct {
	Proxy *bool `json:"proxy,omitempty"`
}

func (in *IntegrationInstallation) validate() error {
	var r required
	r.str("id", in.ID)
	r.time("createdAt", in.CreatedAt)
	r.time("updatedAt", in.UpdatedAt)
	return r.err("an installation")
}

func (in *IntegrationSpaceInstallation) validate() error {
	var r required
	r.str("installation", in.Installation)
	r.str("space", in.Space.ID)
	if in.Space.Space != nil {
		if err := in.Space.Space.validate(); err != nil {
			return err
		}
	}
	return r.err("a space installation")
}
