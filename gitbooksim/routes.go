package gitbooksim

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gitbook-graphql/facade/upstream"
)

func (h *Handler) getSpace(w http.ResponseWriter, r *http.Request, u *User) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	s, ok := h.spaceFor(u, r.PathValue("spaceId"))
	answerFound(w, s, ok, "Space not found")
}

func (h *Handler) getOrganization(w http.ResponseWriter, r *http.Request, u *User) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	o, ok := h.organizationFor(u, r.PathValue("organizationId"))
	answerFound(w, o, ok, "Organization not found")
}

func (h *Handler) getIntegration(w http.ResponseWriter, r *http.Request, u *User) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	in, ok := h.integrationFor(u, r.PathValue("integrationName"))
	answerFound(w, in, ok, "Integration not found")
}

// answerFound writes v, or GitBook's 404 with notFound when it was not found.
func answerFound(w http.ResponseWriter, v any, found bool, notFound string) {
	if !found {
		writeError(w, http.StatusNotFound, notFound)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *Handler) listSpaceIntegrations(w http.ResponseWriter, r *http.Request, u *User) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	spaceID := r.PathValue("spaceId")
	if _, ok := h.spaceFor(u, spaceID); !ok {
		writeError(w, http.StatusNotFound, "Space not found")
		return
	}
	search := strings.ToLower(r.URL.Query().Get("search"))
	var matched []upstream.Integration
	for _, name := range h.installedOn(spaceID) {
		if in, ok := h.integrationFor(u, name); ok && matches(in, search) {
			matched = append(matched, in)
		}
	}
	writePage(w, r, h.opts, matched)
}

func (h *Handler) listSpaceIntegrationBlocks(w http.ResponseWriter, r *http.Request, u *User) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	spaceID := r.PathValue("spaceId")
	if _, ok := h.spaceFor(u, spaceID); !ok {
		writeError(w, http.StatusNotFound, "Space not found")
		return
	}
	blocks := []upstream.SpaceIntegrationBlocks{}
	for _, name := range h.installedOn(spaceID) {
		if in, ok := h.integrationFor(u, name); ok && len(in.Blocks) > 0 {
			blocks = append(blocks, upstream.SpaceIntegrationBlocks{Name: in.Name, Blocks: in.Blocks})
		}
	}
	writeJSON(w, http.StatusOK, blocks)
}

func (h *Handler) install(w http.ResponseWriter, r *http.Request, u *User) {
	var body struct {
		Space *string `json:"space"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil || body.Space == nil {
		writeError(w, http.StatusBadRequest, "The body must be a JSON object with a string property \"space\"")
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	inst, space, status, msg := h.installationFor(u, r.PathValue("integrationName"), r.PathValue("installationId"), *body.Space)
	if status != 0 {
		writeError(w, status, msg)
		return
	}
	if !contains(h.enabledOn(inst), space.ID) {
		inst.Spaces = append(inst.Spaces, space.ID)
	}
	w.Header().Set("Location", r.URL.Path+"/"+space.ID)
	writeJSON(w, http.StatusCreated, spaceInstallation(inst, space.ID))
}

func (h *Handler) uninstall(w http.ResponseWriter, r *http.Request, u *User) {
	h.mu.Lock()
	defer h.mu.Unlock()
	inst, space, status, msg := h.installationFor(u, r.PathValue("integrationName"), r.PathValue("installationId"), r.PathValue("spaceId"))
	if status != 0 {
		writeError(w, status, msg)
		return
	}
	if inst.AllSpaces { // one space left out: the rest become a selection
		inst.Spaces, inst.AllSpaces = h.enabledOn(inst), false
	}
	i := index(inst.Spaces, space.ID)
	if i < 0 {
		writeError(w, http.StatusNotFound, "The integration is not installed on this space")
		return
	}
	inst.Spaces = append(inst.Spaces[:i], inst.Spaces[i+1:]...)
	w.WriteHeader(http.StatusNoContent)
}

// installationFor finds what an install or uninstall acts on, or the status
// and message to refuse it with.
func (h *Handler) installationFor(u *User, integration, installationID, spaceID string) (*Installation, upstream.Space, int, string) {
	if _, ok := h.integrationFor(u, integration); !ok {
		return nil, upstream.Space{}, http.StatusNotFound, "Integration not found"
	}
	var inst *Installation
	for i := range h.data.Installations {
		if in := &h.data.Installations[i]; in.ID == installationID && in.Integration == integration {
			inst = in
		}
	}
	if inst == nil || u.Roles[inst.Organization] == "" {
		return nil, upstream.Space{}, http.StatusNotFound, "Installation not found"
	}
	space, ok := h.spaceFor(u, spaceID)
	if !ok {
		return nil, upstream.Space{}, http.StatusNotFound, "Space not found"
	}
	if space.Organization != inst.Organization {
		return nil, upstream.Space{}, http.StatusBadRequest, "The space does not belong to the installation's organization"
	}
	if !space.Permissions.InstallIntegration {
		return nil, upstream.Space{}, http.StatusForbidden, "You do not have permission to install integrations on this space"
	}
	return inst, space, 0, ""
}

func spaceInstallation(inst *Installation, spaceID string) upstream.IntegrationSpaceInstallation {
	base := "https://api.gitbook.com/v1/integrations/" + inst.Integration + "/installations/" + inst.ID + "/spaces/" + spaceID
	return upstream.IntegrationSpaceInstallation{
		Integration:   inst.Integration,
		Installation:  inst.ID,
		Status:        upstream.IntegrationInstallationStatusActive,
		Configuration: json.RawMessage(`{}`),
		ExternalIDs:   []string{},
		URLs: upstream.IntegrationInstallationURLs{
			Location:              base,
			PublicEndpoint:        "https://integrations.gitbook.com/v1/integrations/" + inst.Integration + "/installations/" + inst.ID + "/spaces/" + spaceID,
			PublicContentEndpoint: "https://integrations.gitbook.com/v1/integrations/" + inst.Integration + "/installations/" + inst.ID + "/spaces/" + spaceID + "/content",
		},
		Space: upstream.SpaceRef{ID: spaceID},
	}
}

// spaceFor is the space as u sees it: absent unless u belongs to its organization.
func (h *Handler) spaceFor(u *User, id string) (upstream.Space, bool) {
	for _, s := range h.data.Spaces {
		if s.ID == id {
			role := u.Roles[s.Organization]
			if role == "" {
				return upstream.Space{}, false
			}
			s.Permissions = spacePermissions(role)
			s.Title += u.Label
			return s, true
		}
	}
	return upstream.Space{}, false
}

func (h *Handler) organizationFor(u *User, id string) (upstream.Organization, bool) {
	role := u.Roles[id]
	if role == "" {
		return upstream.Organization{}, false
	}
	o, ok := h.organization(id)
	if !ok {
		return upstream.Organization{}, false
	}
	o.Permissions = organizationPermissions(role)
	o.Title += u.Label
	return o, true
}

func (h *Handler) organization(id string) (upstream.Organization, bool) {
	for _, o := range h.data.Organizations {
		if o.ID == id {
			return o, true
		}
	}
	return upstream.Organization{}, false
}

// integrationFor is the integration as u sees it: public and unlisted ones
// to everyone, private ones to members of the owner. The owner is embedded
// whole, as the spec says.
func (h *Handler) integrationFor(u *User, name string) (upstream.Integration, bool) {
	for _, in := range h.data.Integrations {
		if in.Name != name {
			continue
		}
		role := u.Roles[in.Owner.ID]
		if in.Visibility == upstream.IntegrationVisibilityPrivate && role == "" {
			return upstream.Integration{}, false
		}
		owner, ok := h.organization(in.Owner.ID)
		if !ok {
			return upstream.Integration{}, false
		}
		owner.Permissions = upstream.OrganizationPermissions{}
		if role != "" {
			owner.Permissions = organizationPermissions(role)
		}
		owner.Title += u.Label
		in.Owner = owner
		in.Title += u.Label
		in.Permissions = upstream.IntegrationPermissions{Admin: role == upstream.MemberRoleAdmin}
		return in, true
	}
	return upstream.Integration{}, false
}

// installedOn lists the integrations enabled on a space, by name.
func (h *Handler) installedOn(spaceID string) []string {
	var names []string
	for i := range h.data.Installations {
		in := &h.data.Installations[i]
		if contains(h.enabledOn(in), spaceID) && !contains(names, in.Integration) {
			names = append(names, in.Integration)
		}
	}
	sort.Strings(names)
	return names
}

// enabledOn lists the spaces an installation is enabled on: those selected,
// or every space of its organization when it manages them all.
func (h *Handler) enabledOn(inst *Installation) []string {
	if !inst.AllSpaces {
		return inst.Spaces
	}
	var ids []string
	for _, s := range h.data.Spaces {
		if s.Organization == inst.Organization {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

func encodePage(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset)))
}

func decodePage(page string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(page)
	if err != nil {
		return 0, false
	}
	v, ok := strings.CutPrefix(string(raw), "offset:")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}

func contains(list []string, s string) bool { return index(list, s) >= 0 }

func index(list []string, s string) int {
	for i, e := range list {
		if e == s {
			return i
		}
	}
	return -1
}
