package httpapi_test

import (
	"slices"
	"testing"
)

func spaceIntegrationNames(t *testing.T, f *facade, space string) []string {
	t.Helper()
	var got struct {
		Space struct{ Integrations connection }
	}
	f.do(t, `query($id: ID!) { space(id: $id) { integrations { nodes { name } } } }`, variables(map[string]any{"id": space})).decode(t, &got)
	return got.Space.Integrations.names()
}

func TestInstallAndUninstallShowInTheNextRead(t *testing.T) {
	f := newFacade(t, setup{})
	const space = "acme-api-reference"
	if names := spaceIntegrationNames(t, f, space); slices.Contains(names, "codesandbox") {
		t.Fatalf("codesandbox already on %s: %v", space, names)
	}

	f.sim.ResetStats()
	var installed struct {
		InstallIntegrationOnSpace struct {
			Installation string
			Status       string
			Integration  struct{ Name, Title string }
			Space        struct {
				ID           string
				Integrations connection
			}
		}
	}
	f.do(t, `mutation {
	  installIntegrationOnSpace(integration: "codesandbox", installation: "inst-acme-codesandbox", space: "acme-api-reference") {
	    installation status integration { name title } space { id integrations { nodes { name } } }
	  }
	}`).decode(t, &installed)
	got := installed.InstallIntegrationOnSpace
	if got.Installation != "inst-acme-codesandbox" || got.Status != "active" || got.Integration.Title != "CodeSandbox" || got.Space.ID != space {
		t.Errorf("install answer: %+v", got)
	}
	if !slices.Contains(got.Space.Integrations.names(), "codesandbox") {
		t.Errorf("the same request reads %v after installing", got.Space.Integrations.names())
	}
	if n := f.sim.CallCount("installIntegrationOnSpace"); n != 1 {
		t.Errorf("install sent %d times", n)
	}
	if !slices.Contains(spaceIntegrationNames(t, f, space), "codesandbox") {
		t.Error("the next read does not show the installation")
	}

	var removed struct {
		UninstallIntegrationFromSpace struct {
			Installation string
			Integration  struct{ Name string }
			Space        struct{ Integrations connection }
		}
	}
	f.do(t, `mutation {
	  uninstallIntegrationFromSpace(integration: "codesandbox", installation: "inst-acme-codesandbox", space: "acme-api-reference") {
	    installation integration { name } space { integrations { nodes { name } } }
	  }
	}`).decode(t, &removed)
	if u := removed.UninstallIntegrationFromSpace; u.Installation != "inst-acme-codesandbox" || u.Integration.Name != "codesandbox" ||
		slices.Contains(u.Space.Integrations.names(), "codesandbox") {
		t.Errorf("uninstall answer: %+v", u)
	}
	if slices.Contains(spaceIntegrationNames(t, f, space), "codesandbox") {
		t.Error("the next read still shows the installation")
	}
	if n := f.sim.CallCount("uninstallIntegrationFromSpace"); n != 1 {
		t.Errorf("uninstall sent %d times", n)
	}
}

func TestUninstallingWhatIsNotInstalledIsNotFound(t *testing.T) {
	f := newFacade(t, setup{})
	r := f.do(t, `mutation {
	  uninstallIntegrationFromSpace(integration: "codesandbox", installation: "inst-acme-codesandbox", space: "acme-handbook") { installation }
	}`)
	if !slices.Equal(r.codes(), []string{"NOT_FOUND"}) {
		t.Errorf("errors: %+v", r.Errors)
	}
}
