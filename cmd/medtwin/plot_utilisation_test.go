package main

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 24: plot utilisation draws busy unit-time over capacity unit-time.
// The desk (desk.lua) is busy 2 units x 2 h of a capacity of 2 x 2 h +
// 1 x 2.25 h + 3 x 1.75 h = 11.5 unit-hours: 4/11.5 in every replication, so
// the interval has no width.
func TestPlotUtilisationBars(t *testing.T) {
	run := deskRun(t, false)
	bars, err := readUtilisation(run)
	if err != nil {
		t.Fatal(err)
	}
	want := 4 / 11.5
	if len(bars) != 1 || bars[0].resource != "desk" || bars[0].replications != 2 || bars[0].level != 0.95 {
		t.Fatalf("bars %+v", bars)
	}
	for _, v := range []float64{bars[0].mean, bars[0].lo, bars[0].hi} {
		if math.Abs(v-want) > 1e-12 {
			t.Errorf("utilisation %v, want %v = 4/11.5", bars[0], want)
		}
	}
	dir := t.TempDir()
	for _, out := range []string{"u.svg", "u.png"} {
		if _, errs, code := medtwin(t, "plot", "utilisation", run, "-o", filepath.Join(dir, out)); code != 0 {
			t.Fatalf("plot utilisation: %s", errs)
		}
	}
	checkFigure(t, filepath.Join(dir, "u.svg"), "utilisation (fraction of capacity)", "desk")
	checkFigure(t, filepath.Join(dir, "u.png"))
	if _, errs, code := medtwin(t, "plot", "utilization", run, "--resource", "dsk", "-o", filepath.Join(dir, "x.svg")); code != 2 || !strings.Contains(errs, "did you mean desk") {
		t.Errorf("--resource dsk: exit %d, %q", code, errs)
	}
}

// Review of issue 24: a run of one replication has no interval (summary.arrow
// holds NaN bounds), and plot utilisation failed with "the data has NaN or
// infinite values"; it draws the bar, without whiskers, and says why.
func TestPlotUtilisationOneReplication(t *testing.T) {
	run := filepath.Join(t.TempDir(), "desk1")
	if _, errs, code := medtwin(t, "run", "testdata/plots/desk.lua", "--quiet", "-r", "1", "--out", run); code != 0 {
		t.Fatalf("run: %s", errs)
	}
	out := filepath.Join(t.TempDir(), "u.svg")
	if _, errs, code := medtwin(t, "plot", "utilisation", run, "-o", out); code != 0 {
		t.Fatalf("plot utilisation of one replication: exit %d, %s", code, errs)
	}
	checkFigure(t, out, "utilisation (fraction of capacity)", "desk",
		"utilisation per resource: 1 replication, no interval (run more replications for a CI)")
}
