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

// The facade before and the facade take turns at being measured first in
// a round; the other servers keep their places.
func TestTheFacadeBeforeAlternatesWithTheFacade(t *testing.T) {
	servers := workloads()[0].servers()
	if servers[0] != serverBefore || servers[1] != serverFacade {
		t.Fatalf("servers: %v, want the facade before first, then the facade", servers)
	}
	for round, want := range [][]string{
		{serverBefore, serverFacade, serverNaive},
		{serverFacade, serverBefore, serverNaive},
		{serverBefore, serverFacade, serverNaive},
	} {
		got := roundOrder([]string{serverBefore, serverFacade, serverNaive}, round)
		if !slices.Equal(got, want) {
			t.Errorf("round %d: %v, want %v", round, got, want)
		}
	}
	if got := roundOrder([]string{serverFacade, serverTailcall}, 1); !slices.Equal(got, []string{serverFacade, serverTailcall}) {
		t.Errorf("without the facade before: %v", got)
	}
}

// The comparison with the facade before is of each one's median CPU per
// request over its rounds (not the CPU of its median round by req/s), with
// the ratios of the rounds measured side by side.
func TestTheFacadeIsComparedWithTheFacadeBeforeByMedianCPU(t *testing.T) {
	round := func(server string, rps, cpu float64) result {
		return result{Workload: "e", Server: server, Load: loadResult{RPS: rps}, CPUms: cpu, UpstreamCalls: 2}
	}
	before := median([]result{round(serverBefore, 2000, 0.50), round(serverBefore, 1900, 0.70), round(serverBefore, 2100, 0.60)})
	after := median([]result{round(serverFacade, 1800, 0.55), round(serverFacade, 2050, 0.77), round(serverFacade, 2000, 0.66)})
	rep := &report{Results: []result{before, after}}
	table := rep.againstBefore()
	// Medians: 0.60 and 0.66 (1.100×); paired 1.100, 1.100, 1.100.
	if !strings.Contains(table, "| (e) | 0 ms | 0.600 | 0.660 | 1.100× | 1.100× (1.100–1.100) | 33.3%, 33.3% | 2000 | 2000 | 1.000× | 2.00 | 2.00 |") {
		t.Errorf("table:\n%s", table)
	}
	if (&report{Results: []result{after}}).againstBefore() != "" {
		t.Error("a table without the facade before")
	}
}
