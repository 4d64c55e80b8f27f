package upstream

import (
	"context"
	"time"
)

// Space mirrors the spec's Space. Optional properties are pointers (or nil
// slices); required ones are values.
type Space struct {
	Object                  string                  `json:"object"`
	ID                      string                  `json:"id"`
	Title                   string                  `json:"title"`
	Emoji                   string                  `json:"emoji"`
	Visibility              ContentVisibility       `json:"visibility"`
	CreatedAt               time.Time               `json:"createdAt"`
	UpdatedAt               time.Time               `json:"updatedAt"`
	DeletedAt               *time.Time              `json:"deletedAt,omitempty"`
	EditMode                *SpaceEditMode          `json:"editMode,omitempty"`
	Type                    *SpaceType              `json:"type,omitempty"`
	MergeRules              MergeRulesConfiguration `json:"mergeRules"`
	URLs                    SpaceURLs               `json:"urls"`
	Organization            string                  `json:"organization"`
	Parent                  *string                 `json:"parent,omitempty"`
	Language                *TranslationLanguage    `json:"language,omitempty"`
	GitSync                 *GitSyncState           `json:"gitSync,omitempty"`
	Imports                 []ContentImportRun      `json:"imports,omitempty"`
	VisitorAuth             *VisitorAuth            `json:"visitorAuth,omitempty"`
	Revision                string                  `json:"revision"`
	DefaultLevel            *DefaultLevel           `json:"defaultLevel"` // required; null means guest
	Comments                float64                 `json:"comments"`
	ChangeRequests          float64                 `json:"changeRequests"`
	ChangeRequestsOpen      float64                 `json:"changeRequestsOpen"`
	ChangeRequestsDraft     float64                 `json:"changeRequestsDraft"`
	InternalPoweredByV2     *bool                   `json:"internal_poweredByV2,omitempty"`
	InternalSingleWebsocket *bool                   `json:"internal_singleWebsocket,omitempty"`
	Permissions             SpacePermissions        `json:"permissions"`
}

// SpaceURLs is Space.urls.
type SpaceURLs struct {
	Location  string  `json:"location"`
	App       string  `json:"app"`
	Published *string `json:"published,omitempty"`
	Public    *string `json:"public,omitempty"`
	Icon      *string `json:"icon,omitempty"`
}

// SpacePermissions is Space.permissions: what the caller may do.
type SpacePermissions struct {
	View               bool `json:"view"`
	Access             bool `json:"access"`
	Admin              bool `json:"admin"`
	ViewInviteLinks    bool `json:"viewInviteLinks"`
	Edit               bool `json:"edit"`
	TriggerGitSync     bool `json:"triggerGitSync"`
	Comment            bool `json:"comment"`
	Merge              bool `json:"merge"`
	Review             bool `json:"review"`
	InstallIntegration bool `json:"installIntegration"`
}

// MergeRulesConfiguration holds the spec's MergeRulesSpaceConfiguration and
// MergeRulesStandaloneConfiguration: a oneOf told apart by Type, where only
// "rules" carries Rules.
type MergeRulesConfiguration struct {
	Type  MergeRulesConfigurationType `json:"type"`
	Rules []MergeRule                 `json:"rules,omitempty"`
}

// MergeRule is one variant of the spec's MergeRule oneOf, told apart by Rule.
type MergeRule struct {
	Rule       MergeRuleType `json:"rule"`
	Users      []string      `json:"users,omitempty"`
	Expression *string       `json:"expression,omitempty"`
	Message    *string       `json:"message,omitempty"`
}

// GitSyncState mirrors the spec's GitSyncState.
type GitSyncState struct {
	RepoName             *string                   `json:"repoName,omitempty"`
	InstallationStatus   GitSyncInstallationStatus `json:"installationStatus"`
	InstallationProvider GitSyncProvider           `json:"installationProvider"`
	Integration          *string                   `json:"integration,omitempty"` // deprecated in the spec
	InstallationID       string                    `json:"installationId"`
	ParentInstallationID *string                   `json:"parentInstallationId,omitempty"`
	URL                  *string                   `json:"url,omitempty"`
	Operation            *GitSyncOperation         `json:"operation,omitempty"`
	OperationTimeout     *int                      `json:"operationTimeout,omitempty"`
	UpdatedAt            *time.Time                `json:"updatedAt,omitempty"`
}

// GitSyncOperation is GitSyncState.operation.
type GitSyncOperation struct {
	State       GitSyncOperationState        `json:"state"`
	Direction   GitSyncOperationDirection    `json:"direction"`
	StartedAt   time.Time                    `json:"startedAt"`
	EndedAt     *time.Time                   `json:"endedAt,omitempty"`
	Error       *string                      `json:"error,omitempty"`
	ErrorAction *GitSyncOperationErrorAction `json:"errorAction,omitempty"`
}

// GitSyncOperationErrorAction mirrors the spec's GitSyncOperationErrorAction.
type GitSyncOperationErrorAction struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// ContentImportRun mirrors the spec's ContentImportRun.
type ContentImportRun struct {
	Object      string                 `json:"object,omitempty"`
	ID          string                 `json:"id"`
	StartedAt   *time.Time             `json:"startedAt,omitempty"`
	CompletedAt *time.Time             `json:"completedAt,omitempty"`
	CreatedAt   *time.Time             `json:"createdAt,omitempty"`
	UpdatedAt   *time.Time             `json:"updatedAt,omitempty"`
	Status      ContentImportRunStatus `json:"status"`
	Reason      *string                `json:"reason,omitempty"`
	Source      *ContentImportSource   `json:"source,omitempty"`
	Target      *ContentImportTarget   `json:"target,omitempty"`
	Site        *string                `json:"site,omitempty"`
	CreatedBy   *string                `json:"createdBy,omitempty"`
	URLs        *ContentImportRunURLs  `json:"urls,omitempty"`
	Pages       []ContentImportPage    `json:"pages,omitempty"`
}

// ContentImportSource holds the spec's ContentImportSource oneOf, told apart
// by Type: a website has URL, a file import has Files.
type ContentImportSource struct {
	Type  ContentImportSourceType `json:"type"`
	URL   *string                 `json:"url,omitempty"`
	Files []string                `json:"files,omitempty"`
}

// ContentImportTarget mirrors the spec's ContentImportTarget.
type ContentImportTarget struct {
	Space         string  `json:"space"`
	ChangeRequest *string `json:"changeRequest,omitempty"`
	Page          *string `json:"page,omitempty"`
}

// ContentImportRunURLs is ContentImportRun.urls.
type ContentImportRunURLs struct {
	Location string `json:"location"`
}

// ContentImportPage is an element of ContentImportRun.pages.
type ContentImportPage struct {
	ID        string                  `json:"id"`
	SourceURL *string                 `json:"sourceURL,omitempty"`
	Type      ContentImportPageType   `json:"type"`
	Status    ContentImportPageStatus `json:"status"`
}

// VisitorAuth holds the spec's VisitorAuth oneOf, told apart by Backend:
// the integration backend names its Integration.
type VisitorAuth struct {
	Backend     VisitorAuthBackend `json:"backend"`
	Integration *string            `json:"integration,omitempty"`
}

// GetSpace calls getSpaceById.
func (c *Client) GetSpace(ctx context.Context, spaceID string) (*Space, error) {
	const op = "getSpaceById"
	if err := checkEntityID(op, "spaceId", spaceID); err != nil {
		return nil, err
	}
	s, err := get[Space](c, ctx, op, c.path("spaces", spaceID), nil)
	if err != nil {
		return nil, err
	}
	if err := s.validate(); err != nil {
		return nil, badResponse(op, err)
	}
	return s, nil
}
