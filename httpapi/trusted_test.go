package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/internal/logbuf"
	"github.com/gitbook-graphql/facade/trusted"
	"github.com/gitbook-graphql/facade/upstream"
)

// The operations of the trusted documents tests' list.
const (
	listedOrg       = "query Org {\n  organization(id: \"acme\") {\n    title\n  }\n}"
	listedSpace     = `query Space($id: ID!) { space(id: $id) { title } }`
	listedUninstall = `mutation Uninstall { uninstallIntegrationFromSpace(integration: "slack", installation: "inst-acme-slack", space: "acme-handbook") { installation } }`
	orgAnswer       = `{"organization":{"title":"Acme Inc."}}`
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// manifestOf is an Apollo manifest of the texts, each under the id given
// (its sha256 when empty, as Apollo's generator makes it).
func manifestOf(t testing.TB, texts map[string]string) []byte {
	t.Helper()
	ops := []map[string]any{}
	for id, text := range texts {
		typ := "query"
		if strings.HasPrefix(text, "mutation") {
			typ = "mutation"
		}
		ops = append(ops, map[string]any{"id": id, "name": "", "type": typ, "body": text})
	}
	b, err := json.Marshal(map[string]any{"format": "apollo-persisted-query-manifest", "version": 1, "operations": ops})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// trustedSetup is a facade with the list in a file (the store reloads
// from it), a registry and a log.
type trustedSetup struct {
	*facade
	path  string
	store *trusted.Store
	reg   *prometheus.Registry
	logs  *logbuf.Buffer
}

func newTrustedFacade(t *testing.T, list []byte, opts trusted.Options, more ...func(*httpapi.Config)) *trustedSetup {
	t.Helper()
	s := &trustedSetup{path: filepath.Join(t.TempDir(), "list.json"), reg: prometheus.NewRegistry(), logs: &logbuf.Buffer{}}
	s.write(t, list)
	var err error
	if s.store, err = trusted.Open(s.path); err != nil {
		t.Fatal(err)
	}
	s.facade = newFacade(t, setup{config: func(c *httpapi.Config) {
		c.Trusted, c.TrustedDocuments, c.Registry = opts, s.store, s.reg
		c.Logger = slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		for _, m := range more {
			m(c)
		}
	}})
	return s
}

func (s *trustedSetup) write(t *testing.T, list []byte) {
	t.Helper()
	if err := os.WriteFile(s.path, list, 0o600); err != nil {
		t.Fatal(err)
	}
}

func defaultList(t *testing.T) []byte {
	return manifestOf(t, map[string]string{
		sha256Hex(listedOrg): listedOrg, "space-by-id": listedSpace, sha256Hex(listedUninstall): listedUninstall,
	})
}

// param sets one request parameter, in the body or, for a GET, the URL.
func param(name string, v any) option { return func(c *call) { c.params[name] = v } }

func persisted(hash string) option {
	return extensions(map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}})
}

// sample is the value of the series of the metric name with labels, a
// counter's or a gauge's; false when there is none.
func sample(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			matches := len(m.GetLabel()) == len(labels)
			for _, l := range m.GetLabel() {
				matches = matches && labels[l.GetName()] == l.GetValue()
			}
			if matches {
				return m.GetCounter().GetValue() + m.GetGauge().GetValue(), true
			}
		}
	}
	return 0, false
}

// refusedCount is facade_trusted_documents_refused_total for code and
// enforced; -1 when the series does not exist.
func refusedCount(t *testing.T, reg *prometheus.Registry, code, enforced string) float64 {
	t.Helper()
	n, ok := sample(t, reg, "facade_trusted_documents_refused_total", map[string]string{"code": code, "enforced": enforced})
	if !ok {
		return -1
	}
	return n
}

// operationsLoaded is the gauge facade_trusted_documents.
func operationsLoaded(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	n, ok := sample(t, reg, "facade_trusted_documents", nil)
	if !ok {
		t.Fatal("no facade_trusted_documents")
	}
	return n
}

// Under enforce, a listed operation runs by each way of naming it, and
// costs the upstream what the same text sent plainly costs.
func TestTrustedDocumentsRunByEveryReference(t *testing.T) {
	s := newTrustedFacade(t, defaultList(t), trusted.Options{})
	plain := newFacade(t, setup{})
	if r := plain.do(t, listedOrg); string(r.Data) != orgAnswer {
		t.Fatalf("without a list: %s %+v", r.Data, r.Errors)
	}
	perRequest := plain.sim.CallCount("")
	get := method(http.MethodGet)
	for name, tc := range map[string]struct {
		query string
		opts  []option
	}{
		"sha256Hash alone":             {"", []option{persisted(sha256Hex(listedOrg))}},
		"sha256Hash with its text":     {listedOrg, []option{persisted(sha256Hex(listedOrg))}},
		"sha256Hash, GET":              {"", []option{get, persisted(sha256Hex(listedOrg))}},
		"documentId, POST":             {"", []option{param("documentId", sha256Hex(listedOrg))}},
		"documentId, GET":              {"", []option{get, param("documentId", sha256Hex(listedOrg))}},
		"documentId sha256:<hex>":      {"", []option{param("documentId", "sha256:"+sha256Hex(listedOrg))}},
		"doc_id, POST":                 {"", []option{param("doc_id", sha256Hex(listedOrg))}},
		"doc_id, GET":                  {"", []option{get, param("doc_id", sha256Hex(listedOrg))}},
		"documentId and doc_id agree":  {"", []option{param("documentId", sha256Hex(listedOrg)), param("doc_id", sha256Hex(listedOrg))}},
		"id with its text reformatted": {`query Org{organization(id:"acme"){title}}`, []option{param("documentId", sha256Hex(listedOrg))}},
		"exact text":                   {listedOrg, nil},
		"exact text, GET":              {listedOrg, []option{get}},
		"reformatted text":             {"# from another build\nquery Org { organization(id: \"acme\"), { title, } }", nil},
	} {
		t.Run(name, func(t *testing.T) {
			before := s.sim.CallCount("")
			r := s.do(t, tc.query, tc.opts...)
			if string(r.Data) != orgAnswer || len(r.Errors) > 0 {
				t.Errorf("HTTP %d: %s %+v", r.status, r.Data, r.Errors)
			}
			if n := s.sim.CallCount("") - before; n != perRequest {
				t.Errorf("%d upstream calls, want %d as without a list", n, perRequest)
			}
		})
	}
	// A listed id that is no hash, with variables.
	var space struct{ Space struct{ Title string } }
	s.do(t, "", param("doc_id", "space-by-id"), variables(map[string]any{"id": "acme-handbook"})).decode(t, &space)
	if space.Space.Title == "" {
		t.Error("space-by-id answered no title")
	}
	if r := s.do(t, "", persisted("space-by-id"), variables(map[string]any{"id": "acme-handbook"})); len(r.Errors) > 0 {
		t.Errorf("a listed id as sha256Hash: %+v", r.Errors)
	}
	if n := operationsLoaded(t, s.reg); n != 3 {
		t.Errorf("facade_trusted_documents %v, want 3", n)
	}
}

// Under enforce, what the list does not hold is refused with its code and
// the request errors' statuses, with no data and no upstream call; an APQ
// registration of an unlisted text stores nothing.
func TestTrustedDocumentsRefuseTheRest(t *testing.T) {
	s := newTrustedFacade(t, defaultList(t), trusted.Options{})
	const unlisted = `{ organization(id: "acme") { title createdAt } }`
	get := method(http.MethodGet)
	for name, tc := range map[string]struct {
		query string
		opts  []option
		code  string
	}{
		"unknown documentId":           {"", []option{param("documentId", "nope")}, "PERSISTED_QUERY_NOT_IN_LIST"},
		"unknown documentId, GET":      {"", []option{get, param("documentId", "nope")}, "PERSISTED_QUERY_NOT_IN_LIST"},
		"unknown doc_id":               {"", []option{param("doc_id", sha256Hex(unlisted))}, "PERSISTED_QUERY_NOT_IN_LIST"},
		"unknown doc_id with its text": {unlisted, []option{param("doc_id", sha256Hex(unlisted))}, "PERSISTED_QUERY_NOT_IN_LIST"},
		"unknown sha256Hash":           {"", []option{persisted(sha256Hex(unlisted))}, "PERSISTED_QUERY_NOT_IN_LIST"},
		"unknown sha256Hash, GET":      {"", []option{get, persisted(sha256Hex(unlisted))}, "PERSISTED_QUERY_NOT_IN_LIST"},
		"persistedQuery without hash":  {"", []option{extensions(map[string]any{"persistedQuery": map[string]any{"version": 1}})}, "PERSISTED_QUERY_NOT_IN_LIST"},
		"unlisted text":                {unlisted, nil, "QUERY_NOT_IN_SAFELIST"},
		"unlisted text, GET":           {unlisted, []option{get}, "QUERY_NOT_IN_SAFELIST"},
		"APQ registration":             {unlisted, []option{persisted(sha256Hex(unlisted))}, "QUERY_NOT_IN_SAFELIST"},
		"a listed text and one more":   {listedOrg + " query Other { __typename }", nil, "QUERY_NOT_IN_SAFELIST"},
		"introspection":                {`{ __schema { queryType { name } } }`, nil, "QUERY_NOT_IN_SAFELIST"},
		"__typename":                   {`{ __typename }`, nil, "QUERY_NOT_IN_SAFELIST"},
		"text that does not parse":     {`{ organization(`, nil, "QUERY_NOT_IN_SAFELIST"},
		"id with another text":         {unlisted, []option{param("documentId", sha256Hex(listedOrg))}, "BAD_REQUEST"},
		"sha256Hash with another text": {unlisted, []option{persisted(sha256Hex(listedOrg))}, "BAD_REQUEST"},
	} {
		for _, media := range []string{"application/json", "application/graphql-response+json"} {
			t.Run(name+", "+media, func(t *testing.T) {
				before := s.sim.CallCount("")
				r := s.do(t, tc.query, append(slices.Clone(tc.opts), accept(media))...)
				status := http.StatusOK
				if media != "application/json" {
					status = http.StatusBadRequest
				}
				if r.status != status || !slices.Equal(r.codes(), []string{tc.code}) || !strings.HasPrefix(r.header.Get("Content-Type"), media) {
					t.Errorf("HTTP %d %s, errors %+v; want %d and %s", r.status, r.header.Get("Content-Type"), r.Errors, status, tc.code)
				}
				if strings.Contains(string(r.body), `"data"`) {
					t.Errorf("a refusal with a data entry: %s", r.body)
				}
				if n := s.sim.CallCount("") - before; n != 0 {
					t.Errorf("%d upstream calls", n)
				}
			})
		}
	}
	// The registration stored nothing.
	if r := s.do(t, "", persisted(sha256Hex(unlisted))); !slices.Equal(r.codes(), []string{"PERSISTED_QUERY_NOT_IN_LIST"}) {
		t.Errorf("the hash after its registration was refused: %+v", r.Errors)
	}
	// Counted by code, as enforced; the log names the text by its hash.
	if n := refusedCount(t, s.reg, "QUERY_NOT_IN_SAFELIST", "true"); n != 14 {
		t.Errorf("QUERY_NOT_IN_SAFELIST enforced: %v, want 14", n)
	}
	if n := refusedCount(t, s.reg, "PERSISTED_QUERY_NOT_IN_LIST", "true"); n != 15 {
		t.Errorf("PERSISTED_QUERY_NOT_IN_LIST enforced: %v, want 15", n)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, sha256Hex(unlisted)) || strings.Contains(logs, "createdAt") {
		t.Errorf("the log does not name the unlisted text by its hash alone:\n%s", logs)
	}
}

// Parameters that cannot name a document are refused before GraphQL, list
// or not; with no list, documentId and doc_id are refused as such.
func TestDocumentIDsThatNameNothing(t *testing.T) {
	s := newTrustedFacade(t, defaultList(t), trusted.Options{})
	none := newFacade(t, setup{})
	get := method(http.MethodGet)
	for name, tc := range map[string]struct {
		f    *facade
		opts []option
		says string
	}{
		"two ids":             {s.facade, []option{param("documentId", sha256Hex(listedOrg)), param("doc_id", "space-by-id")}, "two documents"},
		"two ids, GET":        {s.facade, []option{get, param("documentId", sha256Hex(listedOrg)), param("doc_id", "space-by-id")}, "two documents"},
		"a number":            {s.facade, []option{param("documentId", 12)}, "documentId is not a string"},
		"an object":           {s.facade, []option{param("doc_id", map[string]any{})}, "doc_id is not a string"},
		"no list, documentId": {none, []option{param("documentId", sha256Hex(listedOrg))}, "no trusted documents are loaded"},
		"no list, doc_id GET": {none, []option{get, param("doc_id", sha256Hex(listedOrg))}, "no trusted documents are loaded"},
		"no list, with query": {none, []option{param("doc_id", sha256Hex(listedOrg)), param("query", listedOrg)}, "no trusted documents are loaded"},
	} {
		t.Run(name, func(t *testing.T) {
			before := tc.f.sim.CallCount("")
			r := tc.f.do(t, "", tc.opts...)
			if r.status != http.StatusBadRequest || !slices.Equal(r.codes(), []string{"BAD_REQUEST"}) || !strings.Contains(r.Errors[0].Message, tc.says) {
				t.Errorf("HTTP %d, errors %+v; want 400 BAD_REQUEST saying %q", r.status, r.Errors, tc.says)
			}
			if n := tc.f.sim.CallCount("") - before; n != 0 {
				t.Errorf("%d upstream calls", n)
			}
		})
	}
}

// A GET that names a listed mutation is still 405, and changes nothing.
func TestAGetOfAListedMutationIsRefused(t *testing.T) {
	s := newTrustedFacade(t, defaultList(t), trusted.Options{})
	for _, ref := range []option{param("documentId", sha256Hex(listedUninstall)), param("doc_id", sha256Hex(listedUninstall)), persisted(sha256Hex(listedUninstall))} {
		r := s.do(t, "", method(http.MethodGet), ref)
		if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" || strings.Contains(string(r.body), `"data"`) {
			t.Errorf("HTTP %d, Allow %q: %s", r.status, r.header.Get("Allow"), r.body)
		}
	}
	if n := s.sim.CallCount("uninstallIntegrationFromSpace"); n != 0 {
		t.Errorf("a GET ran the mutation: %d calls", n)
	}
	// By POST it runs.
	if r := s.do(t, "", param("documentId", sha256Hex(listedUninstall))); len(r.Errors) > 0 {
		t.Errorf("POST: %+v", r.Errors)
	}
	if n := s.sim.CallCount("uninstallIntegrationFromSpace"); n != 1 {
		t.Errorf("the POST made %d calls, want 1", n)
	}
}

// Log mode runs everything, and counts and logs by hash what enforce would
// refuse; an unknown id has nothing to run and is still refused.
func TestTrustedDocumentsLogMode(t *testing.T) {
	s := newTrustedFacade(t, defaultList(t), trusted.Options{Mode: trusted.Log})
	const unlisted = `{ organization(id: "acme") { title id } }`
	for _, q := range []string{unlisted, unlisted, `{ __typename }`} {
		if r := s.do(t, q); len(r.Errors) > 0 || len(r.Data) == 0 {
			t.Errorf("%s: %s %+v", q, r.Data, r.Errors)
		}
	}
	// Listed ones are not counted, by text or id.
	for _, opts := range [][]option{nil, {param("documentId", sha256Hex(listedOrg))}, {persisted(sha256Hex(listedOrg))}} {
		q := listedOrg
		if opts != nil {
			q = ""
		}
		if r := s.do(t, q, opts...); string(r.Data) != orgAnswer {
			t.Errorf("listed: %s %+v", r.Data, r.Errors)
		}
	}
	// APQ still works, and its texts are checked too: the registration
	// and the hash alone each count once.
	if r := s.do(t, "", persisted(sha256Hex(unlisted))); !slices.Equal(r.codes(), []string{"PERSISTED_QUERY_NOT_FOUND"}) {
		t.Errorf("an unknown hash in log mode: %+v", r.Errors)
	}
	for _, q := range []string{unlisted, ""} {
		if r := s.do(t, q, persisted(sha256Hex(unlisted))); len(r.Errors) > 0 {
			t.Errorf("APQ in log mode: %+v", r.Errors)
		}
	}
	if n := refusedCount(t, s.reg, "QUERY_NOT_IN_SAFELIST", "false"); n != 5 {
		t.Errorf("QUERY_NOT_IN_SAFELIST not enforced: %v, want 5", n)
	}
	if r := s.do(t, "", param("doc_id", "nope")); !slices.Equal(r.codes(), []string{"PERSISTED_QUERY_NOT_IN_LIST"}) {
		t.Errorf("an unknown doc_id in log mode: %+v", r.Errors)
	}
	if n := refusedCount(t, s.reg, "PERSISTED_QUERY_NOT_IN_LIST", "true"); n != 1 {
		t.Errorf("PERSISTED_QUERY_NOT_IN_LIST enforced: %v, want 1", n)
	}
	if n := refusedCount(t, s.reg, "QUERY_NOT_IN_SAFELIST", "true"); n != -1 && n != 0 {
		t.Errorf("log mode refused %v texts", n)
	}
	logs := s.logs.String()
	if strings.Count(logs, sha256Hex(unlisted)) < 4 || strings.Contains(logs, "title id") {
		t.Errorf("the log does not name the unlisted text by its hash alone:\n%s", logs)
	}
	if s.do(t, "", get("/")).status != http.StatusOK {
		t.Error("log mode does not serve the playground")
	}
}

// -trusted-documents-introspection runs documents that ask for
// introspection alone, and nothing else unlisted; without it, under
// enforce, the playground is not served.
func TestTrustedDocumentsIntrospection(t *testing.T) {
	off := newTrustedFacade(t, defaultList(t), trusted.Options{})
	page := off.do(t, "", get("/"))
	if page.status != http.StatusNotFound || !strings.Contains(string(page.body), "-trusted-documents-introspection") {
		t.Errorf("the playground under enforce: HTTP %d %.200s", page.status, page.body)
	}

	on := newTrustedFacade(t, defaultList(t), trusted.Options{Introspection: true})
	if page := on.do(t, "", get("/")); page.status != http.StatusOK || !strings.Contains(string(page.body), "graphiql") {
		t.Errorf("the playground with introspection: HTTP %d", page.status)
	}
	for _, q := range []string{
		`{ __typename }`,
		`{ __schema { queryType { name } } __type(name: "Space") { name } }`,
		`query IntrospectionQuery { ...Root } fragment Root on Query { __schema { types { ...T } } } fragment T on __Type { name kind }`,
		`{ ... on Query { __typename } }`,
	} {
		if r := on.do(t, q); len(r.Errors) > 0 || len(r.Data) == 0 {
			t.Errorf("%s: %s %+v", q, r.Data, r.Errors)
		}
	}
	for _, q := range []string{
		`{ __typename organization(id: "acme") { title } }`,
		`query A { __typename } query B { organization(id: "acme") { title } }`,
		`{ ...F } fragment F on Query { __typename organizations { totalCount } }`,
		`{ ...Missing }`,
		`{ space(id: "acme-handbook") { __typename } }`,
	} {
		before := on.sim.CallCount("")
		if r := on.do(t, q, operationName("B")); !slices.Equal(r.codes(), []string{"QUERY_NOT_IN_SAFELIST"}) {
			t.Errorf("%s: %s %+v", q, r.Data, r.Errors)
		}
		if on.sim.CallCount("") != before {
			t.Errorf("%s called upstream", q)
		}
	}
	// -introspection=false still refuses the schema.
	closed := newTrustedFacade(t, defaultList(t), trusted.Options{Introspection: true}, func(c *httpapi.Config) { c.DisableIntrospection = true })
	if r := closed.do(t, `{ __schema { queryType { name } } }`); !slices.Equal(r.codes(), []string{"GRAPHQL_VALIDATION_FAILED"}) {
		t.Errorf("-introspection=false: %+v", r.Errors)
	}
}

// Requests by the same id in flight together share one execution, as the
// same text does; refusals join no one's, and make no call.
func TestTrustedDocumentsKeepDedupeCorrect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "list.json")
	if err := os.WriteFile(path, manifestOf(t, map[string]string{"handbook": dedupeQuery}), 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := trusted.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	f := newFacade(t, setup{
		sim:      gitbooksim.Options{Latency: 300 * time.Millisecond},
		upstream: func(o *upstream.Options) { o.Sharing.NoCoalescing = true },
		config:   func(c *httpapi.Config) { c.TrustedDocuments = store },
	})
	var reqs []*http.Request
	for range 5 {
		reqs = append(reqs,
			newCall("", []option{param("documentId", "handbook")}).request(t, f.url),
			newCall("", []option{param("documentId", "other")}).request(t, f.url),
			newCall(strings.Replace(dedupeQuery, "admin", "admin __typename", 1), nil).request(t, f.url))
	}
	for i, b := range together(t, reqs) {
		want := `"admin":true`
		switch i % 3 {
		case 1:
			want = "PERSISTED_QUERY_NOT_IN_LIST"
		case 2:
			want = "QUERY_NOT_IN_SAFELIST"
		}
		if !strings.Contains(b, want) {
			t.Errorf("answer %d: %s; want %s", i, b, want)
		}
	}
	if n := f.sim.CallCount("getSpaceById"); n != 1 {
		t.Errorf("5 requests by one id at once made %d calls, want 1", n)
	}
}

// A reload swaps the list whole under requests in flight: a request for an
// operation both lists hold never fails, one the new list drops is refused
// once it is dropped, and a file that does not load keeps the list.
func TestTrustedDocumentsReloadUnderLoad(t *testing.T) {
	const (
		kept    = listedOrg
		dropped = `query Dropped { organization(id: "acme") { id } }`
		added   = `query Added { organization(id: "acme") { title id } }`
	)
	listA := manifestOf(t, map[string]string{"kept": kept, "dropped": dropped})
	listB := manifestOf(t, map[string]string{"kept": kept, "added": added})
	s := newTrustedFacade(t, listA, trusted.Options{})

	var wg sync.WaitGroup
	var served atomic.Int64
	var done atomic.Bool
	for range 4 {
		wg.Go(func() {
			for !done.Load() {
				served.Add(1)
				if r := s.do(t, "", param("documentId", "kept")); string(r.Data) != orgAnswer {
					t.Errorf("the kept operation during reloads: HTTP %d %s %+v", r.status, r.Data, r.Errors)
					return
				}
				for _, id := range []string{"dropped", "added"} {
					r := s.do(t, "", param("documentId", id))
					if len(r.Errors) > 0 && !slices.Equal(r.codes(), []string{"PERSISTED_QUERY_NOT_IN_LIST"}) {
						t.Errorf("%s during reloads: %+v", id, r.Errors)
						return
					}
				}
			}
		})
	}
	// Reloads go on until requests have met many of them.
	for i := 0; i < 20 || served.Load() < 200 || i%2 == 0; i++ {
		list := listA
		if i%2 == 0 {
			list = listB
		}
		s.write(t, list)
		if _, err := s.store.Reload(s.path); err != nil {
			t.Fatal(err)
		}
	}
	done.Store(true)
	wg.Wait()

	// listB in force, whichever list the last reload left.
	s.write(t, listB)
	if _, err := s.store.Reload(s.path); err != nil {
		t.Fatal(err)
	}
	if r := s.do(t, "", param("documentId", "added")); len(r.Errors) > 0 {
		t.Errorf("added after reload: %+v", r.Errors)
	}
	if r := s.do(t, dropped, nil...); !slices.Equal(r.codes(), []string{"QUERY_NOT_IN_SAFELIST"}) {
		t.Errorf("dropped after reload: %+v", r.Errors)
	}
	s.write(t, []byte(`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"x","type":"query","body":"{"}]}`))
	if _, err := s.store.Reload(s.path); err == nil {
		t.Fatal("a broken file loaded")
	}
	if r := s.do(t, "", param("documentId", "added")); len(r.Errors) > 0 {
		t.Errorf("after a broken file: %+v", r.Errors)
	}
	if n := operationsLoaded(t, s.reg); n != 2 {
		t.Errorf("facade_trusted_documents %v, want 2", n)
	}
}

// What the list adds to a whole request over loopback (workload (a) of
// bench/, upstream answering at once), by each way of naming the
// operation, and what a refusal costs.
func BenchmarkTrustedDocuments(b *testing.B) {
	const query = `query OneSpace($id: ID!) { space(id: $id) { id title integrations { nodes { name owner { id title } blocks { id title } } } } }`
	data, ids := manySpaces(30)
	list, err := trusted.Parse(manifestOf(b, map[string]string{sha256Hex(query): query}))
	if err != nil {
		b.Fatal(err)
	}
	vars := variables(map[string]any{"id": ids[0]})
	none := newFacade(b, setup{sim: gitbooksim.Options{Data: data}})
	listed := newFacade(b, setup{sim: gitbooksim.Options{Data: data}, config: func(c *httpapi.Config) { c.TrustedDocuments = trusted.NewStore(list) }})
	reformatted := strings.Join(strings.Fields(query), "\n") + " # another build"
	for _, bc := range []struct {
		name    string
		f       *facade
		body    []byte
		refused bool
	}{
		{"no list, text", none, requestBody(query, vars), false},
		{"exact text", listed, requestBody(query, vars), false},
		{"documentId", listed, requestBody("", vars, param("documentId", sha256Hex(query))), false},
		{"sha256Hash", listed, requestBody("", vars, persisted(sha256Hex(query))), false},
		{"reformatted text", listed, requestBody(reformatted, vars), false},
		{"unlisted text", listed, requestBody(strings.Replace(query, "title", "visibility", 1), vars), true},
		{"unknown id", listed, requestBody("", vars, param("documentId", "nope")), true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opts := []option{rawBody(bc.body), rawAnswer()}
			b.ReportAllocs()
			for b.Loop() {
				r := bc.f.do(b, "", opts...)
				if r.status != http.StatusOK || bytes.Contains(r.body, []byte(`"errors"`)) != bc.refused {
					b.Fatalf("HTTP %d: %.300s", r.status, r.body)
				}
			}
		})
	}
}
