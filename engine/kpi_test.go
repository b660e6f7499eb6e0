package engine

import "testing"

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
