package upstream_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitbook-graphql/facade/upstream"
)

func TestContentSecurityPolicyHeaderValue(t *testing.T) {
	for _, tc := range []struct {
		name string
		json string
		want upstream.IntegrationContentSecurityPolicy
		hdr  string
	}{
		{"string", `"default-src 'self'; img-src *"`,
			upstream.IntegrationContentSecurityPolicy{Raw: "default-src 'self'; img-src *"}, "default-src 'self'; img-src *"},
		{"string with space before", ` "default-src 'none'"`,
			upstream.IntegrationContentSecurityPolicy{Raw: "default-src 'none'"}, "default-src 'none'"},
		{"directives in name order", `{"script-src": "'self' https://cdn.example", "default-src": "'self'", "connect-src": "https://api.example"}`,
			upstream.IntegrationContentSecurityPolicy{Directives: map[string]string{"script-src": "'self' https://cdn.example", "default-src": "'self'", "connect-src": "https://api.example"}},
			"connect-src https://api.example; default-src 'self'; script-src 'self' https://cdn.example"},
		{"directive without a value", `{"upgrade-insecure-requests": "", "block-all-mixed-content": " ", "default-src": "'self'"}`,
			upstream.IntegrationContentSecurityPolicy{Directives: map[string]string{"upgrade-insecure-requests": "", "block-all-mixed-content": " ", "default-src": "'self'"}},
			"block-all-mixed-content; default-src 'self'; upgrade-insecure-requests"},
		{"no directives", `{}`, upstream.IntegrationContentSecurityPolicy{Directives: map[string]string{}}, ""},
		{"empty string", `""`, upstream.IntegrationContentSecurityPolicy{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got upstream.IntegrationContentSecurityPolicy
			if err := json.Unmarshal([]byte(tc.json), &got); err != nil {
				t.Fatalf("Unmarshal(%s): %v", tc.json, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
			if h := got.HeaderValue(); h != tc.hdr {
				t.Errorf("HeaderValue() = %q, want %q", h, tc.hdr)
			}
			// It encodes back in the form it came in.
			out, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			var again upstream.IntegrationContentSecurityPolicy
			if err := json.Unmarshal(out, &again); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("round trip through %s (-first +again):\n%s", out, diff)
			}
		})
	}
}

func TestContentSecurityPolicyDecodeReplacesTheOtherForm(t *testing.T) {
	p := upstream.IntegrationContentSecurityPolicy{Raw: "old"}
	if err := json.Unmarshal([]byte(`{"default-src": "'self'"}`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Raw != "" || p.HeaderValue() != "default-src 'self'" {
		t.Errorf("after decoding directives over a string: %+v", p)
	}
	if err := json.Unmarshal([]byte(`"new"`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Directives != nil || p.HeaderValue() != "new" {
		t.Errorf("after decoding a string over directives: %+v", p)
	}
	for _, bad := range []string{`5`, `["a"]`, `{"default-src": 1}`, `true`} {
		var p upstream.IntegrationContentSecurityPolicy
		if err := json.Unmarshal([]byte(bad), &p); err == nil {
			t.Errorf("Unmarshal(%s) = %+v, want an error", bad, p)
		}
	}
	var zero upstream.IntegrationContentSecurityPolicy
	if zero.HeaderValue() != "" {
		t.Errorf("zero policy HeaderValue() = %q", zero.HeaderValue())
	}
}

func TestContentSecurityPolicyInAnIntegration(t *testing.T) {
	var in upstream.Integration
	if err := json.Unmarshal([]byte(`{"name": "x", "contentSecurityPolicy": null}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.ContentSecurityPolicy != nil {
		t.Errorf("null policy = %+v, want nil", in.ContentSecurityPolicy)
	}
	if err := json.Unmarshal([]byte(`{"name": "x", "contentSecurityPolicy": "frame-ancestors 'none'"}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.ContentSecurityPolicy == nil || in.ContentSecurityPolicy.HeaderValue() != "frame-ancestors 'none'" {
		t.Errorf("policy = %+v", in.ContentSecurityPolicy)
	}
}

func TestSpaceRef(t *testing.T) {
	var r upstream.SpaceRef
	if err := json.Unmarshal([]byte(`"acme-handbook"`), &r); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(upstream.SpaceRef{ID: "acme-handbook"}, r); diff != "" {
		t.Errorf("string form (-want +got):\n%s", diff)
	}
	if out, _ := json.Marshal(r); string(out) != `"acme-handbook"` {
		t.Errorf("string form encodes as %s", out)
	}

	if err := json.Unmarshal([]byte(` {"object": "space", "id": "acme-api-reference", "title": "API Reference", "organization": "acme"}`), &r); err != nil {
		t.Fatal(err)
	}
	if r.ID != "acme-api-reference" || r.Space == nil || r.Space.Title != "API Reference" || r.Space.Organization != "acme" {
		t.Errorf("object form = %+v", r)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var again upstream.SpaceRef
	if err := json.Unmarshal(out, &again); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, again); diff != "" {
		t.Errorf("object form round trip (-first +again):\n%s", diff)
	}

	// Decoding the string form after the object form forgets the object.
	if err := json.Unmarshal([]byte(`"acme-changelog"`), &r); err != nil {
		t.Fatal(err)
	}
	if r.ID != "acme-changelog" || r.Space != nil {
		t.Errorf("string after object = %+v", r)
	}

	for _, bad := range []string{`5`, `["x"]`, `{"id": 5}`, `true`} {
		var r upstream.SpaceRef
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("Unmarshal(%s) = %+v, want an error", bad, r)
		}
	}
}

func TestBillingCreditsBundle(t *testing.T) {
	for _, tc := range []struct {
		json string
		want upstream.BillingCreditsBundle
	}{
		{`"none"`, upstream.BillingCreditsBundleNone},
		{`135001500`, upstream.BillingCreditsBundle135001500},
		{`"135001500"`, upstream.BillingCreditsBundle135001500},
		{`240006000`, upstream.BillingCreditsBundle240006000},
		{`4200018000`, upstream.BillingCreditsBundle4200018000},
		{`6000040000`, upstream.BillingCreditsBundle6000040000},
		{` 6000040000 `, upstream.BillingCreditsBundle6000040000},
	} {
		var got upstream.BillingCreditsBundle
		if err := json.Unmarshal([]byte(tc.json), &got); err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.json, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Unmarshal(%s) = %q, want %q", tc.json, got, tc.want)
		}
	}
	for _, bad := range []string{`1.5`, `1e3`, `true`, `{}`, `[1]`, `99999999999999999999`} {
		var got upstream.BillingCreditsBundle
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("Unmarshal(%s) = %q, want an error", bad, got)
		}
	}
	// Within the billing object, null is no bundle.
	var b upstream.OrganizationBilling
	if err := json.Unmarshal([]byte(`{"creditsBundle": null}`), &b); err != nil || b.CreditsBundle != nil {
		t.Errorf("null bundle = %v, %v; want nil", b.CreditsBundle, err)
	}
	if err := json.Unmarshal([]byte(`{"creditsBundle": 240006000}`), &b); err != nil || b.CreditsBundle == nil || *b.CreditsBundle != upstream.BillingCreditsBundle240006000 {
		t.Errorf("numeric bundle = %v, %v", b.CreditsBundle, err)
	}
}

// Properties that one version of the spec lacks decode to nil when absent or
// null, so that they are served as null, and keep a false or empty value
// GitBook did send.
func TestVersionOnlyPropertiesKeepAbsenceApart(t *testing.T) {
	for _, tc := range []struct {
		json          string
		present, zero bool
	}{
		{`{}`, false, false},
		{`{"canChangeInterval": null, "canUseSAML": null, "publicContentEndpoint": null}`, false, false},
		{`{"canChangeInterval": false, "canUseSAML": false, "publicContentEndpoint": ""}`, true, true},
		{`{"canChangeInterval": true, "canUseSAML": true, "publicContentEndpoint": "https://x.example/c"}`, true, false},
	} {
		var b upstream.OrganizationBilling
		var u upstream.IntegrationURLs
		if err := json.Unmarshal([]byte(tc.json), &b); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(tc.json), &u); err != nil {
			t.Fatal(err)
		}
		for name, p := range map[string]any{"canChangeInterval": b.CanChangeInterval, "canUseSAML": b.CanUseSAML, "publicContentEndpoint": u.PublicContentEndpoint} {
			present := !reflect.ValueOf(p).IsNil()
			if present != tc.present {
				t.Errorf("%s: %s present = %v, want %v", tc.json, name, present, tc.present)
				continue
			}
			if present && reflect.ValueOf(p).Elem().IsZero() != tc.zero {
				t.Errorf("%s: %s = %v", tc.json, name, reflect.ValueOf(p).Elem())
			}
		}
	}
}
