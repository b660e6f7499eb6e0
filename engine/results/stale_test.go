package results

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/medtwin/medtwin/engine"
)

// traceRun runs replications 0-10 of M/M/2 into dir, with or without the
// event log, checkpointing every replication; stopAfter >= 0 kills it after
// that many.
func traceRun(t *testing.T, dir string, trace, resume bool, stopAfter int) ([]string, error) {
	t.Helper()
	prov := Provenance{Version: "test", Scenario: "mmc", Seed: 3, From: 0, To: 10, Total: 10}
	cp := &Checkpoint{Dir: dir, Prov: prov, Events: trace, Schedule: Schedule{Every: 1}}
	e := engine.Experiment{Seed: 3, From: cp.Start(resume), To: 10, Horizon: 500, Trace: trace,
		Build: engine.MMc{C: 2, Lambda: 1.5, Mu: 1}.Build}
	n := 0
	err := e.Run(context.Background(), func(r engine.RepResult) error {
		if n == stopAfter {
			return context.Canceled
		}
		n++
		return cp.Add(r)
	})
	if err != nil {
		cp.Stop()
		return nil, err
	}
	return cp.Finish()
}

// A run killed with --trace and resumed without it (or the other way) used to
// fail at the end ("events.arrow is in some parts but not all") and again on
// every later --resume: the directory was wedged. The groups of the other
// setting are now run again, and the result is what a run without a kill
// writes (issue 18, Low 10).
func TestResumeAfterTraceToggled(t *testing.T) {
	for _, trace := range []bool{true, false} {
		dir, ref := t.TempDir(), t.TempDir()
		if _, err := traceRun(t, dir, trace, false, 4); err == nil {
			t.Fatal("the run was not stopped")
		}
		files, err := traceRun(t, dir, !trace, true, -1)
		if err != nil {
			t.Fatalf("resume with trace %v after a kill with trace %v: %v", !trace, trace, err)
		}
		if _, err := traceRun(t, ref, !trace, false, -1); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			x, err1 := os.ReadFile(f)
			y, err2 := os.ReadFile(filepath.Join(ref, filepath.Base(f)))
			if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
				t.Errorf("trace %v resumed: %s differs from a run without a kill (%v, %v)", !trace, filepath.Base(f), err1, err2)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "events.arrow")); (err == nil) != !trace {
			t.Errorf("events.arrow present: %v, want %v", err == nil, !trace)
		}
	}
}
