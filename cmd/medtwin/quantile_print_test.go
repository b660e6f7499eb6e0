package main

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/trial"
)

// Printed and plotted percentiles interpolate linearly (R type 7, as pandas,
// R and DuckDB print). For the values 1, 2, 3, 4 R gives
// quantile(1:4, c(0.05, 0.5, 0.95)) = 1.15, 2.5, 3.85; the lower empirical
// quantile that medtwin used before gives 1, 2, 4.
func TestTrialTablePrintsType7Percentiles(t *testing.T) {
	tr := &trial.Spec{Population: &cohort.Population{}, Arms: []trial.Arm{{Name: "q8h"}}, Endpoints: []trial.Endpoint{{Endpoint: cohort.Endpoint{Name: "auc"}}}}
	var res []trial.Result
	for i, v := range []float64{3, 1, 4, 2} {
		res = append(res, trial.Result{Subject: i, Endpoints: []float64{v}})
	}
	var out bytes.Buffer
	printTrial(&out, tr, res)
	line := ""
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "q8h") {
			line = l
		}
	}
	f := strings.Fields(line)
	if len(f) < 3 || strings.Join(f[len(f)-3:], " ") != "1.1500 2.5000 3.8500" {
		t.Errorf("p5, median, p95 printed as %q, want 1.1500 2.5000 3.8500\n%s", line, out.String())
	}
}

func TestPlotPercentilesAreType7(t *testing.T) {
	path := filepath.Join(t.TempDir(), "timeseries.arrow")
	w, err := results.Create(path, results.SeriesColumns, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for rep, v := range []float64{1, 2, 3, 4} {
		for _, tm := range []float64{0, 60} {
			w.I32(0, int32(rep))
			w.F64(1, tm)
			w.Str(2, "q")
			w.I64(3, 0)
			w.F64(4, v*(1+tm/60*9)) // 1..4 at t=0, 10..40 at t=60
			if err := w.EndRow(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ts, p5, p50, p95, err := percentiles(path, "q")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{0, 60}, {1.15, 11.5}, {2.5, 25}, {3.85, 38.5}}
	for k, got := range [][]float64{ts, p5, p50, p95} {
		for i := range want[k] {
			if len(got) != 2 || math.Abs(got[i]-want[k][i]) > 1e-9 {
				t.Errorf("column %d = %v, want %v", k, got, want[k])
				break
			}
		}
	}
}
