package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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

// calibrate on visits that an independent implementation made (testdata/mgc/
// gen_visits.py: Python's random, thinning, a heap of server-free times; not
// medtwin's code) with hidden parameters: 96 visits per day, 6 servers, a
// log-normal service of median 0.9 h. The scenario (testdata/mgc/mgc.lua) has
// the same structure with other defaults (80, 4, 1.0); each of the three
// parameters must lie in its bootstrap 95% CI, and the integer one must be
// found exactly. The CSV is committed, so the test needs no Python.
func TestCalibrateRecoversIndependentGenerator(t *testing.T) {
	out := t.TempDir()
	stdout, errs, code := medtwin(t, "calibrate", "testdata/mgc/mgc.lua", "--observed", "testdata/mgc/visits.csv",
		"--fit", "servers=3..9", "--fit", "service_median_h=0.4..1.6", "--max-evals", "24", "--bootstrap-grid", "1",
		"--bootstrap", "100", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, stdout)
	}
	truth := map[string]float64{"visits_per_day": 96, "servers": 6, "service_median_h": 0.9}
	found := 0
	for _, l := range strings.Split(stdout, "\n") {
		var name string
		var est, lo, hi float64
		if n, _ := fmt.Sscanf(l, "%s %g [%g, %g]", &name, &est, &lo, &hi); n != 4 {
			continue
		}
		want, ok := truth[name]
		if !ok {
			continue
		}
		found++
		if want < lo || want > hi {
			t.Errorf("%s: truth %g outside the bootstrap CI [%g, %g] (estimate %g)", name, want, lo, hi, est)
		}
		if name == "servers" && est != want {
			t.Errorf("servers estimated %g, want %g", est, want)
		}
	}
	if found != len(truth) {
		t.Fatalf("%d of %d parameters with a CI in the output:\n%s", found, len(truth), stdout)
	}
	b, err := os.ReadFile(filepath.Join(out, "bootstrap.csv"))
	if err != nil || strings.Count(string(b), "\n") != 101 || !strings.HasPrefix(string(b), "replicate,visits_per_day,los_mu,los_sigma,servers,service_median_h\n") {
		t.Errorf("bootstrap.csv: %v\n%.200s", err, b)
	}
}

// Observed arrivals without departures (no LOS): calibrate still fits the
// arrivals and says LOS was not fitted. Every day has the same 48 arrivals, so
// every day-block replicate has 48 a day and the bootstrap CI is [48, 48].
func TestCalibrateArrivalsOnly(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("arrival\n")
	for h := 0.25; h < 14*24; h += 0.5 { // 48 a day, 14 days
		fmt.Fprintf(&b, "%g\n", h)
	}
	obs := filepath.Join(dir, "arrivals.csv")
	if err := os.WriteFile(obs, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, errs, code := medtwin(t, "calibrate", "../../scenarios/ed_staffing.lua", "--observed", obs, "--bootstrap", "50", "--out", filepath.Join(dir, "cal"))
	if code != 0 || !strings.Contains(stdout, "LOS: not fitted") || !regexp.MustCompile(`visits_per_day +48 +\[48, 48\]`).MatchString(stdout) {
		t.Errorf("exit %d: %s\n%s", code, errs, stdout)
	}
}
