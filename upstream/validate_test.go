package upstream_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

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
