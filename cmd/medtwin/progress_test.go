package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// asTerminal makes the progress helpers take stderr for a terminal, as it is
// when a person runs medtwin (tests write stderr to a buffer).
func asTerminal(t *testing.T) {
	t.Helper()
	old := stderrTerminal
	stderrTerminal = func() bool { return true }
	t.Cleanup(func() { stderrTerminal = old })
}

// Issue 24: fit, calibrate, validate, sweep and sensitivity show progress on stderr as run,
// compare, optimize and trial do (a terminal only; none with --quiet).
func TestLongVerbsShowProgress(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := medtwin(t, "run", "../../scenarios/ed_staffing.lua", "--replications", "1", "--seed", "99",
		"--horizon", "14d", "--warmup", "0", "--quiet", "--out", dir); code != 0 {
		t.Fatal(errs)
	}
	obs := filepath.Join(dir, "visits.csv")
	flowCSV(t, filepath.Join(dir, "flow.arrow"), obs, 1)
	asTerminal(t)
	ed := []string{"../../scenarios/ed_staffing.lua", "--observed", obs, "--replications", "2", "--horizon", "14d", "--warmup", "0"}
	for _, v := range []struct {
		name string
		args []string
		want string
	}{
		{"validate", append([]string{"validate"}, append(ed, "--out", filepath.Join(dir, "val"))...), "2/2 replications"},
		{"calibrate", append([]string{"calibrate"}, append(ed, "--fit", "physicians_day=2..8", "--max-evals", "2",
			"--bootstrap", "0", "--bootstrap-grid", "0", "--out", filepath.Join(dir, "cal"))...), "ed_staffing calibrate: 4 replications"},
		{"sweep", []string{"sweep", "../../scenarios/ed_staffing.lua", "--grid", "physicians_peak=4,5", "--replications", "1",
			"--horizon", "2d", "--warmup", "0", "--out", filepath.Join(dir, "sweep")}, "combination 2/2"},
		{"sensitivity", []string{"sensitivity", "../../scenarios/ed_staffing.lua", "--range", "physicians_peak=4..5", "--kpi", "door_to_doctor_min",
			"-n", "10", "--bootstrap", "10", "--horizon", "2d", "--warmup", "0"}, "ed_staffing sensitivity 30/30"},
		{"fit", []string{"fit", "../../scenarios/theophylline_fit.lua", "--data", "../../scenarios/theophylline.csv",
			"--no-report", "--out", filepath.Join(dir, "fit")}, "12/12 subjects"},
	} {
		for _, quiet := range []bool{false, true} {
			args := v.args
			if quiet {
				args = append(append([]string{}, args...), "--quiet")
			}
			_, errs, code := medtwin(t, args...)
			if code != 0 {
				t.Fatalf("%s (quiet %v): exit %d: %s", v.name, quiet, code, errs)
			}
			if got := strings.Contains(errs, v.want); got == quiet {
				t.Errorf("%s (quiet %v): progress %q shown: %v; stderr:\n%q", v.name, quiet, v.want, got, errs)
			}
		}
	}
}
