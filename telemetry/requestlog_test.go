package telemetry

import (
	"testing"
)

func TestRequestIDs(t *testing.T) {
	for id, ok := range map[string]bool{"abc-123_x.y": true, "": false, "has space": false, "a\nb": false, string(make([]byte, 129)): false} {
		if wellFormedRequestID(id) != ok {
			t.Errorf("wellFormedRequestID(%q) = %v", id, !ok)
		}
	}
	if a, b := newRequestID(), newRequestID(); a == b || len(a) != 32 {
		t.Errorf("generated ids %q, %q", a, b)
	}
}
