package fit

import (
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// theophStart is fm3Theo.nlme's model at the book's starting values
// (lKe = −2.5, lKa = 0.5, lCl = −3; Pinheiro & Bates 2000 §8.2), with
// Ω = diag(0.5, 0.05) and σ = 1.
func theophStart(t testing.TB) *Model {
	m := theophModel(t)
	m.Params[0].Typical = math.Exp(-3)
	m.Params[1].Typical = math.Exp(-3 + 2.5)
	m.Params[2].Typical = math.Exp(0.5)
	m.Omega = mat.NewSymDense(2, []float64{0.5, 0, 0, 0.05})
	m.Error.Add = 1
	return m
}

// TestFOCEITheoph fits fm3Theo by FOCE-I and compares with nlme's
// estimates (theoph_test.go constants; nlme's −2 log L = 354.043, logLik
// −177.0215 printed by testdata/nlme_theoph.R). nlme's Lindstrom–Bates
// approximation is not FOCE-I, so the comparison is loose: 2% on the log
// typical values, 15% on ω² and σ, 1 unit of −2 log L.
func TestFOCEITheoph(t *testing.T) {
	ds := readTheoph(t)
	res, err := theophStart(t).FitFOCEI(ds, PopOptions{NPDESims: 1000, NPDESeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged {
		t.Errorf("not converged: %s", res.Warning)
	}
	m2ll := res.OFV + float64(res.NObs)*math.Log(2*math.Pi)
	t.Logf("FOCE-I: −2LL %.3f (nlme 354.043) iterations %d evaluations %d", m2ll, res.Iterations, res.Evaluations)
	compareNlme(t, "FOCE-I", res.Model, 0.02, 0.05, 0.15, 0.15)
	if math.Abs(m2ll-354.043) > 1 {
		t.Errorf("−2 log L = %.3f, nlme 354.043", m2ll)
	}
	if res.Cov == nil {
		t.Fatalf("no covariance step: %s", res.Warning)
	}
	for i, n := range res.Cov.Names {
		t.Logf("%-22s %10.5f SE %9.5f RSE %6.1f%%", n, res.Cov.Estimate[i], res.Cov.SE[i], res.Cov.RSE[i])
	}
	t.Logf("condition number %.1f; shrinkage %v", res.Cov.Condition, res.Individual.Shrinkage)
	// CWRES are N(0, 1) under the model to first order (Hooker et al. 2007)
	checkStdNormal(t, "CWRES", res.CWRES)
	// NPDE are N(0, 1) under the model (Brendel et al. 2006), exactly
	// rather than to first order: the same bounds
	checkStdNormal(t, "NPDE", res.NPDE)
}

// checkStdNormal: the 132 theophylline residuals have a mean within ±0.3
// and an SD within 0.75–1.25.
func checkStdNormal(t *testing.T, name string, res [][]float64) {
	t.Helper()
	var n, sum, sum2 float64
	for _, cw := range res {
		for _, v := range cw {
			if !math.IsNaN(v) {
				n, sum, sum2 = n+1, sum+v, sum2+v*v
			}
		}
	}
	mean := sum / n
	sd := math.Sqrt(sum2/n - mean*mean)
	t.Logf("%s: %v values, mean %.3f, SD %.3f", name, n, mean, sd)
	if n != 132 || math.Abs(mean) > 0.3 || sd < 0.75 || sd > 1.25 {
		t.Errorf("%s: %v values (want 132), mean %.3f, SD %.3f", name, n, mean, sd)
	}
}

// TestSAEMTheoph fits fm3Theo by SAEM from the book's starting values and
// compares with nlme (same constants as TestFOCEITheoph; SAEM maximises the
// exact likelihood up to Monte Carlo error, nlme a linearisation of it):
// 3% on the log typical values, 25% on ω² and 10% on σ.
func TestSAEMTheoph(t *testing.T) {
	ds := readTheoph(t)
	res, err := theophStart(t).FitSAEM(ds, SAEMOptions{Seed: 1, PopOptions: PopOptions{NoCovariance: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("SAEM: −2LL(FOCE-I) %.3f", res.OFV+float64(res.NObs)*math.Log(2*math.Pi))
	compareNlme(t, "SAEM", res.Model, 0.03, 0.1, 0.25, 0.1)
}

// compareNlme checks fitted fm3Theo values against nlme's with relative
// tolerances on lKe and lCl (tolLog), lKa, the ω² and σ.
func compareNlme(t *testing.T, method string, m *Model, tolLog, tolKa, tolOmega, tolSigma float64) {
	t.Helper()
	lcl := math.Log(m.Params[0].Typical)
	lke := lcl - math.Log(m.Params[1].Typical)
	lka := math.Log(m.Params[2].Typical)
	t.Logf("%s: lKe %.4f lKa %.4f lCl %.4f ω²ka %.4f ω²cl %.5f σ %.4f (nlme %.4f %.4f %.4f %.4f %.5f %.4f)", method,
		lke, lka, lcl, m.Omega.At(0, 0), m.Omega.At(1, 1), m.Error.Add,
		theoLKe, theoLKa, theoLCl, theoVarKa, theoVarCl, theoSigma)
	near := func(name string, got, want, rel float64) {
		if math.Abs(got-want) > rel*math.Abs(want) {
			t.Errorf("%s %s = %.5f, nlme %.5f (tolerance %.0f%%)", method, name, got, want, 100*rel)
		}
	}
	near("lKe", lke, theoLKe, tolLog)
	near("lKa", lka, theoLKa, tolKa)
	near("lCl", lcl, theoLCl, tolLog)
	near("ω²ka", m.Omega.At(0, 0), theoVarKa, tolOmega)
	near("ω²cl", m.Omega.At(1, 1), theoVarCl, tolOmega)
	near("σ", m.Error.Add, theoSigma, tolSigma)
}

// BenchmarkFOCEITheoph: the 12-subject theophylline FOCE-I fit from the
// book's starting values with the covariance step (issue 22's target:
// < 1 s on 2 cores). Where Rscript and nlme are present it also reports
// nlme's CPU seconds per fit of the same model (testdata/nlme_theoph_time.R)
// and medtwin's CPU time per fit over nlme's.
func BenchmarkFOCEITheoph(b *testing.B) {
	ds := readTheoph(b)
	m := theophStart(b)
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		if _, err := m.FitFOCEI(ds, PopOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	cpu := (cpuSeconds() - cpu0) / float64(b.N)
	b.ReportMetric(cpu, "cpu_s/fit")
	b.StopTimer()
	if _, err := exec.LookPath("Rscript"); err != nil {
		b.Log("Rscript not found: no nlme timing")
		return
	}
	out, err := exec.Command("Rscript", "testdata/nlme_theoph_time.R").Output()
	if err != nil {
		b.Logf("nlme timing failed: %v", err)
		return
	}
	f := strings.Fields(string(out))
	if len(f) == 0 {
		return
	}
	r, err := strconv.ParseFloat(f[len(f)-1], 64)
	if err != nil || !(r > 0) {
		return
	}
	b.ReportMetric(r, "nlme_cpu_s/fit")
	b.ReportMetric(cpu/r, "x_nlme")
}

// TestFOCEINonConvergenceSaid: a fit stopped by its iteration limit says
// so, with what to try, rather than passing for an estimate.
func TestFOCEINonConvergenceSaid(t *testing.T) {
	res, err := theophStart(t).FitFOCEI(readTheoph(t), PopOptions{MaxIterations: 1, NoCovariance: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Converged || !strings.Contains(res.Warning, "no convergence") || !strings.Contains(res.Warning, "try") {
		t.Errorf("converged %v, warning %q", res.Converged, res.Warning)
	}
}
