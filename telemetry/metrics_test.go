package telemetry

import (
	"fmt"
	"testing"
)

func TestOperationLabelsAreBounded(t *testing.T) {
	b := &boundedNames{max: 3, seen: map[string]bool{}}
	for name, want := range map[string]string{"": "anonymous", "has space": "other", "x.y": "other", "A": "A"} {
		if got := b.label(name); got != want {
			t.Errorf("label(%q) = %q, want %q", name, got, want)
		}
	}
	for i := range 10 {
		b.label(fmt.Sprintf("Op%d", i))
	}
	if got := b.label("Op9"); got != "other" {
		t.Errorf("past the bound, a new name is %q", got)
	}
	if got := b.label("A"); got != "A" {
		t.Errorf("a name seen before the bound is %q", got)
	}
}
