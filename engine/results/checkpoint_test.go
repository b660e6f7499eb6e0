package results

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
)

func checkpointRun(t *testing.T, dir string, sched Schedule, resume bool, from, to, stopAfter int) (start int, files []string) {
	t.Helper()
	prov := Provenance{Version: "test", Scenario: "mmc", Seed: 3, From: 0, To: 10, Total: 10,
		Params: map[string]string{"c": "2", "lambda": "1.5"}}
	cp := &Checkpoint{Dir: dir, Prov: prov, Events: true, Series: true, Schedule: sched}
	start = cp.Start(resume)
	e := engine.Experiment{Seed: 3, From: start, To: to, Horizon: 500, Trace: true, SampleEvery: 25,
		Build: mmcWithFlow}
	n := 0
	err := e.Run(context.Background(), func(r engine.RepResult) error {
		if n == stopAfter {
			return context.Canceled // a kill: nothing more is written
		}
		n++
		return cp.Add(r)
	})
	if stopAfter >= 0 {
		if err == nil {
			t.Fatal("the run was not stopped")
		}
		return start, nil
	}
	if err != nil {
		t.Fatal(err)
	}
	files, err = cp.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return start, files
}

func groups(t *testing.T, dir string) []string {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(dir, ".parts"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func sameFiles(t *testing.T, a, b, what string) {
	t.Helper()
	for _, name := range []string{"kpis.arrow", "events.arrow", "timeseries.arrow", "summary.arrow", "flow.arrow", "waits.arrow"} {
		x, err1 := os.ReadFile(filepath.Join(a, name))
		y, err2 := os.ReadFile(filepath.Join(b, name))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s: %s differs", what, name)
		}
	}
}

// Issue 25: checkpoints in groups of 4, off, or one per replication give the
// same bytes as a plain RunWriter; a run killed after 6 replications keeps the
// one whole group (0-3) and resumes from 4.
func TestGroupedCheckpoints(t *testing.T) {
	ref := t.TempDir()
	writeRun(t, ref, 0, 10) // one RunWriter, no checkpoint
	for _, sched := range []Schedule{{Off: true}, {Every: 1}, {Every: 3}, {Interval: time.Hour}, {Interval: time.Nanosecond}} {
		dir := t.TempDir()
		checkpointRun(t, dir, sched, false, 0, 10, -1)
		sameFiles(t, dir, ref, "--checkpoint "+sched.String()+" vs a plain run")
		if _, err := os.Stat(filepath.Join(dir, ".parts")); err == nil {
			t.Errorf("--checkpoint %s: .parts left after the run", sched)
		}
	}

	dir := t.TempDir()
	checkpointRun(t, dir, Schedule{Every: 4}, false, 0, 10, 6)
	if g := groups(t, dir); len(g) != 1 || g[0] != "rep-000000-000004" {
		t.Fatalf("after a kill at 6 replications in groups of 4: groups %v, want [rep-000000-000004]", g)
	}
	// a half-written group and another run's group are dropped on resume
	os.MkdirAll(filepath.Join(dir, ".parts", "rep-000004-000006"+TempSuffix+"1"), 0o755)
	start, _ := checkpointRun(t, dir, Schedule{Every: 4}, true, 0, 10, -1)
	if start != 4 {
		t.Fatalf("resume started at %d, want 4 (the end of the last group)", start)
	}
	sameFiles(t, dir, ref, "killed and resumed vs uninterrupted")

	// a group of another run (other seed) is not resumed
	dir = t.TempDir()
	checkpointRun(t, dir, Schedule{Every: 4}, false, 0, 10, 5)
	cp := &Checkpoint{Dir: dir, Prov: Provenance{Version: "test", Scenario: "mmc", Seed: 4, From: 0, To: 10, Total: 10,
		Params: map[string]string{"c": "2", "lambda": "1.5"}}}
	if start := cp.Start(true); start != 0 {
		t.Fatalf("resumed another seed's group: start %d", start)
	}
}

func TestParseSchedule(t *testing.T) {
	for in, want := range map[string]Schedule{"off": {Off: true}, "1": {Every: 1}, "250": {Every: 250},
		"10s": {Interval: 10 * time.Second}, "": DefaultSchedule} {
		got, err := ParseSchedule(in)
		if err != nil || got != want {
			t.Errorf("ParseSchedule(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"0", "-3", "soon", "-1s", "on"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
}

// The summaries a finished checkpointed run returns (kept in memory, not read
// back) are those of its kpis.arrow, counters missing from a replication
// counted as 0.
func TestCheckpointSummariesMatchFile(t *testing.T) {
	for _, sched := range []Schedule{{Off: true}, {Every: 3}} {
		dir := t.TempDir()
		prov := Provenance{Version: "test", Scenario: "x", Seed: 1, From: 0, To: 6, Total: 6}
		cp := &Checkpoint{Dir: dir, Prov: prov, Schedule: sched}
		cp.Start(false)
		for i := 0; i < 6; i++ {
			r := engine.RepResult{Replication: i, KPIs: []engine.KPIValue{{Name: "wait", Kind: engine.KindTally, Value: float64(i), N: 1}}}
			if i%2 == 0 {
				r.KPIs = append(r.KPIs, engine.KPIValue{Name: "served", Kind: engine.KindCounter, Value: 2, N: 1})
			}
			if err := cp.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := cp.Finish(); err != nil {
			t.Fatal(err)
		}
		got, err := cp.Summaries()
		if err != nil {
			t.Fatal(err)
		}
		reps, err := ReadKPIs(filepath.Join(dir, "kpis.arrow"))
		if err != nil {
			t.Fatal(err)
		}
		want := engine.Summaries(reps, 0.95)
		if len(got) != 2 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("--checkpoint %s: summaries %v, from kpis.arrow %v", sched, got, want)
		}
		if got[1].Name != "served" || got[1].Mean != 1 || got[1].N != 6 {
			t.Errorf("--checkpoint %s: served %+v, want mean 1 over 6 replications (2 in every other one)", sched, got[1])
		}
	}
}
