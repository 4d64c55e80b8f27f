package trusted

import (
	"strconv"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
)

// appendTokens appends src's tokens to dst, one space between each, as
// gqlparser's lexer reads them: blanks, commas and comments, which GraphQL
// ignores, are gone, so two texts that differ in them alone give the same
// bytes. Punctuators, names and numbers are written as they are; strings
// (block strings too) quoted, so that no two token sequences give the same
// bytes. It stops, false, past limit tokens (0: no limit), comments counted
// as the parser counts them, or at a lexical error.
func appendTokens(dst []byte, src string, limit int) ([]byte, bool) {
	lex := lexer.New(&ast.Source{Input: src})
	for n := 0; ; n++ {
		tok, err := lex.ReadToken()
		if err != nil {
			return dst, false
		}
		if tok.Kind == lexer.EOF {
			return dst, true
		}
		if limit > 0 && n >= limit {
			return dst, false
		}
		if tok.Kind == lexer.Comment {
			continue
		}
		if len(dst) > 0 {
			dst = append(dst, ' ')
		}
		switch tok.Kind {
		case lexer.Name, lexer.Int, lexer.Float:
			dst = append(dst, tok.Value...)
		case lexer.String, lexer.BlockString:
			dst = strconv.AppendQuote(dst, tok.Value)
		default:
			dst = append(dst, tok.Kind.String()...)
		}
	}
}

// tokenBuffers keep the buffers ByText lexes callers' texts into.
var tokenBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}
