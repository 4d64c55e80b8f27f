package upstream_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

// Space permissions the simulator gives by role, as the spec's permissions objects.
var (
	spaceAdmin = upstream.SpacePermissions{View: true, Access: true, Admin: true, ViewInviteLinks: true, Edit: true,
		TriggerGitSync: true, Comment: true, Merge: true, Review: true, InstallIntegration: true}
	spaceEditor = upstream.SpacePermissions{View: true, Access: true, Edit: true, TriggerGitSync: true, Comment: true, Merge: true, Review: true}
	spaceReader = upstream.SpacePermissions{View: true, Access: true}
)

func TestGetSpace(t *testing.T) {
	srv, c := setup(t)
	// DemoToken administers acme, edits in the collective and reads northwind.
	perms := map[string]upstream.SpacePermissions{"acme": spaceAdmin, "open-source-collective": spaceEditor, "northwind": spaceReader}
	data := gitbooksim.DemoData()
	for _, want := range data.Spaces {
		want.Permissions = perms[want.Organization]
		got, err := c.GetSpace(t.Context(), want.ID)
		if err != nil {
			t.Fatalf("GetSpace(%q): %v", want.ID, err)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("GetSpace(%q) (-want +got):\n%s", want.ID, diff)
		}
	}
	// The optional parts the demo data fills must have come through, or the
	// comparison above proves less than it seems.
	api, _ := c.GetSpace(t.Context(), "acme-api-reference")
	if api.GitSync == nil || api.GitSync.Operation == nil || api.GitSync.Operation.EndedAt == nil {
		t.Errorf("acme-api-reference gitSync = %+v, want one with an ended operation", api.GitSync)
	}
	changelog, _ := c.GetSpace(t.Context(), "acme-changelog")
	if len(changelog.Imports) != 1 || changelog.Imports[0].Source == nil || len(changelog.Imports[0].Pages) != 1 {
		t.Errorf("acme-changelog imports = %+v, want one with a source and a page", changelog.Imports)
	}

	calls := srv.Calls()
	if len(calls) != len(data.Spaces)+2 {
		t.Fatalf("%d calls, want %d", len(calls), len(data.Spaces)+2)
	}
	for i, s := range data.Spaces {
		got := calls[i]
		if got.Op != "getSpaceById" || got.Method != http.MethodGet || got.Path != "/v1/spaces/"+s.ID ||
			len(got.Query) != 0 || got.Authorization != demoAuth || got.Status != http.StatusOK {
			t.Errorf("call %d = %+v, want GET /v1/spaces/%s with the demo Authorization", i, got, s.ID)
		}
	}
}
