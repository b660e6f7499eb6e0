package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A mistyped flag is a usage error (exit 2) that names the nearest flag of
// that verb; a flag of another verb gets no wrong suggestion.
func TestMistypedFlagSuggests(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", "../../scenarios/mmc.lua", "--replicatons", "2"}, "did you mean --replications?"},
		{[]string{"sweep", "../../scenarios/mmc.lua", "--gird", "servers=2,3"}, "did you mean --grid?"},
		{[]string{"optimize", "../../scenarios/mmc.lua", "--constrain", "wait_h<=1"}, "did you mean --constraint?"},
		{[]string{"trial", "x.lua", "--subject", "3"}, "did you mean --subjects?"},
		{[]string{"fhir", "import", "--consnt", "deny", "x"}, "did you mean --consent?"},
		{[]string{"run", "../../scenarios/mmc.lua", "-zzzzzzzzzz"}, "zzzzzzzzzz"},
	}
	for _, c := range cases {
		_, errs, code := medtwin(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d (want 2), stderr %q (want %q)", c.args, code, errs, c.want)
		}
	}
}

// A KPI name that the scenario does not report is refused before anything
// runs, naming the nearest KPI: optimize --constraint, plot sweep and
// plot tornado --kpi (and --x, a grid parameter).
func TestMistypedKPISuggests(t *testing.T) {
	dir := t.TempDir()
	mmc := []string{"../../scenarios/mmc.lua", "--replications", "2", "--set", "customers=200", "--warmup", "0", "--quiet"}
	sweep := filepath.Join(dir, "sweep")
	if _, errs, code := medtwin(t, append(append([]string{"sweep"}, mmc...), "--grid", "servers=2,3", "--out", sweep)...); code != 0 {
		t.Fatal(errs)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"optimize", "../../scenarios/mmc.lua", "--set", "customers=200", "--warmup", "0", "--grid", "servers=2..3",
			"--constraint", "wiat_h<=1"}, "did you mean wait_h?"},
		{[]string{"plot", "sweep", filepath.Join(sweep, "sweep.arrow"), "--kpi", "wiat_h", "--x", "servers", "--out", filepath.Join(dir, "x.svg")}, "did you mean wait_h?"},
		{[]string{"plot", "sweep", filepath.Join(sweep, "sweep.arrow"), "--kpi", "wait_h", "--x", "sevrers", "--out", filepath.Join(dir, "x.svg")}, "did you mean servers?"},
		{[]string{"plot", "tornado", filepath.Join(sweep, "sweep.arrow"), "--kpi", "wait_hh", "--out", filepath.Join(dir, "x.svg")}, "did you mean wait_h?"},
	}
	for _, c := range cases {
		_, errs, code := medtwin(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d (want 2), stderr %q (want %q)", c.args, code, errs, c.want)
		}
	}
}
