package engine

import (
	"context"
	"math"
	"reflect"
	"runtime"
	"testing"
)

func mmcExperiment(workers int) Experiment {
	return Experiment{
		Seed: 11, From: 0, To: 8, Workers: workers, Horizon: 2000, Warmup: 100, Trace: true, SampleEvery: 50,
		Build: MMc{C: 3, Lambda: 2.4, Mu: 1}.Build,
	}
}

func collect(t *testing.T, e Experiment) []RepResult {
	t.Helper()
	var out []RepResult
	if err := e.Run(context.Background(), func(r RepResult) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// Results must not depend on the number of workers or GOMAXPROCS.
func TestExperimentIndependentOfWorkers(t *testing.T) {
	a := collect(t, mmcExperiment(1))
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	b := collect(t, mmcExperiment(0))
	c := collect(t, mmcExperiment(5))
	for i := range a {
		if a[i].Replication != i {
			t.Fatalf("result %d is replication %d: not in order", i, a[i].Replication)
		}
	}
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(a, c) {
		t.Fatal("results differ between worker counts")
	}
}

// A shard of replications gives the same per-replication results as the whole.
func TestExperimentShardsMatch(t *testing.T) {
	whole := collect(t, mmcExperiment(2))
	var parts []RepResult
	for _, r := range [][2]int{{0, 3}, {3, 5}, {5, 8}} {
		e := mmcExperiment(2)
		e.From, e.To = r[0], r[1]
		parts = append(parts, collect(t, e)...)
	}
	if !reflect.DeepEqual(whole, parts) {
		t.Fatal("sharded replications differ from the whole run")
	}
}

func TestExperimentErrorsNameReplication(t *testing.T) {
	e := Experiment{From: 0, To: 4, Build: func(s *Sim) error {
		if s.Replication() == 2 {
			panic("boom")
		}
		return nil
	}}
	err := e.Run(context.Background(), func(RepResult) error { return nil })
	if err == nil || err.Error() != "replication 2: model panicked: boom" {
		t.Fatalf("got %v", err)
	}
}

func TestSummaries(t *testing.T) {
	reps := []RepResult{
		{KPIs: []KPIValue{{Name: "a", Value: 1}, {Name: "b", Value: math.NaN()}}},
		{KPIs: []KPIValue{{Name: "a", Value: 3}, {Name: "b", Value: 2}}},
	}
	s := Summaries(reps, 0.95)
	if s[0].Name != "a" || s[0].Mean != 2 || s[0].N != 2 || s[1].N != 1 {
		t.Fatalf("%+v", s)
	}
}

// Replications that report their KPIs in different orders, or not all of
// them, are summarised by name: the means below are worked out by hand.
func TestSummariesKPIsInAnyOrder(t *testing.T) {
	reps := []RepResult{
		{KPIs: []KPIValue{{Name: "a", Value: 1}, {Name: "b", Value: 10}}},
		{KPIs: []KPIValue{{Name: "b", Value: 20}, {Name: "a", Value: 3}}},
		{KPIs: []KPIValue{{Name: "c", Value: 7}, {Name: "a", Value: 5}}},
		{KPIs: []KPIValue{{Name: "a", Value: 7}}},
	}
	s := Summaries(reps, 0.95)
	want := []struct {
		name string
		mean float64
		n    int
	}{{"a", 4, 4}, {"b", 15, 2}, {"c", 7, 1}}
	if len(s) != len(want) {
		t.Fatalf("%d summaries, want %d: %+v", len(s), len(want), s)
	}
	for i, w := range want {
		if s[i].Name != w.name || s[i].Mean != w.mean || s[i].N != w.n {
			t.Errorf("summary %d: %s mean %g n %d, want %s mean %g n %d", i, s[i].Name, s[i].Mean, s[i].N, w.name, w.mean, w.n)
		}
	}
}

// Run emits from its workers: one call at a time, in replication order, and a
// panic in emit reaches the caller of Run as it did when Run emitted itself.
func TestExperimentEmitsOneAtATimeInOrder(t *testing.T) {
	e := Experiment{Seed: 1, From: 3, To: 200, Workers: 4, Horizon: 10, Build: func(s *Sim) error { return nil }}
	var inEmit, next = 0, 3
	err := e.Run(context.Background(), func(r RepResult) error {
		inEmit++
		if inEmit != 1 {
			t.Errorf("emit called while another call runs")
		}
		if r.Replication != next {
			t.Errorf("emitted replication %d, want %d", r.Replication, next)
		}
		next++
		runtime.Gosched()
		inEmit--
		return nil
	})
	if err != nil || next != 200 {
		t.Fatalf("emitted up to %d, err %v", next, err)
	}
	defer func() {
		if p := recover(); p != "boom" {
			t.Fatalf("Run panicked with %v, want emit's panic", p)
		}
	}()
	e.Run(context.Background(), func(r RepResult) error {
		if r.Replication == 50 {
			panic("boom")
		}
		return nil
	})
	t.Fatal("Run returned after emit panicked")
}
