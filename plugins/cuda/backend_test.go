//go:build cuda

package cuda

import (
	"math"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine/benchref"
	"github.com/medtwin/medtwin/physio/cohort"
)

// gpu returns the registered CUDA backend or skips, saying why it cannot run
// (no worker beside the test binary, no driver, no device): the worker,
// bin/medtwin-cuda-worker from `make cuda`, is found beside bin/cuda.test.
func gpu(t testing.TB) cohort.Backend {
	be, err := cohort.Get("cuda")
	if err != nil {
		t.Skipf("no CUDA device: %v", err)
	}
	return be
}

func worstRel(a, b []float64, floor float64) float64 {
	w := 0.0
	for k := range a {
		if math.Abs(b[k]) > floor {
			w = math.Max(w, math.Abs(a[k]-b[k])/math.Abs(b[k]))
		}
	}
	return w
}

// Acceptance: the exact path on the GPU agrees with the CPU backend within
// 1e-9 relative, for 1, 2 and 3 compartments.
func TestGPUExactParity(t *testing.T) {
	be := gpu(t)
	cpu, _ := cohort.Get("cpu")
	for ncmt := 1; ncmt <= 3; ncmt++ {
		mk := func() *cohort.Batch {
			b := cohort.ReferenceBatch(11, 0, 20000)
			b.NCmt = ncmt
			for i := range b.Q3 {
				b.Q3[i], b.V3[i] = 3+float64(i%5), 40+float64(i%7)
			}
			return b
		}
		want, got := mk(), mk()
		if err := cpu.Simulate(want); err != nil {
			t.Fatal(err)
		}
		if err := be.Simulate(got); err != nil {
			t.Fatal(err)
		}
		w := worstRel(got.Conc, want.Conc, 1e-12)
		t.Logf("%d compartments, 20 000 subjects: worst relative difference %.2g", ncmt, w)
		if w > 1e-9 {
			t.Errorf("%d compartments: GPU differs from CPU by %.2g", ncmt, w)
		}
	}
}

// Acceptance: the nonlinear path on the GPU (RK4) agrees with the CPU
// backend's ODE path (Taylor) within 1e-6 relative, and with the CPU emulation of the
// same kernel within 1e-12.
func TestGPUMichaelisMentenParity(t *testing.T) {
	be := gpu(t)
	mk := func() *cohort.Batch { return mmBatch(2000) }
	cpu, _ := cohort.Get("cpu")
	want, emu, got := mk(), mk(), mk()
	for _, run := range []struct {
		be cohort.Backend
		b  *cohort.Batch
	}{{cpu, want}, {Emulator{}, emu}, {be, got}} {
		if err := run.be.Simulate(run.b); err != nil {
			t.Fatal(err)
		}
	}
	w, we := worstRel(got.Conc, want.Conc, 1e-6), worstRel(got.Conc, emu.Conc, 1e-9)
	t.Logf("GPU vs CPU ODE path: %.2g; GPU vs emulated kernel: %.2g", w, we)
	if w > 1e-6 || we > 1e-12 {
		t.Errorf("GPU vs CPU %.2g (want <= 1e-6), vs emulation %.2g (want <= 1e-12)", w, we)
	}
}

// BenchmarkGPUCohort runs 1 M subjects of the reference cohort (cohort_floor's
// own subjects) on the GPU and, in the same run, on the CPU backend and
// cohort_floor, and reports subjects/s and the ratios (target: >= 20x the CPU
// backend on the 2-core development machine).
func BenchmarkGPUCohort(b *testing.B) {
	be := gpu(b)
	cpu, _ := cohort.Get("cpu")
	const n = 1_000_000
	rate := func(x cohort.Backend) (float64, *cohort.Batch) {
		bt := cohort.FloorParams(n)
		t0 := time.Now()
		if err := x.Simulate(bt); err != nil {
			b.Fatal(err)
		}
		return n / time.Since(t0).Seconds(), bt
	}
	var g, c float64
	var gb, cb *cohort.Batch
	for i := 0; i < b.N; i++ {
		r, bt := rate(be)
		g, gb = math.Max(g, r), bt
		r, bt = rate(cpu)
		c, cb = math.Max(c, r), bt
	}
	b.ReportMetric(g, "gpu_subjects/s")
	b.ReportMetric(c, "cpu_subjects/s")
	b.ReportMetric(g/c, "gpu/cpu")
	b.ReportMetric(worstRel(gb.Conc, cb.Conc, 1e-12), "worst_rel_diff")
	if dir := benchref.Dir(); dir != "" {
		if bin, err := benchref.BuildC(dir, b.TempDir()); err == nil {
			if res, err := benchref.Run(bin, "1000000"); err == nil {
				b.ReportMetric(res["floor"]["subjects_per_s"], "floor_subjects/s")
				b.ReportMetric(g/res["floor"]["subjects_per_s"], "gpu/floor")
			}
		}
	}
}

// Acceptance for `medtwin trial --backend cuda`: trial jobs (infusions, oral
// with lag and F, 3 compartments, changed regimens) agree with the CPU backend
// within 1e-9 relative on the exact path and 1e-6 (RK4 vs DOP853) with
// Michaelis–Menten elimination.
func TestGPUJobsParity(t *testing.T) {
	be := gpu(t)
	jr, ok := be.(cohort.JobRunner)
	if !ok {
		t.Fatal("the cuda backend does not run trial jobs")
	}
	cpu, _ := cohort.Runner("cpu")
	for _, nonlinear := range []bool{false, true} {
		want, got := trialJobs(nonlinear), trialJobs(nonlinear)
		if err := cpu.SimulateJobs(want); err != nil {
			t.Fatal(err)
		}
		if err := jr.SimulateJobs(got); err != nil {
			t.Fatal(err)
		}
		tol := 1e-9
		if nonlinear {
			tol = 1e-6
		}
		t.Logf("nonlinear %v: worst relative difference %.2g", nonlinear, compareJobs(t, got, want, tol))
	}
}
