package main

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// deskRun runs testdata/plots/desk.lua (its closed forms are in its header)
// into a temporary directory, traced or not, and returns the directory.
func deskRun(t *testing.T, trace bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "desk")
	args := []string{"run", "testdata/plots/desk.lua", "--quiet", "--out", dir}
	if trace {
		args = append(args, "--trace")
	}
	if _, errs, code := medtwin(t, args...); code != 0 {
		t.Fatalf("run: %s", errs)
	}
	return dir
}

// checkFigure fails unless path is a PNG, or an SVG whose text holds every
// one of labels (axis labels with their units).
func checkFigure(t *testing.T, path string, labels ...string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil || len(data) < 500 {
		t.Fatalf("%s: %v, %d bytes", path, err, len(data))
	}
	if strings.HasSuffix(path, ".png") {
		if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s is not a PNG", path)
		}
		return
	}
	var v struct{ XMLName xml.Name }
	if err := xml.Unmarshal(data, &v); err != nil || v.XMLName.Local != "svg" {
		t.Fatalf("%s is not valid SVG: %v", path, err)
	}
	for _, l := range labels {
		if !bytes.Contains(data, []byte(">"+xmlEscape(l)+"<")) {
			t.Errorf("%s has no text %q", path, l)
		}
	}
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Issue 24: plot usage draws each resource's busy units, queue and capacity
// as steps. The desk's values are known in closed form (desk.lua): busy 2
// until 2 h, queue 2 until 1 h, capacity 2, then 1 from 2 h, then 3 from
// 4 h 15 min. Sampled every 30 min the last change shows at 4 h 30 min; a
// traced run draws it at its own time from events.arrow.
func TestPlotUsageSteps(t *testing.T) {
	plain, traced := deskRun(t, false), deskRun(t, true)
	h := 3600.0
	us, every, horizon, warmup, err := readUsage(plain, 1, nil, 0, 6*h)
	if err != nil {
		t.Fatal(err)
	}
	if every != 1800 || horizon != 6*h || warmup != 0 || len(us) != 1 || us[0].resource != "desk" || us[0].capExact {
		t.Fatalf("every %g, horizon %g, warm-up %g, %d resources, exact %v", every, horizon, warmup, len(us), us[0].capExact)
	}
	u := us[0]
	if len(u.t) != 12 {
		t.Fatalf("%d samples in 6 h every 30 min, want 12", len(u.t))
	}
	for i, tm := range u.t {
		if tm != float64(i)*1800 {
			t.Fatalf("sample %d at %g s, want %d", i, tm, i*1800)
		}
		busy, queue, capacity := 0.0, 0.0, 2.0
		if tm < 2*h {
			busy = 2
		}
		if tm < h {
			queue = 2
		}
		switch {
		case tm >= 4.25*h:
			capacity = 3
		case tm >= 2*h:
			capacity = 1
		}
		if u.busy[i] != busy || u.queue[i] != queue || u.capV[i] != capacity {
			t.Errorf("t = %g h: busy %g queue %g capacity %g, want %g %g %g", tm/h, u.busy[i], u.queue[i], u.capV[i], busy, queue, capacity)
		}
	}
	us, _, _, _, err = readUsage(traced, 0, []string{"desk"}, 0, 6*h)
	if err != nil {
		t.Fatal(err)
	}
	if c := us[0]; !c.capExact || !slices.Equal(c.capT, []float64{0, 2 * h, 4.25 * h}) || !slices.Equal(c.capV, []float64{2, 1, 3}) {
		t.Errorf("traced capacity steps at %v of %v (exact %v), want [0 7200 15300] of [2 1 3]", c.capT, c.capV, c.capExact)
	}
	// a window cut from inside: the capacity in force at its start comes first
	us, _, _, _, _ = readUsage(traced, 0, nil, 3*h, 5*h)
	if c := us[0]; !slices.Equal(c.capT, []float64{3 * h, 4.25 * h}) || !slices.Equal(c.capV, []float64{1, 3}) {
		t.Errorf("capacity in [3 h, 5 h) at %v of %v, want [10800 15300] of [1 3]", c.capT, c.capV)
	}

	dir := t.TempDir()
	for _, out := range []string{"usage.svg", "usage.png"} {
		if _, errs, code := medtwin(t, "plot", "usage", traced, "-o", filepath.Join(dir, out)); code != 0 {
			t.Fatalf("plot usage: %s", errs)
		}
	}
	checkFigure(t, filepath.Join(dir, "usage.svg"), "time (h)", "count (units; queue: requests)", "capacity", "queue length", "busy units")
	checkFigure(t, filepath.Join(dir, "usage.png"))

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--resource", "dsek"}, "did you mean desk"},
		{[]string{"--replication", "5"}, "no replication 5"},
		{[]string{"--from", "5h", "--to", "4h"}, "must be after"},
		{[]string{"--from", "soon"}, "--from"},
	} {
		args := append([]string{"plot", "usage", plain, "-o", filepath.Join(dir, "x.svg")}, c.args...)
		if _, errs, code := medtwin(t, args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errs, c.want)
		}
	}
	// a directory without samples says how to get them
	os.Remove(filepath.Join(plain, "timeseries.arrow"))
	if _, errs, code := medtwin(t, "plot", "usage", plain, "-o", filepath.Join(dir, "x.svg")); code != 2 || !strings.Contains(errs, "sample_every") {
		t.Errorf("no timeseries.arrow: exit %d, %q", code, errs)
	}
}

// Review of issue 24: a resource created during the run has no samples
// before it exists; plot usage over such a window panicked (index out of
// range drawing b's empty step lines). It draws the resources sampled in
// the window, and says so when the one asked for has none there.
func TestPlotUsageLateResource(t *testing.T) {
	run := filepath.Join(t.TempDir(), "late")
	if _, errs, code := medtwin(t, "run", "testdata/plots/late.lua", "--quiet", "--out", run); code != 0 {
		t.Fatalf("run: %s", errs)
	}
	us, _, _, _, err := readUsage(run, 0, nil, 0, 2*3600)
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != 1 || us[0].resource != "a" || len(us[0].t) != 4 {
		t.Fatalf("resources in [0, 2 h): %d, want a alone with 4 samples", len(us))
	}
	out := filepath.Join(t.TempDir(), "u.svg")
	if _, errs, code := medtwin(t, "plot", "usage", run, "--to", "2h", "-o", out); code != 0 {
		t.Fatalf("plot usage --to 2h: exit %d, %s", code, errs)
	}
	checkFigure(t, out, "a")
	if _, errs, code := medtwin(t, "plot", "usage", run, "--resource", "b", "--to", "2h", "-o", out); code != 2 || !strings.Contains(errs, "no samples") {
		t.Errorf("--resource b --to 2h: exit %d, %q; want 2 and no samples", code, errs)
	}
	// from 3 h on both are there
	if us, _, _, _, err = readUsage(run, 0, nil, 3*3600, 6*3600); err != nil || len(us) != 2 {
		t.Errorf("resources in [3 h, 6 h): %d, %v; want a and b", len(us), err)
	}
}
