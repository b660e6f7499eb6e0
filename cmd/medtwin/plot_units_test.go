package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/medtwin/medtwin/engine/results"
)

// pointManifest makes dir/manifest.json name scenario as the command's
// scenario argument (under go test, os.Args is the test binary's).
func pointManifest(t *testing.T, dir, scenario string) {
	t.Helper()
	path := filepath.Join(dir, "manifest.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m results.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	m.Command = []string{"medtwin", "sweep", scenario}
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Issue 24: every plot's axes carry units: a grid parameter's as its
// scenario declares it (mmc.lua: arrival_rate in "per hour"), a KPI's as
// declared or as its name says (wait_h: h), time in hours, counts of a
// resource in units and requests. A scenario changed since the sweep is not
// the one that wrote it: its units are not used.
func TestPlotAxesCarryUnits(t *testing.T) {
	dir := t.TempDir()
	sweep := filepath.Join(dir, "sweep")
	if _, errs, code := medtwin(t, "sweep", "../../scenarios/mmc.lua", "--set", "customers=200", "--warmup", "0", "--replications", "2",
		"--quiet", "--grid", "arrival_rate=4,5", "--grid", "servers=2,3", "--out", sweep); code != 0 {
		t.Fatal(errs)
	}
	pointManifest(t, sweep, "../../scenarios/mmc.lua")
	sw := filepath.Join(sweep, "sweep.arrow")
	for _, c := range []struct {
		args   []string
		labels []string
	}{
		{[]string{"plot", "sweep", sw, "--kpi", "wait_h", "--x", "arrival_rate"}, []string{"arrival_rate (per hour)", "wait_h (h), mean and 95% CI"}},
		{[]string{"plot", "sweep", sw, "--kpi", "waited", "--x", "servers"}, []string{"servers", "waited, mean and 95% CI"}},
		{[]string{"plot", "tornado", sw, "--kpi", "wait_h"}, []string{"wait_h (h)"}},
	} {
		out := filepath.Join(dir, "f.svg")
		if _, errs, code := medtwin(t, append(c.args, "-o", out)...); code != 0 {
			t.Fatalf("%v: %s", c.args, errs)
		}
		checkFigure(t, out, c.labels...)
	}

	// the same file, its scenario edited since: no declared units, the name's suffix still counts
	edited := filepath.Join(dir, "mmc.lua")
	src, _ := os.ReadFile("../../scenarios/mmc.lua")
	os.WriteFile(edited, append(src, "\n-- edited\n"...), 0o644)
	pointManifest(t, sweep, edited)
	if u := unitsFor(sweep); u.paramAxis("arrival_rate") != "arrival_rate" || u.kpiAxis("wait_h") != "wait_h (h)" {
		t.Errorf("edited scenario: %q, %q; want no declared unit, the suffix's h", u.paramAxis("arrival_rate"), u.kpiAxis("wait_h"))
	}

	run := deskRun(t, false)
	for _, c := range []struct {
		args   []string
		labels []string
	}{
		{[]string{"plot", "hourly", run, "--series", "desk.in_use,desk.queue"}, []string{"hour of day (h)", "mean over days and replications (units, requests)"}},
		{[]string{"plot", "percentiles", run, "--series", "desk.capacity"}, []string{"time (h)", "desk.capacity (units)"}},
	} {
		out := filepath.Join(dir, "g.svg")
		if _, errs, code := medtwin(t, append(c.args, "-o", out)...); code != 0 {
			t.Fatalf("%v: %s", c.args, errs)
		}
		checkFigure(t, out, c.labels...)
	}
}
