package main

import (
	"encoding/json"
	"os"
	"testing"
)

// The README's summary of the benchmark is the one the committed run
// wrote: bench/run.sh rewrites it from that run, and nothing else does.
func TestTheReadmeSummarisesTheCommittedRun(t *testing.T) {
	raw, err := os.ReadFile("results/latest.json")
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := withSummary(string(readme), &rep)
	if err != nil {
		t.Fatal(err)
	}
	if want != string(readme) {
		t.Error("the README's bench summary is not the one bench/results/latest.json gives; run bench/run.sh (it rewrites both)")
	}
}
