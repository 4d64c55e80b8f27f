package main

import (
	"slices"
	"strings"
	"testing"
)

// A server measured in rounds reports its median round, whole, with every
// round's req/s in the order measured.
func TestTheMedianRoundIsReported(t *testing.T) {
	round := func(rps, cpu float64) result {
		return result{Workload: "e", Server: serverFacade, Load: loadResult{RPS: rps}, CPUms: cpu}
	}
	got := median([]result{round(2400, 0.5), round(1800, 0.7), round(2100, 0.6)})
	if got.Load.RPS != 2100 || got.CPUms != 0.6 {
		t.Errorf("median: %.0f req/s at %.1f ms, want the 2100 req/s round", got.Load.RPS, got.CPUms)
	}
	if !slices.Equal(got.RoundsRPS, []float64{2400, 1800, 2100}) {
		t.Errorf("rounds: %v", got.RoundsRPS)
	}
	if row := got.row("title"); !strings.Contains(row, "| 2100 (2400, 1800, 2100) |") {
		t.Errorf("row: %s", row)
	}
	if one := median([]result{round(900, 1)}); one.RoundsRPS != nil || strings.Contains(one.row("t"), "(900") {
		t.Errorf("one round shows rounds: %+v", one)
	}
	if even := median([]result{round(3, 0), round(1, 0), round(2, 0), round(4, 0)}); even.Load.RPS != 2 {
		t.Errorf("median of four: %.0f, want the lower middle, 2", even.Load.RPS)
	}
}
