package plot

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// A count axis (busy units, queue length) labels whole numbers only: over
// [0, 5.25] gonum's default ticks are 0, 2.5, 5 and would print "2.50".
func TestCountTicksLabelWholeNumbers(t *testing.T) {
	for _, r := range [][2]float64{{0, 5.25}, {0, 1}, {0, 1.05}, {0, 137}} {
		labelled := 0
		for _, tk := range (countTicks{}).Ticks(r[0], r[1]) {
			if tk.Label == "" {
				continue
			}
			labelled++
			if tk.Value != math.Trunc(tk.Value) || tk.Label != fmt.Sprint(int(tk.Value)) {
				t.Errorf("range %v: tick %g labelled %q", r, tk.Value, tk.Label)
			}
		}
		if labelled < 2 {
			t.Errorf("range %v: %d labelled ticks, want at least 2", r, labelled)
		}
	}
}

// Figure refuses no panels and a file that is neither PNG nor SVG, and
// writes a tiled PNG otherwise.
func TestFigureWrites(t *testing.T) {
	dir := t.TempDir()
	p, legend, err := Steps("r", "time (h)", "count", []StepLine{{Name: "busy", Xs: []float64{0, 1, 2}, Ys: []float64{1, 2, 0}, Color: Palette(0)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := Figure(filepath.Join(dir, "a.png"), "", nil, 1, nil, 5*vg.Inch, 3*vg.Inch, 96); err == nil {
		t.Error("no panels: no error")
	}
	if err := Figure(filepath.Join(dir, "a.pdf"), "t", []*gplot.Plot{p}, 1, legend, 5*vg.Inch, 3*vg.Inch, 96); err == nil {
		t.Error(".pdf: no error")
	}
	if err := Figure(filepath.Join(dir, "a.png"), "t\nsecond line", []*gplot.Plot{p, p, p}, 2, legend, 5*vg.Inch, 3*vg.Inch, 96); err != nil {
		t.Error(err)
	}
}
