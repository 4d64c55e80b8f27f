package graph_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/gitbook-graphql/facade/gitbooksim"
)

type installationAnswer struct {
	Installation string
	Status       *string
	Integration  *struct{ Name, Title string }
	Space        *struct {
		ID           string
		Integrations struct{ Nodes []integrationName }
	}
}

const installArgs = `(integration: $integration, installation: $installation, space: $space)`

// installVars names Acme's installation of integration, and a space.
func installVars(integration, space string) []client.Option {
	return []client.Option{
		client.Var("integration", integration), client.Var("installation", "inst-acme-"+integration), client.Var("space", space),
	}
}

// Each write forgets the space's lists it changed, so the fields after it
// read them afresh: uninstalling then installing within one request shows
// the integration gone, then back.
func TestUninstallThenInstallWithinOneRequest(t *testing.T) {
	h := newHarness(t, setup{})
	var got struct{ Off, On installationAnswer }
	h.must(t, `mutation($integration: String!, $installation: ID!, $space: ID!) {
	  off: uninstallIntegrationFromSpace`+installArgs+` { installation integration { name title } space { id integrations { nodes { name } } } }
	  on: installIntegrationOnSpace`+installArgs+` { installation status integration { name title } space { id integrations { nodes { name } } } }
	}`, &got, installVars("slack", "acme-handbook")...)
	before := enabledOn(t, "acme-handbook")
	without := slices.DeleteFunc(slices.Clone(before), func(n string) bool { return n == "slack" })
	for name, answer := range map[string]installationAnswer{"off": got.Off, "on": got.On} {
		if answer.Installation != "inst-acme-slack" || answer.Integration == nil || answer.Integration.Title != "Slack" ||
			answer.Space == nil || answer.Space.ID != "acme-handbook" {
			t.Errorf("%s: %+v", name, answer)
		}
	}
	if names := named(got.Off.Space.Integrations.Nodes); !slices.Equal(names, without) {
		t.Errorf("after uninstalling: %v, want %v", names, without)
	}
	if names := named(got.On.Space.Integrations.Nodes); !slices.Equal(names, before) {
		t.Errorf("after installing: %v, want %v", names, before)
	}
	if got.On.Status == nil || *got.On.Status != "active" {
		t.Errorf("status %v", got.On.Status)
	}
	h.calls(t, map[string]int{
		"uninstallIntegrationFromSpace": 1, "installIntegrationOnSpace": 1,
		"getIntegrationByName": 1, "getSpaceById": 1, "listSpaceIntegrations": 2,
	})
}

func TestMutationsRefuseBadArgumentsBeforeAnyCall(t *testing.T) {
	h := newHarness(t, setup{})
	for name, vars := range map[string][]client.Option{
		"integration":  {client.Var("integration", "../slack"), client.Var("installation", "inst-acme-slack"), client.Var("space", "acme-handbook")},
		"installation": {client.Var("integration", "slack"), client.Var("installation", "inst/acme"), client.Var("space", "acme-handbook")},
		"space":        {client.Var("integration", "slack"), client.Var("installation", "inst-acme-slack"), client.Var("space", "")},
	} {
		for _, field := range []string{"installIntegrationOnSpace", "uninstallIntegrationFromSpace"} {
			errs := h.post(t, `mutation($integration: String!, $installation: ID!, $space: ID!) {
			  `+field+installArgs+` { installation } }`, nil, vars...)
			e := one(t, errs, "BAD_USER_INPUT", `["`+field+`"]`)
			if !strings.HasPrefix(e.Message, "argument "+name+": ") {
				t.Errorf("%s, bad %s: message %q", field, name, e.Message)
			}
		}
	}
	h.calls(t, nil)
}

// A write is sent once, whatever the upstream answers: a refusal keeps its
// code, and a 5xx says that the change may or may not have been applied.
func TestMutationFailuresAreSentOnce(t *testing.T) {
	cases := []struct {
		name, token, code string
		fault             gitbooksim.FaultFunc
		outcomeUnknown    bool
	}{
		{name: "a reader may not install", token: gitbooksim.ReaderToken, code: "FORBIDDEN"},
		{name: "the upstream failed", code: "UPSTREAM_UNAVAILABLE", outcomeUnknown: true,
			fault: gitbooksim.FailAlways("installIntegrationOnSpace", gitbooksim.Fault{Status: 503})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, setup{sim: gitbooksim.Options{Fault: c.fault}})
			opts := installVars("figma", "acme-handbook")
			if c.token != "" {
				opts = append(opts, as(c.token))
			}
			var got struct{ InstallIntegrationOnSpace *installationAnswer }
			errs := h.post(t, `mutation($integration: String!, $installation: ID!, $space: ID!) {
			  installIntegrationOnSpace`+installArgs+` { installation } }`, &got, opts...)
			e := one(t, errs, c.code, `["installIntegrationOnSpace"]`)
			if (e.Extensions["outcome"] == "unknown") != c.outcomeUnknown {
				t.Errorf("extensions %v", e.Extensions)
			}
			h.calls(t, map[string]int{"installIntegrationOnSpace": 1})
		})
	}
}

func TestUninstallOfWhatIsNotInstalledIsNotFound(t *testing.T) {
	h := newHarness(t, setup{})
	errs := h.post(t, `mutation($integration: String!, $installation: ID!, $space: ID!) {
	  uninstallIntegrationFromSpace`+installArgs+` { installation } }`, nil, installVars("figma", "acme-handbook")...)
	one(t, errs, "NOT_FOUND", `["uninstallIntegrationFromSpace"]`)
	h.calls(t, map[string]int{"uninstallIntegrationFromSpace": 1})
}
