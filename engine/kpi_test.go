package engine

import (
	"fmt"
	"testing"
)

// Issue 17 item 2: a counter never incremented in a replication is 0 there, not
// missing: a coin that landed heads in replications 0 and 2 of 4 has a mean of
// 0.5 heads over 4 replications (before the fix: 1 over 2). A tally without
// observations stays missing (its mean is undefined).
func TestCountersMissingFromAReplicationAreZero(t *testing.T) {
	heads := KPIValue{Name: "heads", Kind: KindCounter, Value: 1, N: 1}
	wait := KPIValue{Name: "wait", Kind: KindTally, Value: 2, N: 1}
	reps := []RepResult{
		{Replication: 0, KPIs: []KPIValue{wait, heads}},
		{Replication: 1, KPIs: []KPIValue{}},
		{Replication: 2, KPIs: []KPIValue{heads}},
		{Replication: 3, KPIs: []KPIValue{wait}},
	}
	s := Summaries(reps, 0.95)
	if len(s) != 2 || s[1].Name != "heads" || s[1].Mean != 0.5 || s[1].N != 4 {
		t.Fatalf("heads summary %+v, want mean 0.5 over 4 replications", s)
	}
	if s[0].Name != "wait" || s[0].N != 2 {
		t.Fatalf("wait summary %+v, want 2 replications", s[0])
	}
	before := reps[1].KPIs
	full := CompleteCounters(reps)
	if len(reps[1].KPIs) != 0 || len(before) != 0 {
		t.Fatal("CompleteCounters changed its input")
	}
	for i, r := range full {
		var got float64 = -1
		for _, k := range r.KPIs {
			if k.Name == "heads" {
				got = k.Value
			}
		}
		if want := float64(1 - i%2); got != want || r.Replication != i {
			t.Errorf("replication %d: heads = %v, want %v", i, got, want)
		}
	}
}

// KPIs are found by name by a walk up to kpiLinear of them and by a map beyond:
// every one stays the same KPI (its memory does not move when more are
// made), is found by its name, and keeps its kind, across the change.
func TestKPIsFoundByNameBeyondTheWalk(t *testing.T) {
	s := New(Options{})
	var made []*KPI
	for i := range 3*kpiLinear + 5 {
		k, err := s.KPI(fmt.Sprintf("k%d", i), KPIKind(i%4))
		if err != nil {
			t.Fatal(err)
		}
		k.Add(float64(i))
		made = append(made, k)
		for j, want := range made {
			got, err := s.KPI(fmt.Sprintf("k%d", j), KPIKind(j%4))
			if err != nil || got != want {
				t.Fatalf("after %d KPIs: k%d is %p (%v), want %p", i+1, j, got, err, want)
			}
		}
		if _, err := s.KPI("k0", KindCounter); err == nil {
			t.Fatalf("after %d KPIs: k0 (a tally) asked for as a counter: no error", i+1)
		}
	}
	for i, k := range made {
		if k.Name != fmt.Sprintf("k%d", i) || k.Kind != KPIKind(i%4) {
			t.Errorf("KPI %d became %s (%s)", i, k.Name, k.Kind)
		}
	}
	res := s.Results()
	if len(res) != len(made)+1 {
		t.Fatalf("%d results, want %d", len(res), len(made)+1)
	}
	for i, r := range res[:len(made)] {
		if r.Name != made[i].Name || (r.Kind != KindGauge && r.Value != float64(i)) {
			t.Errorf("result %d: %+v", i, r)
		}
	}
}
