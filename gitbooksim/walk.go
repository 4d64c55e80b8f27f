package gitbooksim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gitbook-graphql/facade/upstream"
)

// The operations of the walk from a token: who it is, its organizations,
// their spaces and installations, the marketplace, an integration's
// installations and the spaces an installation is enabled on. Each list is
// paged as GitBook pages (limit, an opaque page token, next.page, count)
// and scoped by the caller's roles.

func (h *Handler) getUser(w http.ResponseWriter, _ *http.Request, u *User) {
	writeJSON(w, http.StatusOK, u.record())
}

// record is the user as getAuthenticatedUser answers it. A user the dataset
// gives no ID gets one derived from its token, never the token itself.
func (u *User) record() upstream.User {
	id := u.ID
	if id == "" {
		sum := sha256.Sum256([]byte(u.Token))
		id = "u-" + hex.EncodeToString(sum[:6])
	}
	name := u.DisplayName
	if name == "" {
		name = "User " + id
	}
	rec := upstream.User{Object: "user", ID: id, DisplayName: name + u.Label,
		URLs: upstream.UserURLs{Location: "https://api.gitbook.com/v1/users/" + id}}
	if u.Email != "" {
		rec.Email = &u.Email
	}
	if u.PhotoURL != "" {
		rec.PhotoURL = &u.PhotoURL
	}
	return rec
}

func (h *Handler) listOrganizations(w http.ResponseWriter, r *http.Request, u *User) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var orgs []upstream.Organization
	for _, o := range h.data.Organizations {
		if org, ok := h.organizationFor(u, o.ID); ok {
			orgs = append(orgs, org)
		}
	}
	writePage(w, r, h.opts, orgs)
}

func (h *Handler) listOrganizationSpaces(w http.ResponseWriter, r *http.Request, u *User) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	orgID := r.PathValue("organizationId")
	if !h.organizationVisible(w, u, orgID) {
		return
	}
	var spaces []upstream.Space
	for _, s := range h.data.Spaces {
		if s.Organization == orgID {
			if sp, ok := h.spaceFor(u, s.ID); ok {
				spaces = append(spaces, sp)
			}
		}
	}
	writePage(w, r, h.opts, spaces)
}

// organizationVisible answers GitBook's 404 unless u belongs to the
// organization, and says whether it does.
func (h *Handler) organizationVisible(w http.ResponseWriter, u *User, id string) bool {
	if _, ok := h.organizationFor(u, id); !ok {
		writeError(w, http.StatusNotFound, "Organization not found")
		return false
	}
	return true
}

type organizationInstallation struct {
	Installation upstream.IntegrationInstallation `json:"installation"`
	Integration  upstream.Integration             `json:"integration"`
}

func (h *Handler) listOrganizationInstallations(w http.ResponseWriter, r *http.Request, u *User) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	orgID := r.PathValue("organizationId")
	if !h.organizationVisible(w, u, orgID) {
		return
	}
	search := strings.ToLower(r.URL.Query().Get("search"))
	var items []organizationInstallation
	for i := range h.data.Installations {
		inst := &h.data.Installations[i]
		if inst.Organization != orgID {
			continue
		}
		in, ok := h.integrationFor(u, inst.Integration)
		if !ok || !matches(in, search) {
			continue
		}
		items = append(items, organizationInstallation{Installation: h.installationRecord(inst), Integration: in})
	}
	writePage(w, r, h.opts, items)
}

func matches(in upstream.Integration, search string) bool {
	return search == "" || strings.Contains(strings.ToLower(in.Name), search) || strings.Contains(strings.ToLower(in.Title), search)
}

// listIntegrations is the marketplace: public integrations, and the private
// ones of the caller's organizations, filtered as GitBook filters.
func (h *Handler) listIntegrations(w http.ResponseWriter, r *http.Request, u *User) {
	q := r.URL.Query()
	keep, msg := marketplaceFilter(q)
	if keep == nil {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	var items []upstream.Integration
	for _, rec := range h.data.Integrations {
		if rec.Visibility == upstream.IntegrationVisibilityUnlisted {
			continue
		}
		in, ok := h.integrationFor(u, rec.Name)
		if ok && keep(in) {
			items = append(items, in)
		}
	}
	writePage(w, r, h.opts, items)
}

// marketplaceFilter reads listIntegrations' filters into one test, or says
// why a filter is refused.
func marketplaceFilter(q url.Values) (func(upstream.Integration) bool, string) {
	var tests []func(upstream.Integration) bool
	if s := strings.ToLower(q.Get("search")); s != "" {
		tests = append(tests, func(in upstream.Integration) bool { return matches(in, s) })
	}
	if c := q.Get("category"); c != "" {
		if !slices.Contains(upstream.IntegrationCategoryValues, upstream.IntegrationCategory(c)) {
			return nil, "Invalid category"
		}
		tests = append(tests, func(in upstream.Integration) bool {
			return slices.Contains(in.Categories, upstream.IntegrationCategory(c))
		})
	}
	if s := q.Get("scope"); s != "" {
		if !slices.Contains(upstream.IntegrationScopeValues, upstream.IntegrationScope(s)) {
			return nil, "Invalid scope"
		}
		tests = append(tests, func(in upstream.Integration) bool { return slices.Contains(in.Scopes, upstream.IntegrationScope(s)) })
	}
	if t := q.Get("target"); t != "" {
		if !slices.Contains(upstream.IntegrationTargetValues, upstream.IntegrationTarget(t)) {
			return nil, "Invalid target"
		}
		tests = append(tests, func(in upstream.Integration) bool {
			return in.Target == upstream.IntegrationTarget(t) || in.Target == upstream.IntegrationTargetAll
		})
	}
	if o := q.Get("owner"); o != "" {
		tests = append(tests, func(in upstream.Integration) bool { return in.Owner.ID == o })
	}
	if d := q.Get("blockDomain"); d != "" {
		if upstream.ValidateBlockDomain(d) != nil {
			return nil, "Invalid blockDomain"
		}
		tests = append(tests, func(in upstream.Integration) bool { return unfurls(in, d) })
	}
	for _, name := range []string{"blocks", "contentSources"} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		want, err := strconv.ParseBool(v)
		if err != nil {
			return nil, "Invalid " + name
		}
		has := func(in upstream.Integration) bool { return len(in.Blocks) > 0 }
		if name == "contentSources" {
			has = func(in upstream.Integration) bool { return len(in.ContentSources) > 0 }
		}
		tests = append(tests, func(in upstream.Integration) bool { return has(in) == want })
	}
	return func(in upstream.Integration) bool {
		for _, t := range tests {
			if !t(in) {
				return false
			}
		}
		return true
	}, ""
}

// unfurls says whether one of the integration's blocks unfurls links of
// domain (or of a subdomain of it).
func unfurls(in upstream.Integration, domain string) bool {
	for _, b := range in.Blocks {
		for _, pattern := range b.URLUnfurl {
			u, err := url.Parse(strings.ReplaceAll(pattern, "*.", "wildcard."))
			if err != nil {
				continue
			}
			host := strings.TrimPrefix(u.Hostname(), "wildcard.")
			if host == domain || strings.HasSuffix(host, "."+domain) {
				return true
			}
		}
	}
	return false
}

// listIntegrationInstallations answers the integration's owner alone, as
// GitBook does: an administrator of the organization that publishes it.
func (h *Handler) listIntegrationInstallations(w http.ResponseWriter, r *http.Request, u *User) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	in, ok := h.integrationFor(u, r.PathValue("integrationName"))
	if !ok {
		writeError(w, http.StatusNotFound, "Integration not found")
		return
	}
	if u.Roles[in.Owner.ID] != upstream.MemberRoleAdmin {
		writeError(w, http.StatusForbidden, "You do not have permission to list the installations of this integration")
		return
	}
	externalID := r.URL.Query().Get("externalId")
	var items []upstream.IntegrationInstallation
	for i := range h.data.Installations {
		inst := &h.data.Installations[i]
		if inst.Integration == in.Name && (externalID == "" || contains(inst.ExternalIDs, externalID)) {
			items = append(items, h.installationRecord(inst))
		}
	}
	writePage(w, r, h.opts, items)
}

func (h *Handler) getInstallation(w http.ResponseWriter, r *http.Request, u *User) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	inst, ok := h.visibleInstallation(u, r.PathValue("integrationName"), r.PathValue("installationId"))
	if !ok {
		writeError(w, http.StatusNotFound, "Installation not found")
		return
	}
	writeJSON(w, http.StatusOK, h.installationRecord(inst))
}

func (h *Handler) listInstallationSpaces(w http.ResponseWriter, r *http.Request, u *User) {
	extended := false
	if v := r.URL.Query().Get("extended"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "Invalid extended")
			return
		}
		extended = b
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	inst, ok := h.visibleInstallation(u, r.PathValue("integrationName"), r.PathValue("installationId"))
	if !ok {
		writeError(w, http.StatusNotFound, "Installation not found")
		return
	}
	var items []upstream.IntegrationSpaceInstallation
	for _, id := range h.enabledOn(inst) {
		s, ok := h.spaceFor(u, id)
		if !ok {
			continue
		}
		item := spaceInstallation(inst, id)
		if extended {
			item.Space = upstream.SpaceRef{ID: id, Space: &s}
		}
		items = append(items, item)
	}
	writePage(w, r, h.opts, items)
}

// visibleInstallation finds an installation that u may read: one of an
// organization u belongs to, or any of an integration u's organization
// publishes.
func (h *Handler) visibleInstallation(u *User, integration, id string) (*Installation, bool) {
	in, ok := h.integrationFor(u, integration)
	if !ok {
		return nil, false
	}
	for i := range h.data.Installations {
		inst := &h.data.Installations[i]
		if inst.ID == id && inst.Integration == integration {
			if u.Roles[inst.Organization] != "" || u.Roles[in.Owner.ID] == upstream.MemberRoleAdmin {
				return inst, true
			}
		}
	}
	return nil, false
}

var installationEpoch = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)

// installationRecord is an installation as GitBook answers it.
func (h *Handler) installationRecord(inst *Installation) upstream.IntegrationInstallation {
	base := "https://api.gitbook.com/v1/integrations/" + inst.Integration + "/installations/" + inst.ID
	public := "https://integrations.gitbook.com/v1/integrations/" + inst.Integration + "/installations/" + inst.ID
	content := public + "/content"
	status := inst.Status
	if status == "" {
		status = upstream.IntegrationInstallationStatusActive
	}
	selection := upstream.IntegrationInstallationSpaceSelectionSelected
	if inst.AllSpaces {
		selection = upstream.IntegrationInstallationSpaceSelectionAll
	}
	count := float64(len(h.enabledOn(inst)))
	config := inst.Configuration
	if len(config) == 0 {
		config = json.RawMessage(`{}`)
	}
	return upstream.IntegrationInstallation{
		ID: inst.ID, Status: status, SpaceSelection: selection,
		SiteSelection: upstream.IntegrationInstallationSiteSelectionSelected,
		Spaces:        &count, Configuration: config,
		CreatedAt: installationEpoch, UpdatedAt: installationEpoch,
		URLs: upstream.IntegrationInstallationAppURLs{
			Location: base, App: "https://app.gitbook.com/o/" + inst.Organization + "/integrations/" + inst.Integration,
			PublicEndpoint: public, PublicContentEndpoint: &content,
		},
		ExternalIDs: append([]string{}, inst.ExternalIDs...),
		Target:      upstream.IntegrationInstallationTarget{Organization: inst.Organization},
	}
}

// writePage answers one page of all, as the request's limit and page say.
func writePage[T any](w http.ResponseWriter, r *http.Request, opts Options, all []T) {
	limit := opts.DefaultPageSize
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > upstream.MaxListLimit {
			writeError(w, http.StatusBadRequest, "limit must be a number between 0 and 1000")
			return
		}
		limit = n
	}
	limit = min(limit, opts.MaxPageSize)
	offset := 0
	if page := r.URL.Query().Get("page"); page != "" {
		n, ok := decodePage(page)
		if !ok {
			writeError(w, http.StatusBadRequest, "Invalid page")
			return
		}
		offset = n
	}
	count := float64(len(all))
	answer := struct {
		upstream.List
		Items []T `json:"items"`
	}{upstream.List{Count: &count}, []T{}}
	if offset < len(all) {
		end := min(offset+limit, len(all))
		answer.Items = all[offset:end]
		if end < len(all) {
			answer.Next = &upstream.ListNext{Page: encodePage(end)}
		}
	}
	writeJSON(w, http.StatusOK, answer)
}
