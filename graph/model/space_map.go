package model

import "github.com/gitbook-graphql/facade/upstream"

// SpaceFromREST maps a space; it fails, wrapping upstream.ErrBadResponse,
// when the space holds an enum value the spec does not list.
func SpaceFromREST(s *upstream.Space) (*Space, error) {
	var m mapping
	out := &Space{
		ID:                  s.ID,
		Title:               s.Title,
		Emoji:               s.Emoji,
		Visibility:          enumOf[ContentVisibility](&m, "Space.visibility", s.Visibility),
		CreatedAt:           s.CreatedAt,
		UpdatedAt:           s.UpdatedAt,
		DeletedAt:           s.DeletedAt,
		EditMode:            enumPtr[SpaceEditMode](&m, "Space.editMode", s.EditMode),
		Type:                enumPtr[SpaceType](&m, "Space.type", s.Type),
		MergeRules:          mergeRules(&m, s.MergeRules),
		Urls:                SpaceUrls(s.URLs),
		OrganizationID:      s.Organization,
		Parent:              s.Parent,
		Language:            enumPtr[TranslationLanguage](&m, "Space.language", s.Language),
		GitSync:             gitSync(&m, s.GitSync),
		Imports:             imports(&m, s.Imports),
		VisitorAuth:         visitorAuth(&m, s.VisitorAuth),
		Revision:            s.Revision,
		DefaultLevel:        enumPtr[DefaultLevel](&m, "Space.defaultLevel", s.DefaultLevel),
		Comments:            s.Comments,
		ChangeRequests:      s.ChangeRequests,
		ChangeRequestsOpen:  s.ChangeRequestsOpen,
		ChangeRequestsDraft: s.ChangeRequestsDraft,
		Permissions:         SpacePermissions(s.Permissions),
	}
	return out, m.err
}

func mergeRules(m *mapping, c upstream.MergeRulesConfiguration) MergeRulesConfiguration {
	out := MergeRulesConfiguration{Type: enumOf[MergeRulesConfigurationType](m, "mergeRules.type", c.Type)}
	if c.Rules != nil {
		out.Rules = make([]MergeRule, len(c.Rules))
		for i, r := range c.Rules {
			out.Rules[i] = MergeRule{
				Rule:       enumOf[MergeRuleType](m, "mergeRules.rules.rule", r.Rule),
				Users:      r.Users,
				Expression: r.Expression,
				Message:    r.Message,
			}
		}
	}
	return out
}

func gitSync(m *mapping, g *upstream.GitSyncState) *GitSyncState {
	if g == nil {
		return nil
	}
	out := &GitSyncState{
		RepoName:             g.RepoName,
		InstallationStatus:   enumOf[GitSyncInstallationStatus](m, "gitSync.installationStatus", g.InstallationStatus),
		InstallationProvider: enumOf[GitSyncProvider](m, "gitSync.installationProvider", g.InstallationProvider),
		Integration:          g.Integration,
		InstallationID:       g.InstallationID,
		ParentInstallationID: g.ParentInstallationID,
		URL:                  g.URL,
		OperationTimeout:     g.OperationTimeout,
		UpdatedAt:            g.UpdatedAt,
	}
	if op := g.Operation; op != nil {
		out.Operation = &GitSyncOperation{
			State:       enumOf[GitSyncOperationState](m, "gitSync.operation.state", op.State),
			Direction:   enumOf[GitSyncOperationDirection](m, "gitSync.operation.direction", op.Direction),
			StartedAt:   op.StartedAt,
			EndedAt:     op.EndedAt,
			Error:       op.Error,
			ErrorAction: (*GitSyncOperationErrorAction)(op.ErrorAction),
		}
	}
	return out
}

func imports(m *mapping, runs []upstream.ContentImportRun) []ContentImportRun {
	if runs == nil {
		return nil
	}
	out := make([]ContentImportRun, len(runs))
	for i, r := range runs {
		out[i] = ContentImportRun{
			ID:          r.ID,
			StartedAt:   r.StartedAt,
			CompletedAt: r.CompletedAt,
			CreatedAt:   r.CreatedAt,
			UpdatedAt:   r.UpdatedAt,
			Status:      enumOf[ContentImportRunStatus](m, "imports.status", r.Status),
			Reason:      r.Reason,
			Target:      (*ContentImportTarget)(r.Target),
			Site:        r.Site,
			CreatedBy:   r.CreatedBy,
			Urls:        (*ContentImportRunUrls)(r.URLs),
		}
		if src := r.Source; src != nil {
			out[i].Source = &ContentImportSource{
				Type:  enumOf[ContentImportSourceType](m, "imports.source.type", src.Type),
				URL:   src.URL,
				Files: src.Files,
			}
		}
		if r.Pages != nil {
			out[i].Pages = make([]ContentImportPage, len(r.Pages))
			for j, p := range r.Pages {
				out[i].Pages[j] = ContentImportPage{
					ID:        p.ID,
					SourceURL: p.SourceURL,
					Type:      enumOf[ContentImportPageType](m, "imports.pages.type", p.Type),
					Status:    enumOf[ContentImportPageStatus](m, "imports.pages.status", p.Status),
				}
			}
		}
	}
	return out
}

func visitorAuth(m *mapping, v *upstream.VisitorAuth) *VisitorAuth {
	if v == nil {
		return nil
	}
	return &VisitorAuth{Backend: enumOf[VisitorAuthBackend](m, "visitorAuth.backend", v.Backend), Integration: v.Integration}
}
