package httpapi

import "mime"

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
