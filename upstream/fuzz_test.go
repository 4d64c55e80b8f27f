package upstream_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/gitbook-graphql/facade/upstream"
)

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
