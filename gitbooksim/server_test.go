package gitbooksim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gitbook-graphql/facade/gitbooksim"
	"github.com/gitbook-graphql/facade/upstream"
)

func TestScopesByToken(t *testing.T) {
	srv := newServer(t, gitbooksim.Options{})
	reader, admin := gitbooksim.ReaderToken, gitbooksim.DemoToken

	// ReaderToken reads acme and nothing else: the collective's spaces do not exist for it.
	for path, message := range map[string]string{
		"/spaces/oss-getting-started":                    "Space not found",
		"/spaces/oss-getting-started/integrations":       "Space not found",
		"/spaces/oss-getting-started/integration-blocks": "Space not found",
		"/spaces/northwind-runbooks":                     "Space not found",
		"/orgs/open-source-collective":                   "Organization not found",
		"/orgs/gitbook":                                  "Organization not found",
	} {
		assertEnvelope(t, get(t, srv, reader, path), http.StatusNotFound, message)
	}
	for _, path := range []string{"/spaces/oss-getting-started", "/orgs/open-source-collective", "/spaces/oss-getting-started/integrations"} {
		if a := get(t, srv, admin, path); a.status != http.StatusOK {
			t.Errorf("DemoToken %s: %d %s", path, a.status, a.body)
		}
	}

	// Both see acme's handbook, each with the permissions of its role.
	var asReader, asAdmin upstream.Space
	if err := json.Unmarshal(get(t, srv, reader, "/spaces/acme-handbook").body, &asReader); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(get(t, srv, admin, "/spaces/acme-handbook").body, &asAdmin); err != nil {
		t.Fatal(err)
	}
	if asReader.Permissions != (upstream.SpacePermissions{View: true, Access: true}) || !asAdmin.Permissions.InstallIntegration || !asAdmin.Permissions.Admin {
		t.Errorf("permissions: reader %+v, admin %+v", asReader.Permissions, asAdmin.Permissions)
	}

	// No token, an empty one, another scheme, an unknown one.
	for _, auth := range []string{"", "Bearer ", "Token " + admin, "Bearer nope", admin} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/spaces/acme-handbook", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assertEnvelope(t, answer{resp.StatusCode, resp.Header, body}, http.StatusUnauthorized, "You must be authenticated to access this resource")
	}
}

func TestCloseReleasesHungCalls(t *testing.T) {
	srv := gitbooksim.NewServer(gitbooksim.Options{})
	t.Cleanup(srv.Close)
	arrived := make(chan struct{})
	srv.SetFault(func(gitbooksim.Call) *gitbooksim.Fault {
		close(arrived)
		return &gitbooksim.Fault{Hang: true}
	})
	errc := make(chan error, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/spaces/acme-handbook")
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-arrived
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close is held by a hung call")
	}
	if err := <-errc; err == nil {
		t.Error("the hung call got an answer")
	}
}
