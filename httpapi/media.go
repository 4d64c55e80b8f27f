package httpapi

import (
	"mime"
	"strconv"
	"strings"
)

// parseMedia is mime.ParseMediaType, answered without it for a bare,
// lower-case type such as "application/json": what clients send in
// Content-Type and Accept on nearly every request, where the parser would
// allocate a map and a lower-cased copy each time.
func parseMedia(v string) (mediaType string, params map[string]string, err error) {
	if isBareMediaType(v) {
		return v, nil, nil
	}
	return mime.ParseMediaType(v)
}

// isBareMediaType says whether v is type/subtype in lower case, of the
// characters registered media types use, with nothing around it.
func isBareMediaType(v string) bool {
	slash := -1
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '+', c == '-':
		case c == '/' && slash < 0:
			slash = i
		default:
			return false
		}
	}
	return slash > 0 && slash < len(v)-1
}

// Media types of GraphQL over HTTP, and of @defer's parts.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaMultipart       = "multipart/mixed"
)

// responseMedia picks the response's media type from Accept: the GraphQL
// response type when the caller lists it, else application/json (also for
// */*, none, or only types we do not speak).
func responseMedia(accept string) string {
	best, bestQ := mediaJSON, -1.0
	for _, part := range strings.Split(accept, ",") {
		mediaType, params, err := parseMedia(strings.TrimSpace(part))
		if err != nil || (mediaType != mediaJSON && mediaType != mediaGraphQLResponse) {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if parsed, err := strconv.ParseFloat(v, 64); err == nil {
				q = parsed
			}
		}
		if q > 0 && (q > bestQ || q == bestQ && mediaType == mediaGraphQLResponse) {
			best, bestQ = mediaType, q
		}
	}
	return best
}

// accepts says whether an Accept header names media (parameters aside).
func accepts(accept, media string) bool {
	for _, part := range strings.Split(accept, ",") {
		if mediaType, _, err := parseMedia(strings.TrimSpace(part)); err == nil && mediaType == media {
			return true
		}
	}
	return false
}
