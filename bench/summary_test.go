package main

import (
	"encoding/json"
	"os"
	"testing"
)

// docs/benchmark.md's summary of the benchmark is the one the committed
// run wrote: bench/run.sh rewrites it from that run, and nothing else does.
func TestTheBenchmarkPageSummarisesTheCommittedRun(t *testing.T) {
	raw, err := os.ReadFile("results/latest.json")
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../docs/benchmark.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := withSummary(string(doc), &rep)
	if err != nil {
		t.Fatal(err)
	}
	if want != string(doc) {
		t.Error("docs/benchmark.md's bench summary is not the one bench/results/latest.json gives; run bench/run.sh (it rewrites both)")
	}
}
