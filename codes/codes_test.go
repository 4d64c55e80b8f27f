package codes_test

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/gitbook-graphql/facade/codes"
)

// The README's table of errors and the codes the facade gives are the same
// list, in the same order.
func TestTheReadmeTableListsEveryCode(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var table []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\|").FindAllSubmatch(readme, -1) {
		table = append(table, string(m[1]))
	}
	if !slices.Equal(table, codes.Facade) {
		t.Errorf("the README's table lists\n%v\nthe codes package\n%v", table, codes.Facade)
	}
}
