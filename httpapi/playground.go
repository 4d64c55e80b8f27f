package httpapi

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/http"
	"regexp"
	"strings"

	"github.com/99designs/gqlgen/graphql/playground"
)

// The playground's assets, from npm (scripts/update-playground-assets.sh):
// the versions gqlgen's playground loads from a CDN by default, served from
// the binary so that the playground works offline and under a strict CSP.
//
//go:embed playground
var playgroundFiles embed.FS

// The assets' Subresource Integrity hashes, checked by the fetch script and
// by the browser.
const (
	graphiqlJSSRI  = "sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs="
	graphiqlCSSSRI = "sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU="
	reactSRI       = "sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY="
	reactDOMSRI    = "sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc="
)

// playgroundAssets serves the embedded files under /playground/.
func playgroundAssets() http.Handler {
	files, err := fs.Sub(playgroundFiles, "playground")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	server := http.StripPrefix("/playground/", http.FileServerFS(files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		server.ServeHTTP(w, r)
	})
}

// playgroundHandler serves gqlgen's GraphiQL page over the embedded assets,
// with a Content-Security-Policy that allows scripts from this origin and
// the page's own inline script, by hash, and nothing from elsewhere. The
// headers editor sends whatever Authorization the caller puts in it, and
// keeps it only for the page's life: gqlgen's page has GraphiQL persist
// headers in the browser's storage, where a pasted token would outlive the
// tab, so that is turned off (GraphiQL's settings let a user turn it on).
func playgroundHandler() http.Handler {
	page := renderPlayground(playground.Handler("GitBook GraphQL", "/graphql",
		playground.WithGraphiqlVersion("/playground/graphiql.min.js", "/playground/graphiql.min.css", graphiqlJSSRI, graphiqlCSSSRI),
		playground.WithGraphiqlReactVersion("/playground/react.production.min.js", "/playground/react-dom.production.min.js", reactSRI, reactDOMSRI),
		playground.WithStoragePrefix("gitbook-graphql:"),
	))
	page = forgetHeaders(page)
	page = openOn(page, PlaygroundQuery)
	csp := strings.Join([]string{
		"default-src 'self'",
		"script-src 'self' " + strings.Join(inlineScriptHashes(page), " "),
		"style-src 'self' 'unsafe-inline'", // GraphiQL sets styles at run time
		"img-src 'self' data:",
		"font-src 'self' data:",
		"connect-src 'self'",
		"worker-src 'self' blob:",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(page)
	})
}

var persistHeaders = []byte("shouldPersistHeaders: true,")

// forgetHeaders turns GraphiQL's persisting of headers off in the page; a
// page that no longer says it (a gqlgen upgrade) fails at start rather than
// keep tokens unnoticed.
func forgetHeaders(page []byte) []byte {
	if bytes.Count(page, persistHeaders) != 1 {
		panic("httpapi: gqlgen's playground no longer sets shouldPersistHeaders as expected")
	}
	return bytes.Replace(page, persistHeaders, []byte("shouldPersistHeaders: false,"), 1)
}

// PlaygroundQuery is what the playground opens on, for a first visit:
// a walk from the caller's token, which needs no id from elsewhere.
//
//go:embed playground_query.graphql
var PlaygroundQuery string

// openOn gives GraphiQL its defaultQuery (its editor's text when it has
// none stored), which gqlgen's page has no option for: next to the
// headers setting forgetHeaders made.
func openOn(page []byte, query string) []byte {
	forgotten := []byte("shouldPersistHeaders: false,")
	if bytes.Count(page, forgotten) != 1 {
		panic("httpapi: the playground page has no headers setting to put the default query beside")
	}
	// A JSON string is a JavaScript string literal, and json.Marshal
	// escapes <, > and & (no "</script>" can end the script early).
	quoted, _ := json.Marshal(query)
	return bytes.Replace(page, forgotten, append(append([]byte("shouldPersistHeaders: false,\n          defaultQuery: "), quoted...), ','), 1)
}

// renderPlayground renders gqlgen's page once: it does not change.
func renderPlayground(h http.Handler) []byte {
	var w pageWriter
	h.ServeHTTP(&w, &http.Request{Method: http.MethodGet})
	return w.body.Bytes()
}

type pageWriter struct {
	header http.Header
	body   bytes.Buffer
}

func (p *pageWriter) Header() http.Header {
	if p.header == nil {
		p.header = http.Header{}
	}
	return p.header
}
func (p *pageWriter) Write(b []byte) (int, error) { return p.body.Write(b) }
func (p *pageWriter) WriteHeader(int)             {}

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// inlineScriptHashes lists the CSP hash sources of the page's inline scripts.
func inlineScriptHashes(page []byte) []string {
	var hashes []string
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[1])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return hashes
}
