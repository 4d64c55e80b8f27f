package httpapi

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// The lexing pass must refuse what the parser's own token limit refuses and
// nothing the parser accepts (a document it refuses for its syntax may be
// refused for its length first).
func TestExceedsTokensAgreesWithTheParser(t *testing.T) {
	const limit = 12
	docs := []string{
		"{ a b c d e f g h i j }",             // 12 tokens
		"{ a b c d e f g h i j k }",           // 13
		"# one\n{ a b c d e f g h i }",        // a comment counts: 12
		"# one\n# two\n{ a b c d e f g h i }", // 13
		`{ a(x: "s", y: [1, 2.5]) }`,          // 14
		`{ a(x: """block""") b c d }`,         // 10
		"{ a b c d e f g h i j ",              // 11, unterminated
		"{ a ? b c d e f g h i j k l m }",     // a lexical error first
		strings.Repeat("{", 13),
	}
	for _, doc := range docs {
		_, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: doc}, limit)
		tooLong := err != nil && strings.Contains(err.Error(), "exceeded token limit")
		got := exceedsTokens(doc, limit)
		if tooLong && !got || got && err == nil {
			t.Errorf("%q: exceedsTokens %v, the parser: %v", doc, got, err)
		}
	}
}
