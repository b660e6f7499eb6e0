package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// calibrate on visits that the ED library produced with a hidden
// physicians_day = 3 (seed 99): the arrival MLE gives visits_per_day near the
// scenario's 150, and Nelder–Mead from the default 4 over 2..8 finds 3 (common
// random numbers: the same seed in every evaluation). The parameter file is
// accepted by run --params.
func TestCalibrateCommand(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := medtwin(t, "run", "../../scenarios/ed_staffing.lua", "--replications", "1", "--seed", "99",
		"--set", "physicians_day=3", "--quiet", "--out", dir); code != 0 {
		t.Fatal(errs)
	}
	obs := filepath.Join(dir, "visits.csv")
	flowCSV(t, filepath.Join(dir, "flow.arrow"), obs, 1)
	out := filepath.Join(dir, "cal")
	stdout, errs, code := medtwin(t, "calibrate", "../../scenarios/ed_staffing.lua", "--observed", obs, "--fit", "physicians_day=2..8",
		"--replications", "1", "--seed", "99", "--max-evals", "12", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, stdout)
	}
	if !strings.Contains(stdout, "physicians_day = 3 ") {
		t.Errorf("physicians_day not recovered:\n%s", stdout)
	}
	params, err := os.ReadFile(filepath.Join(out, "params.txt"))
	if err != nil || !strings.Contains(string(params), "\nphysicians_day=3\n") || !strings.Contains(string(params), "\nvisits_per_day=1") {
		t.Fatalf("params.txt: %v\n%s", err, params)
	}
	if _, errs, code := medtwin(t, "run", "../../scenarios/ed_staffing.lua", "--params", filepath.Join(out, "params.txt"), "--list-params"); code != 0 {
		t.Errorf("run --params: %s", errs)
	}
	if _, errs, code := medtwin(t, "calibrate", "../../scenarios/ed_staffing.lua", "--observed", obs, "--fit", "nope=1..2", "--out", out); code != 2 || !strings.Contains(errs, "nope") {
		t.Errorf("unknown --fit parameter: exit %d %s", code, errs)
	}
}
