package upstream_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitbook-graphql/facade/upstream"
)

func TestValidateEntityID(t *testing.T) {
	for _, tc := range []struct {
		id     string
		reason string // empty when valid
	}{
		{"acme-handbook", ""},
		{"a", ""},
		{"A_b-9", ""},
		{"-", ""},
		{"_", ""},
		{strings.Repeat("a", 256), ""},
		{"", "must not be empty"},
		{strings.Repeat("a", 257), "is longer than 256 characters"},
		{".", "may hold only letters, digits, '_' and '-'"},
		{"..", "may hold only letters, digits, '_' and '-'"},
		{"/", "may hold only letters, digits, '_' and '-'"},
		{"a/b", "may hold only letters, digits, '_' and '-'"},
		{"%2F", "may hold only letters, digits, '_' and '-'"},
		{"a.b", "may hold only letters, digits, '_' and '-'"},
		{"héllo", "may hold only letters, digits, '_' and '-'"},
		{"日本", "may hold only letters, digits, '_' and '-'"},
		{"ａ", "may hold only letters, digits, '_' and '-'"}, // fullwidth a
		{" a", "may hold only letters, digits, '_' and '-'"},
		{"a\x00", "may hold only letters, digits, '_' and '-'"},
		{"a?b", "may hold only letters, digits, '_' and '-'"},
		{"a+b", "may hold only letters, digits, '_' and '-'"},
	} {
		err := upstream.ValidateEntityID(tc.id)
		checkValidation(t, "ValidateEntityID", tc.id, tc.reason, err)
	}
	// Length counts bytes: 128 two-byte runes are 256 bytes, and invalid anyway.
	if err := upstream.ValidateEntityID(strings.Repeat("é", 129)); err == nil || err.Error() != "is longer than 256 characters" {
		t.Errorf("ValidateEntityID(129×é) = %v", err)
	}
}

func TestValidateIntegrationName(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reason string
	}{
		{"slack", ""},
		{"github-files", ""},
		{"google_analytics2", ""},
		{strings.Repeat("n", 100), ""},
		{"", "must not be empty"},
		{strings.Repeat("n", 101), "is longer than 100 characters"},
		{strings.Repeat("n", 257), "is longer than 100 characters"},
		// The spec's pattern allows '.', but "." and ".." would leave the path.
		{".", "may hold only letters, digits, '_' and '-'"},
		{"..", "may hold only letters, digits, '_' and '-'"},
		{"a.b", "may hold only letters, digits, '_' and '-'"},
		{"/", "may hold only letters, digits, '_' and '-'"},
		{"%2F", "may hold only letters, digits, '_' and '-'"},
		{"slack/../orgs", "may hold only letters, digits, '_' and '-'"},
		{"ślack", "may hold only letters, digits, '_' and '-'"},
	} {
		err := upstream.ValidateIntegrationName(tc.name)
		checkValidation(t, "ValidateIntegrationName", tc.name, tc.reason, err)
	}
}

func checkValidation(t *testing.T, fn, input, reason string, err error) {
	t.Helper()
	shown := input
	if len(shown) > 20 {
		shown = fmt.Sprintf("%.10s…(%d bytes)", input, len(input))
	}
	if reason == "" {
		if err != nil {
			t.Errorf("%s(%q) = %v, want nil", fn, shown, err)
		}
		return
	}
	var invalid *upstream.InvalidIDError
	if !errors.As(err, &invalid) {
		t.Errorf("%s(%q) = %v (%T), want an *InvalidIDError", fn, shown, err, err)
		return
	}
	if invalid.Reason != reason || err.Error() != reason {
		t.Errorf("%s(%q) = %q, want %q", fn, shown, err, reason)
	}
}

// An id that validates is safe to put in a URL path as it is: escaping
// leaves it alone, and it can neither step out of its segment nor be empty.
func FuzzValidateEntityID(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzValidateEntityID.
	f.Fuzz(func(t *testing.T, id string) {
		for name, check := range map[string]struct {
			validate func(string) error
			max      int
		}{
			"id":   {upstream.ValidateEntityID, upstream.MaxIDLength},
			"name": {upstream.ValidateIntegrationName, upstream.MaxIntegrationNameLength},
		} {
			if check.validate(id) != nil {
				continue
			}
			if id == "" || len(id) > check.max || id == "." || id == ".." || strings.ContainsAny(id, "/?#%") {
				t.Fatalf("%s %q validated", name, id)
			}
			if url.PathEscape(id) != id {
				t.Fatalf("%s %q validated but escapes to %q", name, id, url.PathEscape(id))
			}
		}
	})
}

func TestInvalidArgumentsNeverLeave(t *testing.T) {
	srv, c := setup(t)
	ctx := t.Context()
	okID, okName, okInst := "acme-handbook", "okta", "inst-acme-okta"
	badIDs := []string{"", ".", "..", "/", "a/b", "../orgs/acme", "%2F", "a%2Fb", "héllo", "ünïcode", "space id", "a?b", "a#b",
		"a.b", "a\x00b", "a\nb", strings.Repeat("a", upstream.MaxIDLength+1)}
	badNames := slices.Concat(badIDs, []string{strings.Repeat("a", upstream.MaxIntegrationNameLength+1)})

	type call struct {
		op, param string
		do        func() error
	}
	var calls []call
	for _, id := range badIDs {
		calls = append(calls,
			call{"getSpaceById", "spaceId", func() error { _, err := c.GetSpace(ctx, id); return err }},
			call{"getOrganizationById", "organizationId", func() error { _, err := c.GetOrganization(ctx, id); return err }},
			call{"listSpaceIntegrations", "spaceId", func() error {
				_, err := c.ListSpaceIntegrations(ctx, id, upstream.ListSpaceIntegrationsOptions{})
				return err
			}},
			call{"listSpaceIntegrationsBlocks", "spaceId", func() error { _, err := c.ListSpaceIntegrationBlocks(ctx, id); return err }},
			call{"installIntegrationOnSpace", "installationId", func() error {
				_, err := c.InstallIntegrationOnSpace(ctx, okName, id, okID)
				return err
			}},
			call{"installIntegrationOnSpace", "spaceId", func() error {
				_, err := c.InstallIntegrationOnSpace(ctx, okName, okInst, id)
				return err
			}},
			call{"uninstallIntegrationFromSpace", "installationId", func() error { return c.UninstallIntegrationFromSpace(ctx, okName, id, okID) }},
			call{"uninstallIntegrationFromSpace", "spaceId", func() error { return c.UninstallIntegrationFromSpace(ctx, okName, okInst, id) }},
		)
	}
	for _, name := range badNames {
		calls = append(calls,
			call{"getIntegrationByName", "integrationName", func() error { _, err := c.GetIntegration(ctx, name); return err }},
			call{"installIntegrationOnSpace", "integrationName", func() error {
				_, err := c.InstallIntegrationOnSpace(ctx, name, okInst, okID)
				return err
			}},
			call{"uninstallIntegrationFromSpace", "integrationName", func() error { return c.UninstallIntegrationFromSpace(ctx, name, okInst, okID) }},
		)
	}
	for _, limit := range []int{-1, upstream.MaxListLimit + 1} {
		calls = append(calls, call{"listSpaceIntegrations", "limit", func() error {
			_, err := c.ListSpaceIntegrations(ctx, okID, upstream.ListSpaceIntegrationsOptions{ListOptions: upstream.ListOptions{Limit: limit}})
			return err
		}})
	}

	for i, tc := range calls {
		err := tc.do()
		e := asError(t, srv, err)
		if e.Op != tc.op || e.Kind != upstream.ErrInvalidArgument || e.StatusCode != 0 || e.Transient() {
			t.Errorf("call %d (%s %s): error = %+v, want an invalid argument", i, tc.op, tc.param, e)
		}
		if !strings.HasPrefix(err.Error(), tc.op+": invalid argument: "+tc.param+" ") {
			t.Errorf("call %d: Error() = %q, want it to name %s and %s", i, err, tc.op, tc.param)
		}
		assertKinds(t, err, upstream.ErrInvalidArgument)
	}
	if n := srv.CallCount(""); n != 0 {
		t.Errorf("%d calls reached the upstream, want none: %+v", n, srv.Calls())
	}

	// The id itself is not echoed: it is the caller's text, not ours.
	_, err := c.GetSpace(ctx, "../../orgs/secret")
	if got, want := err.Error(), "getSpaceById: invalid argument: spaceId may hold only letters, digits, '_' and '-'"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestLongestValidIDsAreSent(t *testing.T) {
	srv, c := setup(t)
	id := strings.Repeat("a", upstream.MaxIDLength)
	name := strings.Repeat("n", upstream.MaxIntegrationNameLength)
	_, err := c.GetSpace(t.Context(), id)
	if upstream.StatusCode(err) != http.StatusNotFound {
		t.Errorf("GetSpace(256 chars) = %v, want the upstream's 404", err)
	}
	_, err = c.GetIntegration(t.Context(), name)
	if upstream.StatusCode(err) != http.StatusNotFound {
		t.Errorf("GetIntegration(100 chars) = %v, want the upstream's 404", err)
	}
	want := map[string]int{"GET /v1/spaces/" + id: 1, "GET /v1/integrations/" + name: 1}
	if diff := cmp.Diff(want, srv.PathCounts()); diff != "" {
		t.Errorf("path counts (-want +got):\n%s", diff)
	}
}
