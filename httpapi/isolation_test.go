package httpapi_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/internal/logbuf"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/httpapi"
	"github.com/gitbook-graphql/facade/telemetry"
	"github.com/gitbook-graphql/facade/upstream"
)

// Eight tokens read the same spaces at once, 25 requests each; the
// simulator labels every title with the token it answered. Every value a
// caller gets carries its own token's label.
func TestCallersNeverSeeAnotherCallersData(t *testing.T) {
	data := gitbooksim.DemoData()
	const tokens = 8
	for i := range tokens {
		data.Users = append(data.Users, gitbooksim.User{
			Token: fmt.Sprintf("token-%d", i),
			Label: fmt.Sprintf(" [caller %d]", i),
			Roles: map[string]upstream.MemberRole{"acme": upstream.MemberRoleRead, "open-source-collective": upstream.MemberRoleRead},
		})
	}
	f := newFacade(t, setup{sim: gitbooksim.Options{Data: data, Latency: 5 * time.Millisecond}})

	const query = `{
	  spaces(ids: ["acme-handbook", "acme-developer-portal", "oss-governance"]) {
	    title
	    organization { title }
	    integrations(first: 5) { nodes { title owner { title } } }
	  }
	  organization(id: "acme") { title }
	}`
	var wg sync.WaitGroup
	var mu sync.Mutex
	wrong, values := 0, 0
	for i := range tokens {
		label := fmt.Sprintf("[caller %d]", i)
		for range 25 {
			wg.Go(func() {
				var got struct {
					Spaces []struct {
						Title        string
						Organization struct{ Title string }
						Integrations struct {
							Nodes []struct {
								Title string
								Owner struct{ Title string }
							}
						}
					}
					Organization struct{ Title string }
				}
				f.do(t, query, bearer(fmt.Sprintf("token-%d", i))).decode(t, &got)
				titles := []string{got.Organization.Title}
				for _, s := range got.Spaces {
					titles = append(titles, s.Title, s.Organization.Title)
					for _, n := range s.Integrations.Nodes {
						titles = append(titles, n.Title, n.Owner.Title)
					}
				}
				mu.Lock()
				defer mu.Unlock()
				for _, title := range titles {
					values++
					if !strings.HasSuffix(title, label) {
						wrong++
						t.Errorf("%s received %q", label, title)
					}
				}
			})
		}
	}
	wg.Wait()
	t.Logf("%d values checked across %d requests, %d served to the wrong token", values, tokens*25, wrong)
	if values < tokens*25*20 {
		t.Errorf("only %d values checked", values)
	}
}

// GitBook failing every call of one token opens that token's breaker
// alone: its requests end in UPSTREAM_UNAVAILABLE, at last without a call,
// while another token's requests are answered throughout, each with its
// own call.
func TestOneTokensFailuresStopNoOther(t *testing.T) {
	registry := prometheus.NewRegistry()
	f := newFacade(t, setup{
		sim: gitbooksim.Options{
			Fault: gitbooksim.ForToken(gitbooksim.DemoToken, gitbooksim.FailAlways("", gitbooksim.Fault{Status: http.StatusServiceUnavailable})),
		},
		config: func(c *httpapi.Config) { c.Registry = registry },
	})
	telemetry.RegisterClient(registry, f.client)
	const query = `{ space(id: "acme-handbook") { title } }`
	callsWith := func(token string) int {
		n := 0
		for _, c := range f.sim.Calls() {
			if c.Authorization == "Bearer "+token {
				n++
			}
		}
		return n
	}
	answered := 0
	readHealthy := func() {
		t.Helper()
		var got struct{ Space struct{ Title string } }
		f.do(t, query, bearer(gitbooksim.ReaderToken)).decode(t, &got)
		answered++
		if n := callsWith(gitbooksim.ReaderToken); n != answered {
			t.Fatalf("%d answered requests of the healthy token made %d calls, want one each", answered, n)
		}
	}
	failing := func() {
		t.Helper()
		if r := f.do(t, query); !slices.Equal(r.codes(), []string{"UPSTREAM_UNAVAILABLE"}) {
			t.Fatalf("failing token: %+v, want UPSTREAM_UNAVAILABLE", r.Errors)
		}
	}
	for range 40 {
		failing()
		readHealthy()
	}
	s := f.client.WithAuthorization("Bearer " + gitbooksim.DemoToken).CredentialStats()
	if s.BreakerState != "open" || s.RetriesDenied == 0 {
		t.Errorf("failing token: %+v, want its breaker open and its retries denied", s)
	}
	before := callsWith(gitbooksim.DemoToken)
	failing()
	if n := callsWith(gitbooksim.DemoToken) - before; n != 0 {
		t.Errorf("the failing token's breaker let %d calls through", n)
	}
	for range 10 {
		readHealthy()
	}
	// The readiness probe, sent with no credential, is not refused either.
	if st := f.do(t, "", get("/readyz")).status; st != http.StatusOK {
		t.Errorf("/readyz with one token's breaker open: %d, want 200", st)
	}
	scrape := f.do(t, "", get("/metrics")).body
	for _, want := range []string{
		"gitbook_upstream_breaker_open 1\n", // of two credentials
		fmt.Sprintf("gitbook_upstream_retries_denied_total %d\n", s.RetriesDenied),
	} {
		if !bytes.Contains(scrape, []byte(want)) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	t.Logf("failing token: %d calls for 41 requests, %+v; healthy: %d calls for %d requests; %+v",
		before, s, callsWith(gitbooksim.ReaderToken), answered, f.client.Stats())
}

// A hung upstream ends in UPSTREAM_TIMEOUT by the request's deadline, with
// what did answer, and leaves no goroutine behind.
func TestHungUpstreamEndsAtTheDeadlineAndLeaksNothing(t *testing.T) {
	// Cleanups run last first: this one runs after the servers are closed.
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	const deadline = time.Second
	func() {
		f := newFacade(t, setup{
			sim:    gitbooksim.Options{Fault: gitbooksim.FailAlways("getSpaceById", gitbooksim.Fault{Hang: true})},
			config: func(c *httpapi.Config) { c.RequestTimeout = deadline },
		})
		client := &http.Client{Timeout: deadline + time.Second} // the bound this test holds the facade to
		defer client.CloseIdleConnections()
		defer f.client.CloseIdleConnections()
		r := f.do(t, `{ space(id: "acme-handbook") { id } org: organization(id: "acme") { title } }`, via(client))
		if got := r.codes(); len(got) != 1 || got[0] != "UPSTREAM_TIMEOUT" {
			t.Fatalf("errors: %+v", r.Errors)
		}
		if !strings.Contains(string(r.Data), `"org":{"title":"Acme Inc."}`) {
			t.Errorf("partial data missing: %s", r.Data)
		}
		f.sim.Close()
	}()
}

// Tokens appear in no log line and no error, whatever fails.
func TestTokensAreNeverLogged(t *testing.T) {
	// Both the facade's own logger and the default one, at debug.
	var logs logbuf.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	previous := slog.Default()
	slog.SetDefault(logger)
	t.Cleanup(func() { slog.SetDefault(previous) })

	const secret = "gb_api_SECRET_do_not_log"
	data := gitbooksim.DemoData()
	data.Users = append(data.Users, gitbooksim.User{Token: secret, Roles: map[string]upstream.MemberRole{"acme": upstream.MemberRoleRead}})
	f := newFacade(t, setup{
		sim:    gitbooksim.Options{Data: data, Fault: gitbooksim.FailFirst("getOrganizationById", 1, gitbooksim.Fault{Body: `{"id": 5}`})},
		config: func(c *httpapi.Config) { c.Logger = logger },
	})
	for _, q := range []string{
		`{ space(id: "acme-handbook") { title organization { title } } }`,
		`{ space(id: "nope") { title } }`,
		`mutation { installIntegrationOnSpace(integration: "slack", installation: "inst-acme-slack", space: "acme-handbook") { installation } }`,
		`{ space(id: "bad/id") { title } }`,
	} {
		for _, token := range []string{secret, secret + "_unknown"} {
			r := f.do(t, q, bearer(token))
			for _, e := range r.Errors {
				if strings.Contains(fmt.Sprint(e), secret) {
					t.Errorf("error holds the token: %+v", e)
				}
			}
		}
	}
	// The test reads what the facade logged: a line per request at least.
	if n := strings.Count(logs.String(), `"request_id"`); n < 8 {
		t.Fatalf("%d request lines logged; the test is not reading the facade's logs:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("the logs hold the token:\n%s", logs.String())
	}
}

// The server's own credential serves only the hosts the operator allows: a
// page that points a name of its own at the server (DNS rebinding) gets 403.
func TestDefaultCredentialServesOnlyAllowedHosts(t *testing.T) {
	f := newFacade(t, setup{config: func(c *httpapi.Config) { c.DefaultAuthorization = "Bearer " + gitbooksim.DemoToken }})
	const install = `mutation { installIntegrationOnSpace(integration: "slack", installation: "inst-acme-slack", space: "acme-handbook") { installation } }`
	// ask installs, naming host, with token as the caller's own credential (none when empty).
	ask := func(host, token string) response { return f.do(t, install, atHost(host), bearer(token)) }
	if r := ask("attacker.example:8080", ""); r.status != http.StatusForbidden || !slices.Equal(r.codes(), []string{"FORBIDDEN"}) {
		t.Errorf("a foreign host: status %d, errors %+v", r.status, r.Errors)
	}
	if n := f.sim.CallCount(""); n != 0 {
		t.Errorf("%d upstream calls for a refused request", n)
	}
	for _, host := range []string{"127.0.0.1:8080", "localhost", "[::1]:8080", "LOCALHOST."} {
		if r := ask(host, ""); r.status != http.StatusOK || len(r.Errors) > 0 {
			t.Errorf("host %s: status %d, errors %+v", host, r.status, r.Errors)
		}
	}
	// A caller with a credential of its own may come from anywhere.
	if r := ask("attacker.example:8080", gitbooksim.ReaderToken); r.status != http.StatusOK || len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "FORBIDDEN" || r.Errors[0].Extensions["upstreamStatus"] == nil {
		t.Errorf("own credential: status %d, errors %+v; want GitBook's own 403 for a reader", r.status, r.Errors)
	}
}
