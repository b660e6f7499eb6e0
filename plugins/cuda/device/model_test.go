//go:build cuda

package device

import (
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/medtwin/medtwin/plugins/cuda"
)

var (
	testDev     *Device
	testDevErr  error
	testDevOnce sync.Once
)

// dev opens device 0 once for the package's tests, or skips saying why.
func dev(t testing.TB) *Device {
	testDevOnce.Do(func() { testDev, testDevErr = Open() })
	if testDevErr != nil {
		t.Skipf("no CUDA device: %v", testDevErr)
	}
	return testDev
}

// tmddJobs are n subjects of the quasi-steady-state TMDD library model
// (nonlinear, two outputs) with clearances spread over 1x to 2x the default,
// a bolus repeated weekly and a 2-hour infusion into the total compartment.
func tmddJobs(t testing.TB, n int, opt modlang.SimOptions) []cohort.ModelJob {
	m, err := modlang.Library("tmdd_qss")
	if err != nil {
		t.Fatal(err)
	}
	times := make([]float64, 43)
	for k := range times {
		times[k] = 8 * float64(k)
	}
	jobs := make([]cohort.ModelJob, n)
	for i := range jobs {
		p := m.Defaults()
		p[m.ParamIndex("CL")] *= 1 + float64(i%101)/100
		jobs[i] = cohort.ModelJob{Model: m, Params: p, Times: times, Names: []string{"rtot", "c"}, Options: opt,
			Doses: []modlang.Dose{{Amt: 50 * float64(1+i%7), II: 168, ADDL: 1}, {Time: 24, Amt: 20, Rate: 10, Cmt: "total"}}}
	}
	return jobs
}

// onGPU packs jobs, runs the generated kernel on the device and unpacks.
func onGPU(t testing.TB, d *Device, jobs []cohort.ModelJob) {
	pm, err := cuda.PackModels(jobs)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.LaunchModel(pm); err != nil {
		t.Fatal(err)
	}
	pm.Unpack(jobs)
}

// Acceptance (issue 20, item 5): a model-language model compiled by NVRTC
// at run time and run on the GPU agrees with the CPU backend (modlang's own
// integrator) within 1e-10 of each curve's scale, as the host-compiled
// kernel does in plugins/cuda's TestPackedModelParity.
func TestGPUModelParity(t *testing.T) {
	d := dev(t)
	opt := modlang.SimOptions{RTol: 1e-12, ATol: 1e-14}
	got, want := tmddJobs(t, 2000, opt), tmddJobs(t, 2000, opt)
	t0 := time.Now()
	onGPU(t, d, got)
	t.Logf("2000 subjects on %s (NVRTC from %s, compile included): %v", d.Name(), nvrtc.path, time.Since(t0))
	cpu, err := cohort.ModelRunnerFor("cpu")
	if err != nil {
		t.Fatal(err)
	}
	if err := cpu.SimulateModels(want); err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i := range want {
		for k, name := range want[i].Names {
			scale := 0.0
			for _, v := range want[i].Values[k] {
				scale = math.Max(scale, math.Abs(v))
			}
			for n, w := range want[i].Values[k] {
				g := got[i].Values[k][n]
				worst = math.Max(worst, math.Abs(g-w)/scale)
				if !(math.Abs(g-w) <= 1e-10*scale) {
					t.Fatalf("subject %d, %s at t = %v: GPU %.17g, CPU %.17g", i, name, want[i].Times[n], g, w)
				}
			}
		}
	}
	t.Logf("worst difference, relative to each curve's scale: %.2g", worst)
}

// A source NVRTC cannot compile is an error carrying NVRTC's log.
func TestGPUCompileModelError(t *testing.T) {
	dev(t)
	_, err := CompileModel(`extern "C" __global__ void k(double *x) { x[0] = undefined_symbol; }`, "broken")
	if err == nil || !strings.Contains(err.Error(), "undefined_symbol") {
		t.Fatalf("error %v, want NVRTC's log naming undefined_symbol", err)
	}
}

// BenchmarkGPUModelCohort: TMDD (quasi-steady-state, nonlinear) for 1 M
// subjects on the GPU through the generated kernel, against the CPU backend
// (modlang's Taylor path, every core) on 20 000 of them, at rtol 1e-8:
// subjects per second each and the ratio.
func BenchmarkGPUModelCohort(b *testing.B) {
	d := dev(b)
	opt := modlang.SimOptions{RTol: 1e-8, ATol: 1e-10}
	onGPU(b, d, tmddJobs(b, 10, opt)) // compile once outside the timing
	cpu, err := cohort.ModelRunnerFor("cpu")
	if err != nil {
		b.Fatal(err)
	}
	const ng, nc = 1_000_000, 20_000
	var g, c float64
	for i := 0; i < b.N; i++ {
		jobs := tmddJobs(b, ng, opt)
		t0 := time.Now()
		onGPU(b, d, jobs)
		g = math.Max(g, ng/time.Since(t0).Seconds())
		jobs = tmddJobs(b, nc, opt)
		t0 = time.Now()
		if err := cpu.SimulateModels(jobs); err != nil {
			b.Fatal(err)
		}
		c = math.Max(c, nc/time.Since(t0).Seconds())
	}
	b.ReportMetric(g, "gpu_subjects/s")
	b.ReportMetric(c, "cpu_subjects/s")
	b.ReportMetric(g/c, "gpu/cpu")
}
