package fit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func benchData(b *testing.B) (*Model, *DataSet, string) {
	src := simulatedOral(100, 3)
	ds, err := ReadCSV(strings.NewReader(src), "bench.csv")
	if err != nil {
		b.Fatal(err)
	}
	m := oralModel()
	if err := m.Check(ds.Covariates); err != nil {
		b.Fatal(err)
	}
	return m, ds, src
}

// BenchmarkMAPOneCmtOral: MAP (this package's BFGS on exact gradients from a
// Gauss–Newton start, the Laplace covariance, PRED/IPRED/IWRES)
// of subjects of a one-compartment oral model with 11 levels each, 3 η with
// a full Ω and combined error; reports subjects/s on one core.
func BenchmarkMAPOneCmtOral(b *testing.B) {
	m, ds, _ := benchData(b)
	b.ResetTimer()
	cpu0 := cpuSeconds()
	n := 0
	for i := 0; i < b.N; i++ {
		s := &ds.Subjects[i%len(ds.Subjects)]
		if _, err := m.MAP(ds, s, BFGS); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "subjects/s")
	b.ReportMetric(float64(n)/(cpuSeconds()-cpu0), "subjects/cpu_s")
}

// BenchmarkMAPVsR: the same 100 subjects fitted by R's optim (L-BFGS-B with
// its default controls, numerical gradients) on the same objective
// (testdata/map_reference.R, timed inside R over 3 passes of the subjects, R
// start-up excluded), measured in the same run as the Go MAP (which also
// computes the Hessian and the predictions); reports both rates and their
// ratio. The ratio is of CPU time (user + system, in Go and in R), which a
// busy machine distorts far less than elapsed time. Skipped without Rscript.
func BenchmarkMAPVsR(b *testing.B) {
	if _, err := exec.LookPath("Rscript"); err != nil {
		b.Skip("Rscript is not installed (make r-reference)")
	}
	m, ds, src := benchData(b)
	path := filepath.Join(b.TempDir(), "bench.csv")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	_, rSec := rOptim(b, path, [3]float64{5, 50, 1.2}, [3]int{1, 2, 3}, m.Omega, 0.1, 0.1, "L-BFGS-B-default", 3)
	b.ResetTimer()
	cpu0 := cpuSeconds()
	n := 0
	for i := 0; i < b.N; i++ {
		if _, err := m.MAP(ds, &ds.Subjects[i%len(ds.Subjects)], BFGS); err != nil {
			b.Fatal(err)
		}
		n++
	}
	goRate := float64(n) / (cpuSeconds() - cpu0)
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "subjects/s")
	b.ReportMetric(goRate, "subjects/cpu_s")
	b.ReportMetric(1/rSec, "R_subjects/cpu_s")
	b.ReportMetric(goRate*rSec, "x_vs_R")
}
