package gitbooksim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Options configure a simulated API. The zero value serves DemoData.
type Options struct {
	Data        *Dataset      // nil: DemoData()
	Latency     time.Duration // added to every call before it is answered
	MaxPageSize int           // the largest page of any list; 0: the spec's 1000
	// DefaultPageSize is the page size when a call passes no limit; 0: 100.
	DefaultPageSize int
	Fault           FaultFunc // nil: no faults
	// CountOnly keeps counts per operation and no record of each call, for
	// load tests whose calls would not fit in memory. Calls() is then empty.
	CountOnly bool
}

// Handler is the simulated API as an http.Handler, rooted at /v1.
type Handler struct {
	mux      *http.ServeMux
	opts     Options
	mu       sync.RWMutex // guards data
	data     *Dataset
	stats    stats
	limits   rateLimits
	faultMu  sync.RWMutex
	fault    FaultFunc
	closing  chan struct{}
	closeOne sync.Once
}

// NewHandler makes a simulated API. It copies opts.Data, so writes through
// the API (installations) do not change the caller's dataset.
func NewHandler(opts Options) *Handler {
	data := opts.Data
	if data == nil {
		data = DemoData()
	}
	if opts.MaxPageSize <= 0 || opts.MaxPageSize > 1000 {
		opts.MaxPageSize = 1000
	}
	if opts.DefaultPageSize <= 0 {
		opts.DefaultPageSize = 100
	}
	h := &Handler{opts: opts, data: data.Clone(), fault: opts.Fault, closing: make(chan struct{})}
	h.stats.countOnly = opts.CountOnly
	h.mux = http.NewServeMux()
	h.route("GET /v1/spaces/{spaceId}", "getSpaceById", h.getSpace)
	h.route("GET /v1/spaces/{spaceId}/integrations", "listSpaceIntegrations", h.listSpaceIntegrations)
	h.route("GET /v1/spaces/{spaceId}/integration-blocks", "listSpaceIntegrationsBlocks", h.listSpaceIntegrationBlocks)
	h.route("GET /v1/orgs/{organizationId}", "getOrganizationById", h.getOrganization)
	h.route("GET /v1/integrations/{integrationName}", "getIntegrationByName", h.getIntegration)
	h.route("POST /v1/integrations/{integrationName}/installations/{installationId}/spaces", "installIntegrationOnSpace", h.install)
	h.route("DELETE /v1/integrations/{integrationName}/installations/{installationId}/spaces/{spaceId}", "uninstallIntegrationFromSpace", h.uninstall)
	h.route("GET /v1/user", "getAuthenticatedUser", h.getUser)
	h.route("GET /v1/orgs", "listOrganizationsForAuthenticatedUser", h.listOrganizations)
	h.route("GET /v1/orgs/{organizationId}/spaces", "listSpacesInOrganizationById", h.listOrganizationSpaces)
	h.route("GET /v1/orgs/{organizationId}/installations", "listOrganizationInstallations", h.listOrganizationInstallations)
	h.route("GET /v1/integrations", "listIntegrations", h.listIntegrations)
	h.route("GET /v1/integrations/{integrationName}/installations", "listIntegrationInstallations", h.listIntegrationInstallations)
	h.route("GET /v1/integrations/{integrationName}/installations/{installationId}", "getIntegrationInstallationById", h.getInstallation)
	h.route("GET /v1/integrations/{integrationName}/installations/{installationId}/spaces", "listIntegrationInstallationSpaces", h.listInstallationSpaces)
	h.route("/", "", func(w http.ResponseWriter, r *http.Request, _ *User) {
		writeError(w, http.StatusNotFound, "No route for "+r.Method+" "+r.URL.Path)
	})
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// SetFault replaces the fault injector; nil removes it.
func (h *Handler) SetFault(f FaultFunc) {
	h.faultMu.Lock()
	h.fault = f
	h.faultMu.Unlock()
}

// Close releases calls held by a Hang fault.
func (h *Handler) Close() { h.closeOne.Do(func() { close(h.closing) }) }

type opHandler func(w http.ResponseWriter, r *http.Request, u *User)

// route wraps an operation with what every call goes through: counting,
// latency, faults, then authentication.
func (h *Handler) route(pattern, op string, fn opHandler) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c := h.stats.begin(op, r)
		rec := &statusRecorder{ResponseWriter: w, limits: &h.limits, auth: c.Authorization} // status stays 0 when nothing is answered
		defer func() { h.stats.end(c, rec.status) }()
		limitedUntil := h.limits.arrived(c.Authorization, time.Now())

		if h.opts.Latency > 0 && !h.sleep(r, h.opts.Latency) {
			resetConnection(rec) // returning would answer an empty 200
			return
		}
		if !limitedUntil.IsZero() {
			h.applyFault(rec, r, limitedAnswer(limitedUntil, time.Now()), nil)
			return
		}
		h.faultMu.RLock()
		fault := h.fault
		h.faultMu.RUnlock()
		if fault != nil {
			if f := fault(c.Call); f != nil {
				if handled := h.applyFault(rec, r, f, func(w http.ResponseWriter) { h.serve(w, r, fn) }); handled {
					return
				}
			}
		}
		h.serve(rec, r, fn)
	})
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, fn opHandler) {
	u := h.user(r)
	if u == nil {
		writeError(w, http.StatusUnauthorized, "You must be authenticated to access this resource")
		return
	}
	fn(w, r, u)
}

// sleep waits d, and reports false when the caller went away first.
func (h *Handler) sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-h.closing:
		return false
	}
}

func (h *Handler) user(r *http.Request) *User {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return nil
	}
	for i := range h.data.Users {
		if h.data.Users[i].Token == token {
			return &h.data.Users[i]
		}
	}
	return nil
}

// writeError answers with the spec's Error envelope.
func writeError(w http.ResponseWriter, status int, message string) {
	var body struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	body.Error.Code, body.Error.Message = status, message
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	limits *rateLimits
	auth   string
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	if code == http.StatusTooManyRequests {
		// Recorded before the answer leaves: a call that follows it is early.
		s.limits.answered429(s.auth, s.Header(), time.Now())
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write answers 200 when no status was written, as net/http does.
func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (for resets).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Server is a simulated API listening on 127.0.0.1.
type Server struct {
	*Handler
	// URL is the API's base, like https://api.gitbook.com/v1.
	URL string
	srv *httptest.Server
}

// NewServer starts a simulated API on a loopback port. Close it when done.
func NewServer(opts Options) *Server {
	h := NewHandler(opts)
	srv := httptest.NewServer(h)
	return &Server{Handler: h, URL: srv.URL + "/v1", srv: srv}
}

// Close stops the server, first releasing calls held by faults.
func (s *Server) Close() {
	s.Handler.Close()
	s.srv.CloseClientConnections()
	s.srv.Close()
}
