package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/cmd/medtwin/internal/plot"
)

// Issue 24: plot waits draws each resource's waiting-time ECDF. At the desk
// (desk.lua) two of the four jobs wait 0 and two wait 60 min in each of the
// two replications: the ECDF is 1/2 at 0 min and 1 at 60 min. Traced, the
// waits are per resource (events.arrow); untraced, per job (flow.arrow).
func TestPlotWaitsECDF(t *testing.T) {
	traced := deskRun(t, true)
	ws, err := readWaits(traced)
	if err != nil {
		t.Fatal(err)
	}
	w := slices.Clone(ws.waits["desk"])
	slices.Sort(w)
	if !slices.Equal(ws.order, []string{"desk"}) || !slices.Equal(w, []float64{0, 0, 0, 0, 3600, 3600, 3600, 3600}) {
		t.Fatalf("waits %v %v, want desk: four 0 s and four 3600 s", ws.order, w)
	}
	xs, ys := plot.ECDFPoints([]float64{60, 0, 0, 60})
	if !slices.Equal(xs, []float64{0, 60}) || !slices.Equal(ys, []float64{0.5, 1}) {
		t.Errorf("ECDF corners %v %v, want [0 60] [0.5 1]", xs, ys)
	}
	if s, u := waitUnit(ws); s != 60 || u != "min" {
		t.Errorf("unit %g %s, want minutes", s, u)
	}
	dir := t.TempDir()
	for _, out := range []string{"waits.svg", "waits.png"} {
		if _, errs, code := medtwin(t, "plot", "waits", traced, "-o", filepath.Join(dir, out)); code != 0 {
			t.Fatalf("plot waits: %s", errs)
		}
	}
	checkFigure(t, filepath.Join(dir, "waits.svg"), "waiting time (min)", "fraction of requests waiting ≤ x", "desk (n=8)")
	checkFigure(t, filepath.Join(dir, "waits.png"))
	if _, errs, code := medtwin(t, "plot", "waits", traced, "--resource", "dek", "-o", filepath.Join(dir, "x.svg")); code != 2 || !strings.Contains(errs, "did you mean desk") {
		t.Errorf("--resource dek: exit %d, %q", code, errs)
	}
	// untraced, the same waits come from flow.arrow as each job's total
	plain := deskRun(t, false)
	ws, err = readWaits(plain)
	if err != nil {
		t.Fatal(err)
	}
	w = slices.Clone(ws.waits[ws.order[0]])
	slices.Sort(w)
	if len(ws.order) != 1 || ws.source != "flow.arrow wait_s" || !slices.Equal(w, []float64{0, 0, 0, 0, 3600, 3600, 3600, 3600}) {
		t.Errorf("untraced waits %v from %s: %v, want four 0 s and four 3600 s from flow.arrow", ws.order, ws.source, w)
	}
	if _, errs, code := medtwin(t, "plot", "waits", plain, "--resource", "desk", "-o", filepath.Join(dir, "x.svg")); code != 2 || !strings.Contains(errs, "--trace") {
		t.Errorf("untraced --resource: exit %d, %q", code, errs)
	}
}

// Review of issue 24: a preempted request that is granted again is traced
// with a second grant whose value is the time since it first arrived
// (service included); plot waits counted it as another request's wait,
// unlike wait_mean_s, which counts first grants only. In preempt.lua both
// requests are served at once: two waits of 0 s.
func TestPlotWaitsPreemption(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "preempt")
	if _, errs, code := medtwin(t, "run", "testdata/plots/preempt.lua", "--quiet", "--trace", "--out", dir); code != 0 {
		t.Fatalf("run: %s", errs)
	}
	ws, err := readWaits(dir)
	if err != nil {
		t.Fatal(err)
	}
	if w := ws.waits["desk"]; !slices.Equal(w, []float64{0, 0}) {
		t.Errorf("waits %v, want two of 0 s", w)
	}
}
