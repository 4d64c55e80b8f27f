package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/gitbook-graphql/facade/httpapi"
)

// The playground opens on a walk from the caller's token: a query valid
// against the served schema, in the page, that the demo answers whole.
func TestPlaygroundOpensOnAWalkFromTheToken(t *testing.T) {
	if _, err := gqlparser.LoadQueryWithRules(httpapi.Schema(), httpapi.PlaygroundQuery, nil); err != nil {
		t.Fatalf("the playground's query does not validate: %v", err)
	}
	f := newFacade(t, setup{})
	page := string(f.do(t, "", get("/")).body)
	quoted, _ := json.Marshal(httpapi.PlaygroundQuery)
	if !strings.Contains(page, "defaultQuery: "+string(quoted)+",") {
		t.Fatalf("the page does not open on the query:\n%s", page)
	}
	r := f.do(t, httpapi.PlaygroundQuery)
	var got struct {
		Viewer        struct{ ID string }
		Organizations struct {
			Nodes []struct {
				Spaces        struct{ Nodes []struct{ ID string } }
				Installations struct {
					Nodes []struct{ Integration struct{ Name string } }
				}
			}
		}
	}
	r.decode(t, &got)
	if got.Viewer.ID == "" || len(got.Organizations.Nodes) == 0 || len(got.Organizations.Nodes[0].Spaces.Nodes) == 0 ||
		len(got.Organizations.Nodes[0].Installations.Nodes) == 0 || got.Organizations.Nodes[0].Installations.Nodes[0].Integration.Name == "" {
		t.Errorf("the demo's answer to it: %s", r.Data)
	}
}
