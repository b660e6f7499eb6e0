package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A reused --out holds what the new run's manifest lists and the user's own
// files: the events.arrow of an earlier run with --trace is removed by a run
// without it (before, it stayed, outside the manifest, and a notebook read it
// as this run's), and a file medtwin does not write stays (issue 18, Low 10).
func TestReusedOutKeepsNoStaleOutputs(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	args := []string{"run", "../../scenarios/mmc.lua", "--replications", "2", "--set", "customers=200", "--out", out, "--quiet"}
	if _, errs, code := medtwin(t, append(args, "--trace")...); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	notes := filepath.Join(out, "notes.txt")
	if err := os.WriteFile(notes, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := medtwin(t, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(out, "events.arrow")); err == nil {
		t.Error("events.arrow of the earlier --trace run is still there, outside the manifest")
	}
	if _, err := os.Stat(notes); err != nil {
		t.Errorf("the user's notes.txt was removed: %v", err)
	}
	m, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if e.Name() != "manifest.json" && e.Name() != "notes.txt" && !strings.Contains(string(m), `"`+e.Name()+`"`) {
			t.Errorf("%s is in the directory but not in its manifest", e.Name())
		}
	}
}

// A trial killed while writing leaves temporary files; the next trial into
// the same directory removes those of processes no longer running (and keeps
// those of a live one, which may be writing there), and the stale outputs of
// an earlier command (a run's events.arrow) go too (issue 18, Low 10).
func TestTrialCleansKilledTempsAndStaleFiles(t *testing.T) {
	out := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true(1) to get a finished process id")
	}
	killed := filepath.Join(out, ".subjects.arrow.tmp-"+strconv.Itoa(dead.Process.Pid)+"-1")
	live := filepath.Join(out, ".subjects.arrow.tmp-1-1") // pid 1 runs as long as the machine does
	stale := filepath.Join(out, "events.arrow")
	for _, f := range []string{killed, live, stale} {
		if err := os.WriteFile(f, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, errs, code := medtwin(t, "trial", "../../scenarios/vancomycin_trial.lua", "--subjects", "20", "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(killed); err == nil {
		t.Error("the killed trial's temporary file is still there")
	}
	if _, err := os.Stat(live); err != nil {
		t.Error("the temporary file of a live process was removed")
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("an earlier run's events.arrow is still beside the trial's files")
	}
	if _, err := os.Stat(filepath.Join(out, "subjects.arrow")); err != nil {
		t.Error(err)
	}
}
