//go:build cgo

package cuda

import (
	"bytes"
	"fmt"
	"math"
	"os/exec"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
)

var _ cohort.ModelRunner = (*Worker)(nil)

// modelJobs returns model-language jobs as a trial mixes them: two models
// (tmdd_qss, nonlinear; pk2_oral, linear), two grids of output times,
// outputs the models declare and quantities they do not (the assignment
// "bound", the state "periph"), boluses, repeated doses and an infusion;
// then one job on the stiff path (radau5), which the kernel does not take.
func modelJobs(t *testing.T) []cohort.ModelJob {
	t.Helper()
	tmdd, err := modlang.Library("tmdd_qss")
	if err != nil {
		t.Fatal(err)
	}
	pk2, err := modlang.Library("pk2_oral")
	if err != nil {
		t.Fatal(err)
	}
	var gridA, gridB []float64
	for k := 0; k <= 42; k++ {
		gridA = append(gridA, 8*float64(k))
	}
	for k := 0; k <= 40; k++ {
		gridB = append(gridB, 5*float64(k))
	}
	gridB = append(gridB[:5], append([]float64{24 - 1e-6}, gridB[5:]...)...) // just before a dose, as trials add
	o := modlang.SimOptions{RTol: 1e-12, ATol: 1e-14}
	var jobs []cohort.ModelJob
	for i := range 14 {
		f := 1 + 0.1*float64(i)
		switch i % 3 {
		case 0, 1:
			p := tmdd.Defaults()
			p[tmdd.ParamIndex("CL")] *= f
			jb := cohort.ModelJob{Model: tmdd, Params: p, Times: gridA, Names: []string{"rtot", "c"}, Options: o,
				Doses: []modlang.Dose{{Amt: 50 * f, II: 168, ADDL: 1}, {Time: 24, Amt: 20, Rate: 10, Cmt: "total"}}}
			if i%3 == 1 {
				jb.Times, jb.Names = gridB, []string{"c", "bound"}
			}
			jobs = append(jobs, jb)
		case 2:
			p := pk2.Defaults()
			p[pk2.ParamIndex("KA")] *= f
			jobs = append(jobs, cohort.ModelJob{Model: pk2, Params: p, Times: gridA, Options: o,
				Doses: []modlang.Dose{{Amt: 100, II: 12, ADDL: 27, Cmt: "depot"}}})
		}
	}
	jobs[11].Names = []string{"periph", "cp"}
	stiff := jobs[0]
	stiff.Options.Path = modlang.Radau5Path
	return append(jobs, stiff)
}

// againstCPU runs the first n of modelJobs on mr and on the CPU backend.
func againstCPU(t *testing.T, mr cohort.ModelRunner, n int) (got, want []cohort.ModelJob) {
	t.Helper()
	got, want = modelJobs(t)[:n], modelJobs(t)[:n]
	if err := mr.SimulateModels(got); err != nil {
		t.Fatal(err)
	}
	cpu, _ := cohort.ModelRunnerFor("cpu")
	if err := cpu.SimulateModels(want); err != nil {
		t.Fatal(err)
	}
	return got, want
}

// Model-language jobs through the worker protocol (the fake worker runs the
// generated kernels with the host C compiler, as the device does with
// NVRTC), in the pipe and in shared memory, in launches of at most 4 jobs,
// agree with the CPU backend within 1e-10 of each curve's scale, whatever
// their grouping; the stiff-path job runs on the CPU, and the note says so.
func TestWorkerModelsRoundTrip(t *testing.T) {
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no C compiler to stand in for NVRTC")
	}
	dir := t.TempDir()
	bothWays(t, func(t *testing.T, shmMin int) {
		w := fakeWorker(t, "emu")
		w.Env = append(w.Env, fakeCCDirEnv+"="+dir)
		var log bytes.Buffer
		w.MaxSubjects, w.shmMin, w.Log = 4, shmMin, &log
		got, want := againstCPU(t, w, 15)
		for j := range want {
			sameToScale(t, fmt.Sprintf("job %d", j), got[j].Values, want[j].Values, 1e-10)
		}
		if (w.shmMem != nil) != (shmMin > 0) {
			t.Errorf("shmMin %d: shared output mapped %v", shmMin, w.shmMem != nil)
		}
		if note := log.String(); note != "medtwin: cuda: 1 of 15 model jobs run on the CPU (job 14 first): the stiff path (radau5) is not on the GPU, whose kernel integrates with explicit Dormand–Prince steps\n" {
			t.Errorf("note %q", note)
		}
	})
}

// nanDevice's model kernel fails for every subject (NaN), as the generated
// kernel does past its step bound.
type nanDevice struct{ nullDevice }

func (nanDevice) LaunchModel(pm *PackedModel) error {
	for k := range pm.Out {
		pm.Out[k] = math.NaN()
	}
	return nil
}

// Jobs whose kernel run failed run again on the CPU, which gives what it
// gives alone (bit for bit), and the note says so.
func TestWorkerModelsFailedKernelRunsOnCPU(t *testing.T) {
	w := fakeWorker(t, "nan")
	var log bytes.Buffer
	w.Log = &log
	got, want := againstCPU(t, w, 5)
	for j := range want {
		for k := range want[j].Values {
			bitsEqual(t, fmt.Sprintf("job %d", j), got[j].Values[k], want[j].Values[k])
		}
	}
	if note := log.String(); !strings.Contains(note, "5 of 5 model jobs run on the CPU (job 0 first): the kernel failed (NaN") {
		t.Errorf("note %q", note)
	}
}

// A device error is reported for its request, and the worker goes on; a job
// the packing refuses is named by its index in the caller's slice.
func TestWorkerModelsErrors(t *testing.T) {
	w := fakeWorker(t, "devicefail")
	for range 2 {
		err := w.SimulateModels(modelJobs(t)[:3])
		if err == nil || !strings.Contains(err.Error(), "CUDA_ERROR_LAUNCH_FAILED") {
			t.Fatalf("SimulateModels: %v, want the device's error", err)
		}
	}
	jobs := modelJobs(t)
	jobs[6].Doses = []modlang.Dose{{Amt: 1, Cmt: "centrl"}}
	err := fakeWorker(t, "emu").SimulateModels(jobs)
	if err == nil || !strings.HasPrefix(err.Error(), "job 6: cuda: ") || !strings.Contains(err.Error(), "centrl") {
		t.Errorf("a dose into an unknown state: %v, want job 6 named", err)
	}
}

// A garbled model request ends the worker with an error naming what was
// wrong, and never reaches the kernel: arrays that do not match the sizes
// the source declares, events into states the model lacks, offsets that
// decrease, tolerances, a source without its sizes, an absurd length.
func TestServeRefusesGarbledModelRequests(t *testing.T) {
	good, err := PackModels(modelJobs(t)[:1])
	if err != nil {
		t.Fatal(err)
	}
	if err := serveOnce(t, func(c *wire) { c.put(opModel); c.putModel(good); c.put(false) }); err != nil {
		t.Fatalf("a good request: %v", err)
	}
	garble := func(f func(pm *PackedModel)) func(c *wire) {
		pm := *good
		pm.EvIdx, pm.EvOff = append([]int32(nil), good.EvIdx...), append([]int32(nil), good.EvOff...)
		f(&pm)
		return func(c *wire) { c.put(opModel); c.putModel(&pm); c.put(false) }
	}
	for _, tc := range []struct {
		name  string
		write func(c *wire)
		want  string
	}{
		{"parameters short", garble(func(pm *PackedModel) { pm.P = pm.P[1:] }), "parameters"},
		{"an event into state 7", garble(func(pm *PackedModel) { pm.EvIdx[0] = 7 }), "into state 7 (the model has 3 states)"},
		{"offsets past the end", garble(func(pm *PackedModel) { pm.EvOff[1] += 9 }), "offsets"},
		{"more outputs than the kernel's", garble(func(pm *PackedModel) { pm.NOut = 4 }), "4 outputs for a kernel that reports 3"},
		{"times short", garble(func(pm *PackedModel) { pm.Times = pm.Times[1:] }), "output times"},
		{"NaN tolerance", garble(func(pm *PackedModel) { pm.RTol = math.NaN() }), "tolerances"},
		{"no sizes in the source", garble(func(pm *PackedModel) { pm.Source = "int x;" }), "does not define mt_model_N"},
		{"another kernel", garble(func(pm *PackedModel) { pm.Kernel = "main" }), "kernel name"},
		{"a source of a terabyte", func(c *wire) { c.put(opModel); c.put(uint64(1 << 40)) }, "string of 1099511627776 bytes"},
	} {
		if err := serveOnce(t, tc.write); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}

// Steady-state dosing records (SS = 1 and 2) are solved on the CPU: such a
// job never goes to the kernel (whose events have no steady state and
// would refuse it), runs on the CPU bit for bit as alone, and the note
// says why.
func TestWorkerModelsSteadyStateRunsOnCPU(t *testing.T) {
	jobs := func() []cohort.ModelJob {
		jobs := modelJobs(t)[:3]
		jobs[1].Doses = append(jobs[1].Doses, modlang.Dose{Time: 48, Amt: 50, II: 24, SS: 1})
		jobs[2].Doses = append(jobs[2].Doses, modlang.Dose{Time: 30, Amt: 100, II: 12, SS: 2, Cmt: "depot"})
		return jobs
	}
	groups, cpu := groupModels(jobs())
	if len(groups) != 1 || len(groups[0].idx) != 1 || groups[0].idx[0] != 0 {
		t.Errorf("kernel groups %v, want job 0 alone", groups)
	}
	w := fakeWorker(t, "nan")
	var log bytes.Buffer
	w.Log = &log
	got, want := jobs(), jobs()
	if err := w.SimulateModels(got); err != nil {
		t.Fatal(err)
	}
	ref, _ := cohort.ModelRunnerFor("cpu")
	if err := ref.SimulateModels(want); err != nil {
		t.Fatal(err)
	}
	for j := range want {
		for k := range want[j].Values {
			bitsEqual(t, fmt.Sprintf("job %d", j), got[j].Values[k], want[j].Values[k])
		}
	}
	if note := log.String(); !strings.Contains(note, "2 of 3 model jobs run on the CPU (job 1 first): steady-state dosing records (SS = 1 or 2)") {
		t.Errorf("note %q (CPU jobs %v)", note, cpu.jobs)
	}
}
