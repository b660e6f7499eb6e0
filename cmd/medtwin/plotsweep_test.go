package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/medtwin/medtwin/engine/results"
)

// writeSweep writes a sweep file over beds (numeric) and policy (a choice)
// whose mean is beds + 100 for policy "b" and beds otherwise, so every
// series drawn from it is known.
func writeSweep(t *testing.T, path string) {
	t.Helper()
	cols := []results.Column{{Name: "combo", Type: arrow.PrimitiveTypes.Int32},
		{Name: "param_beds", Type: arrow.PrimitiveTypes.Float64}, {Name: "param_policy", Type: arrow.BinaryTypes.String},
		{Name: "kpi", Type: arrow.BinaryTypes.String}, {Name: "mean", Type: arrow.PrimitiveTypes.Float64},
		{Name: "ci_low", Type: arrow.PrimitiveTypes.Float64}, {Name: "ci_high", Type: arrow.PrimitiveTypes.Float64}}
	w, err := results.Create(path, cols, map[string]string{"medtwin.table": "sweep"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	k := 0
	for _, beds := range []float64{24, 30} {
		for _, pol := range []string{"a", "b"} {
			m := beds
			if pol == "b" {
				m += 100
			}
			w.I32(0, int32(k))
			w.F64(1, beds)
			w.Str(2, pol)
			w.Str(3, "wait")
			w.F64(4, m)
			w.F64(5, m-1)
			w.F64(6, m+1)
			if err := w.EndRow(); err != nil {
				t.Fatal(err)
			}
			k++
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// Issue 24: plot sweep held the other grid parameters at their first value
// without saying so, and a choice parameter could not be drawn. Now --at
// chooses the held values, the title names them, and a choice is an axis
// of labelled categories.
func TestPlotSweepHeldValuesAndChoices(t *testing.T) {
	dir := t.TempDir()
	sweep := filepath.Join(dir, "sweep.arrow")
	writeSweep(t, sweep)
	rows, axes, err := readSweep(sweep)
	if err != nil {
		t.Fatal(err)
	}
	held, say, err := heldValues(rows, axes, "beds", []string{"policy=b"})
	if err != nil || say != "policy=b" {
		t.Fatalf("held %v, %q, %v", held, say, err)
	}
	xs, m, _, _, _, err := sweepSeries(rows, axes, "wait", "beds", held)
	if err != nil || len(xs) != 2 || xs[0] != 24 || m[0] != 124 || xs[1] != 30 || m[1] != 130 {
		t.Fatalf("beds at policy=b: xs %v means %v (%v), want 24,30 -> 124,130", xs, m, err)
	}
	held, _, _ = heldValues(rows, axes, "policy", []string{"beds=30"})
	xs, m, _, _, labels, err := sweepSeries(rows, axes, "wait", "policy", held)
	if err != nil || strings.Join(labels, ",") != "a,b" || xs[1] != 1 || m[0] != 30 || m[1] != 130 {
		t.Fatalf("policy at beds=30: xs %v labels %v means %v (%v)", xs, labels, m, err)
	}
	if _, _, err := heldValues(rows, axes, "beds", []string{"policy=c"}); err == nil || !strings.Contains(err.Error(), "a, b") {
		t.Errorf("--at policy=c: %v", err)
	}
	out := filepath.Join(dir, "p.svg")
	if _, errs, code := medtwin(t, "plot", "sweep", sweep, "--kpi", "wait", "--x", "policy", "--at", "beds=30", "-o", out); code != 0 {
		t.Fatalf("plot sweep over a choice: exit %d: %s", code, errs)
	}
	svg, _ := os.ReadFile(out)
	if !strings.Contains(string(svg), "held at beds=30") {
		t.Error("the figure does not say what it holds fixed")
	}
	if _, errs, code := medtwin(t, "plot", "tornado", sweep, "--kpi", "wait", "-o", filepath.Join(dir, "t.svg")); code != 0 {
		t.Fatalf("tornado with a choice: exit %d: %s", code, errs)
	}
}
