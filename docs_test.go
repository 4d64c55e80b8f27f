package main

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	codeBlock    = regexp.MustCompile("(?ms)^```.*?^```")
	markdownLink = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)\)`)
	heading      = regexp.MustCompile(`(?m)^#+ +(.+)$`)
	notInSlug    = regexp.MustCompile(`[^\p{L}\p{N} _-]`)
)

// Every link from one of the repository's Markdown pages to another file
// of it reaches that file, and the heading its #fragment names: pages
// moved to docs/ and headings renamed break no link.
func TestDocumentationLinksResolve(t *testing.T) {
	anchors := map[string]map[string]bool{} // page → its headings' anchors
	pages := map[string]string{}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && p != "." {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			raw, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			text := codeBlock.ReplaceAllString(string(raw), "")
			pages[p], anchors[p] = text, headingAnchors(text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 5 {
		t.Fatalf("read %d Markdown pages", len(pages))
	}
	for page, text := range pages {
		for _, m := range markdownLink.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, fragment, _ := strings.Cut(target, "#")
			if file == "" {
				file = page
			} else {
				file = path.Join(path.Dir(filepath.ToSlash(page)), file)
			}
			if _, err := os.Stat(file); err != nil {
				t.Errorf("%s: link to %s: no such file", page, target)
				continue
			}
			if fragment != "" && strings.HasSuffix(file, ".md") && !anchors[file][fragment] {
				t.Errorf("%s: link to %s: %s has no such heading", page, target, file)
			}
		}
	}
}

// headingAnchors are the anchors GitHub gives text's headings: lower case,
// punctuation dropped, spaces made dashes, and -1, -2… after a repeat.
func headingAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, m := range heading.FindAllStringSubmatch(text, -1) {
		slug := strings.ReplaceAll(notInSlug.ReplaceAllString(strings.ToLower(strings.TrimSpace(m[1])), ""), " ", "-")
		if n := seen[slug]; n > 0 {
			anchors[slug+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[slug] = true
		}
		seen[slug]++
	}
	return anchors
}
