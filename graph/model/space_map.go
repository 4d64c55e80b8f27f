package model

import "github.com/gitbook-graphql/facade/upstream"

// SpaceFromREST maps a space. An enum value the schema does not list is kept
// and reports itself where it is served (see enum.go).
func SpaceFromREST(s *upstream.Space) *Space {
	out := &Space{
		ID:                  s.ID,
		Title:               s.Title,
		Emoji:               s.Emoji,
		Visibility:          enumVal(ContentVisibilityOf, s.Visibility),
		CreatedAt:           s.CreatedAt,
		UpdatedAt:           s.UpdatedAt,
		DeletedAt:           s.DeletedAt,
		EditMode:            enumPtr(SpaceEditModeOf, s.EditMode),
		Type:                enumPtr(SpaceTypeOf, s.Type),
		MergeRules:          mergeRules(s.MergeRules),
		Urls:                s.URLs,
		OrganizationID:      s.Organization,
		Parent:              s.Parent,
		Language:            enumPtr(TranslationLanguageOf, s.Language),
		GitSync:             gitSync(s.GitSync),
		Imports:             imports(s.Imports),
		VisitorAuth:         visitorAuth(s.VisitorAuth),
		Revision:            s.Revision,
		DefaultLevel:        enumPtr(DefaultLevelOf, s.DefaultLevel),
		Comments:            s.Comments,
		ChangeRequests:      s.ChangeRequests,
		ChangeRequestsOpen:  s.ChangeRequestsOpen,
		ChangeRequestsDraft: s.ChangeRequestsDraft,
		Permissions:         s.Permissions,
	}
	return out
}

func mergeRules(c upstream.MergeRulesConfiguration) MergeRulesConfiguration {
	out := MergeRulesConfiguration{Type: enumVal(MergeRulesConfigurationTypeOf, c.Type)}
	if c.Rules != nil {
		out.Rules = make([]MergeRule, len(c.Rules))
		for i, r := range c.Rules {
			out.Rules[i] = MergeRule{
				Rule:       enumVal(MergeRuleTypeOf, r.Rule),
				Users:      r.Users,
				Expression: r.Expression,
				Message:    r.Message,
			}
		}
	}
	return out
}

func gitSync(g *upstream.GitSyncState) *GitSyncState {
	if g == nil {
		return nil
	}
	out := &GitSyncState{
		RepoName:             g.RepoName,
		InstallationStatus:   enumVal(GitSyncInstallationStatusOf, g.InstallationStatus),
		InstallationProvider: enumVal(GitSyncProviderOf, g.InstallationProvider),
		Integration:          g.Integration,
		InstallationID:       g.InstallationID,
		ParentInstallationID: g.ParentInstallationID,
		URL:                  g.URL,
		OperationTimeout:     g.OperationTimeout,
		UpdatedAt:            g.UpdatedAt,
	}
	if op := g.Operation; op != nil {
		out.Operation = &GitSyncOperation{
			State:       enumVal(GitSyncOperationStateOf, op.State),
			Direction:   enumVal(GitSyncOperationDirectionOf, op.Direction),
			StartedAt:   op.StartedAt,
			EndedAt:     op.EndedAt,
			Error:       op.Error,
			ErrorAction: (*GitSyncOperationErrorAction)(op.ErrorAction),
		}
	}
	return out
}

func imports(runs []upstream.ContentImportRun) []ContentImportRun {
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
			Status:      enumVal(ContentImportRunStatusOf, r.Status),
			Reason:      r.Reason,
			Target:      (*ContentImportTarget)(r.Target),
			Site:        r.Site,
			CreatedBy:   r.CreatedBy,
			Urls:        (*ContentImportRunUrls)(r.URLs),
		}
		if src := r.Source; src != nil {
			out[i].Source = &ContentImportSource{
				Type:  enumVal(ContentImportSourceTypeOf, src.Type),
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
					Type:      enumVal(ContentImportPageTypeOf, p.Type),
					Status:    enumVal(ContentImportPageStatusOf, p.Status),
				}
			}
		}
	}
	return out
}

func visitorAuth(v *upstream.VisitorAuth) *VisitorAuth {
	if v == nil {
		return nil
	}
	return &VisitorAuth{Backend: enumVal(VisitorAuthBackendOf, v.Backend), Integration: v.Integration}
}
