package pk

import (
	"math"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/medtwin/medtwin/engine/benchref"
)

func odeCohortRate(tb testing.TB, n int, integ Integrator) (float64, float64) {
	r, mean, err := ReferenceCohort{}.TimeODE(n, 1, integ)
	if err != nil {
		tb.Fatal(err)
	}
	return r, mean
}

// BenchmarkCohortODEVsReferences runs the reference cohort through the ODE path
// and, in the same run, cohort_floor (C, exact) and deSolve (R, lsoda) when
// Rscript with deSolve is installed, and reports the ratios.
func BenchmarkCohortODEVsReferences(b *testing.B) {
	dir := benchref.Dir()
	best := 0.0
	for i := 0; i < b.N; i++ {
		r, _ := odeCohortRate(b, 2000, Taylor)
		best = math.Max(best, r)
	}
	b.ReportMetric(best, "subjects/s")
	if dir == "" {
		return
	}
	tmp := b.TempDir()
	if bin, err := benchref.BuildC(dir, tmp); err == nil {
		res, err := benchref.Run(bin, "100000")
		if err == nil {
			b.ReportMetric(res["floor"]["subjects_per_s"], "floor_subjects/s")
			b.ReportMetric(best/res["floor"]["subjects_per_s"], "ratio_vs_floor")
		}
	}
	if _, err := exec.LookPath("Rscript"); err == nil {
		out, err := exec.Command("Rscript", filepath.Join(dir, "cohort", "cohort_desolve.R"), "200").Output()
		if err == nil {
			ds := benchref.Parse(out)["desolve"]["subjects_per_s"]
			b.ReportMetric(ds, "desolve_subjects/s")
			b.ReportMetric(best/ds, "ratio_vs_desolve")
		}
	}
}
