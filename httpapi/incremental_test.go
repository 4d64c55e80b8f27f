package httpapi_test

import (
	"encoding/json"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
)

const deferred = `{ space(id: "acme-developer-portal") { id title ...@defer(label: "lists") { integrations(first: 3) { totalCount nodes { name } } } organization { title } } }`
const undeferred = `{ space(id: "acme-developer-portal") { id title integrations(first: 3) { totalCount nodes { name } } organization { title } } }`

// @defer over application/json: one answer with the deferred fields in it,
// byte for byte the answer without @defer, for the same upstream calls. The latency
// keeps the deferred list's call among those sent with the space.
func TestDeferAnsweredWhole(t *testing.T) {
	f := newFacade(t, setup{sim: gitbooksim.Options{Latency: 20 * time.Millisecond}})
	want := f.do(t, undeferred)
	wantCalls := f.sim.PathCounts()
	f.sim.ResetStats()
	got := f.do(t, deferred)
	if len(got.Errors) > 0 || len(want.Errors) > 0 {
		t.Fatalf("errors: %+v, %+v", got.Errors, want.Errors)
	}
	if string(got.Data) != string(want.Data) {
		t.Errorf("with @defer %s, without %s", got.Data, want.Data)
	}
	if calls := f.sim.PathCounts(); !reflect.DeepEqual(calls, wantCalls) {
		t.Errorf("calls with @defer %v, without %v", calls, wantCalls)
	}
	if strings.Count(string(got.Data), `"integrations"`) != 1 {
		t.Errorf("the deferred field is not in the answer once: %s", got.Data)
	}
}

// @defer over multipart/mixed, as Apollo Client asks for it: the answer
// without the deferred fields first (hasNext), then the fields at their
// path, then the closing boundary; put together, the whole answer, for
// the same upstream calls.
func TestDeferDeliveredInParts(t *testing.T) {
	f := newFacade(t, setup{sim: gitbooksim.Options{Latency: 20 * time.Millisecond}})
	want := f.do(t, undeferred)
	wantCalls := f.sim.PathCounts()
	f.sim.ResetStats()
	r := f.do(t, deferred, accept("multipart/mixed;deferSpec=20220824, application/json"), rawAnswer())
	if calls := f.sim.PathCounts(); !reflect.DeepEqual(calls, wantCalls) {
		t.Errorf("calls in parts %v, without @defer %v", calls, wantCalls)
	}
	media, params, err := mime.ParseMediaType(r.header.Get("Content-Type"))
	if err != nil || media != "multipart/mixed" || params["deferspec"] != "20220824" {
		t.Fatalf("Content-Type %q", r.header.Get("Content-Type"))
	}
	parts := readParts(t, r.body, params["boundary"])
	if len(parts) != 2 {
		t.Fatalf("%d parts, want the first and one deferred: %s", len(parts), r.body)
	}
	var first struct {
		Data    map[string]map[string]any
		HasNext bool
	}
	if err := json.Unmarshal(parts[0], &first); err != nil || !first.HasNext || first.Data["space"]["title"] != "Developer Portal" {
		t.Fatalf("first part %s (%v)", parts[0], err)
	}
	if v := first.Data["space"]["integrations"]; v != nil { // gqlgen sends it null, or not at all
		t.Errorf("the deferred field came in the first part: %s", parts[0])
	}
	var later struct {
		Incremental []struct {
			Data  map[string]any
			Path  []any
			Label string
		}
		HasNext bool
	}
	if err := json.Unmarshal(parts[1], &later); err != nil || later.HasNext || len(later.Incremental) != 1 {
		t.Fatalf("deferred part %s (%v)", parts[1], err)
	}
	inc := later.Incremental[0]
	if inc.Label != "lists" || !reflect.DeepEqual(inc.Path, []any{"space"}) {
		t.Errorf("deferred part at %v labelled %q", inc.Path, inc.Label)
	}
	var whole map[string]map[string]any
	_ = json.Unmarshal(want.Data, &whole)
	if !reflect.DeepEqual(inc.Data["integrations"], whole["space"]["integrations"]) {
		t.Errorf("deferred %v, want %v", inc.Data["integrations"], whole["space"]["integrations"])
	}
}

func readParts(t *testing.T, body []byte, boundary string) [][]byte {
	t.Helper()
	mr := multipart.NewReader(strings.NewReader(string(body)), boundary)
	var parts [][]byte
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		var raw json.RawMessage
		if err := json.NewDecoder(p).Decode(&raw); err != nil {
			t.Fatalf("a part is not JSON: %v", err)
		}
		parts = append(parts, raw)
	}
	if !strings.HasSuffix(strings.TrimSpace(string(body)), "--"+boundary+"--") {
		t.Errorf("no closing boundary: %q", body)
	}
	return parts
}

// A deferred part that fails carries its error and code in parts, where
// the rest answers; whole, the answer is the one without @defer (the
// failing connection is non-null, so its space is null), error and all.
func TestAFailingDeferredPartCarriesItsError(t *testing.T) {
	f := newFacade(t, setup{})
	f.sim.SetFault(gitbooksim.FailAlways("listSpaceIntegrations", gitbooksim.Fault{Status: http.StatusNotFound}))
	r, want := f.do(t, deferred), f.do(t, undeferred)
	if !slices.Equal(r.codes(), []string{"NOT_FOUND"}) || fmt.Sprint(r.Errors[0].Path) != "[space integrations]" {
		t.Errorf("errors %+v", r.Errors)
	}
	if string(r.Data) != string(want.Data) || !reflect.DeepEqual(r.Errors, want.Errors) {
		t.Errorf("with @defer %s %+v, without %s %+v", r.Data, r.Errors, want.Data, want.Errors)
	}
	parts := f.do(t, deferred, accept("multipart/mixed;deferSpec=20220824"), rawAnswer())
	_, params, _ := mime.ParseMediaType(parts.header.Get("Content-Type"))
	got := readParts(t, parts.body, params["boundary"])
	if len(got) != 2 || !strings.Contains(string(got[0]), `"title":"Developer Portal"`) || !strings.Contains(string(got[1]), `"code":"NOT_FOUND"`) {
		t.Errorf("parts: %s", parts.body)
	}
}

// -max-response-bytes bounds the parts together: the deferred part that
// would pass it comes as its error, at its path, and ends the answer.
func TestPartsAreBoundedTogether(t *testing.T) {
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.MaxResponseBytes = 250 }})
	r := f.do(t, deferred, accept("multipart/mixed;deferSpec=20220824"), rawAnswer())
	_, params, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	parts := readParts(t, r.body, params["boundary"])
	if len(parts) != 2 || !strings.Contains(string(parts[0]), "Developer Portal") {
		t.Fatalf("parts: %s", r.body)
	}
	var last struct {
		Incremental []struct {
			Data   map[string]any
			Path   []any
			Errors []struct{ Extensions map[string]any }
		}
		HasNext bool
	}
	if err := json.Unmarshal(parts[1], &last); err != nil || last.HasNext || len(last.Incremental) != 1 {
		t.Fatalf("last part %s (%v)", parts[1], err)
	}
	inc := last.Incremental[0]
	if inc.Data != nil || len(inc.Errors) != 1 || inc.Errors[0].Extensions["code"] != "RESPONSE_TOO_LARGE" || !reflect.DeepEqual(inc.Path, []any{"space"}) {
		t.Errorf("last part %s", parts[1])
	}
}
