package httpapi

import (
	"bytes"
	"errors"
	"testing"
	"testing/iotest"
)

// readBody reads every body whole, announced or not, charging only what
// passes the uncharged part, and stops at the budget.
func TestReadBodyChargesOnlyPastTheUnchargedPart(t *testing.T) {
	for _, size := range []int{0, 200, UnchargedBodyBytes - 512, UnchargedBodyBytes, 100 << 10, 1 << 20} {
		body := bytes.Repeat([]byte("x"), size)
		for _, length := range []int64{int64(size), -1} {
			a := newAdmission(1, 4<<20, nil)
			data, held, err := a.readBody(iotest.HalfReader(bytes.NewReader(body)), length, 1<<20)
			if err != nil || !bytes.Equal(data, body) {
				t.Fatalf("%d bytes, length %d: %d bytes read, %v", size, length, len(data), err)
			}
			if size+512 <= UnchargedBodyBytes && held != 0 {
				t.Errorf("%d bytes, length %d: %d bytes charged", size, length, held)
			}
			if size > UnchargedBodyBytes && (held < int64(size-UnchargedBodyBytes) || held > 2*int64(size)) {
				t.Errorf("%d bytes, length %d: %d bytes charged", size, length, held)
			}
			a.release(held)
			if !a.bodyBytes.TryAcquire(4 << 20) {
				t.Errorf("%d bytes, length %d: not all given back", size, length)
			}
		}
	}

	a := newAdmission(1, 64<<10, nil)
	_, held, err := a.readBody(bytes.NewReader(make([]byte, 200<<10)), 200<<10, 1<<20)
	if !errors.Is(err, errOverloaded) || held <= 0 || held > 64<<10 {
		t.Errorf("past the budget: %v, %d held", err, held)
	}
}
