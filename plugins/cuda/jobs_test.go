//go:build cgo

package cuda

import (
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/pk"
)

// trialJobs builds jobs the way `medtwin trial` does (a fine grid plus a point
// just before each dose) over regimens of every kind the job kernel takes.
func trialJobs(nonlinear bool) []cohort.Job {
	grid := func(end, step float64, doses []pk.Dose) []float64 {
		var g []float64
		for t := 0.0; t <= end+1e-9; t += step {
			g = append(g, math.Round(t/step)*step)
		}
		admins, _ := pk.Expand(doses)
		for _, a := range admins {
			if a.Time > 1e-6 && a.Time <= end {
				g = append(g, a.Time-1e-6)
			}
		}
		sort.Float64s(g)
		return g
	}
	var jobs []cohort.Job
	for s := 0; s < 12; s++ {
		f := 1 + 0.1*float64(s)
		regimens := []struct {
			m     pk.Model
			doses []pk.Dose
		}{
			{pk.Model{NCmt: 2, P: pk.Params{CL: 4.5 * f, V1: 58, Q2: 6.5, V2: 38}}, // vancomycin-like infusions, then a new dose from 48 h
				[]pk.Dose{{Amt: 1000, Rate: 1000, II: 12, ADDL: 3}, {Time: 48, Amt: 1250 + 50*float64(s), Rate: 1000, II: 12, ADDL: 3}}},
			{pk.Model{NCmt: 1, Absorption: true, P: pk.Params{KA: 1.5, CL: 3 * f, V1: 35, F: 0.8, ALAG: 0.5}}, // oral with lag and F
				[]pk.Dose{{Amt: 300, II: 12, ADDL: 7, Cmt: 1}}},
			{pk.Model{NCmt: 3, P: pk.Params{CL: 2 * f, V1: 10, Q2: 5, V2: 30, Q3: 1, V3: 60}}, // 3-compartment boluses
				[]pk.Dose{{Amt: 500, II: 24, ADDL: 3}, {Time: 30, Amt: 100}}},
			{pk.Model{NCmt: 1, P: pk.Params{CL: 5 * f, V1: 50}}, // overlapping infusions (8 h long, every 6 h)
				[]pk.Dose{{Amt: 800, Rate: 100, II: 6, ADDL: 6}}},
		}
		for _, r := range regimens {
			m := r.m
			if nonlinear {
				m.P.VMax, m.P.KM, m.P.CL = 20*f, 4, 0.5
				m.RTol, m.ATol, m.Integrator = 1e-10, 1e-12, pk.DOP853
			}
			jobs = append(jobs, cohort.Job{Model: m, Doses: r.doses, Times: grid(96, 0.05, r.doses)})
		}
	}
	return jobs
}

func compareJobs(t *testing.T, got, want []cohort.Job, tol float64) float64 {
	t.Helper()
	worst := 0.0
	for j := range want {
		if len(got[j].Conc) != len(want[j].Times) {
			t.Fatalf("job %d: %d values for %d times", j, len(got[j].Conc), len(want[j].Times))
		}
		for k, w := range want[j].Conc {
			if w > 1e-6 {
				worst = math.Max(worst, math.Abs(got[j].Conc[k]-w)/w)
			} else if math.Abs(got[j].Conc[k]-w) > 1e-9 {
				t.Fatalf("job %d at %v h: %v vs %v", j, want[j].Times[k], got[j].Conc[k], w)
			}
		}
	}
	if worst > tol {
		t.Errorf("worst relative difference %.2g, want <= %.2g", worst, tol)
	}
	return worst
}

// The job kernel, run on the CPU, agrees with pk's exact path on infusions
// (overlapping too), oral doses with lag and F, 3 compartments and changed
// regimens within 1e-9 relative, the GPU acceptance bound, on trial grids;
// chunking does not change a bit.
func TestEmulatedJobsMatchCPU(t *testing.T) {
	cpu, _ := cohort.Runner("cpu")
	want, got := trialJobs(false), trialJobs(false)
	if err := cpu.SimulateJobs(want); err != nil {
		t.Fatal(err)
	}
	if err := (Emulator{}).SimulateJobs(got); err != nil {
		t.Fatal(err)
	}
	t.Logf("linear jobs: worst relative difference %.2g", compareJobs(t, got, want, 1e-9))
	small := trialJobs(false)
	if err := (Emulator{MaxSubjects: 5}).SimulateJobs(small); err != nil {
		t.Fatal(err)
	}
	for j := range got {
		for k := range got[j].Conc {
			if math.Float64bits(small[j].Conc[k]) != math.Float64bits(got[j].Conc[k]) {
				t.Fatalf("job %d changes with 5-job chunks", j)
			}
		}
	}
}

// With Michaelis–Menten elimination the job kernel's RK4 (steps <= 1/64 h)
// stays within 1e-6 relative of DOP853 at rtol 1e-10.
func TestEmulatedNonlinearJobsMatchCPU(t *testing.T) {
	cpu, _ := cohort.Runner("cpu")
	want, got := trialJobs(true), trialJobs(true)
	if err := cpu.SimulateJobs(want); err != nil {
		t.Fatal(err)
	}
	if err := (Emulator{}).SimulateJobs(got); err != nil {
		t.Fatal(err)
	}
	t.Logf("nonlinear jobs: worst relative difference %.2g", compareJobs(t, got, want, 1e-6))
}

// A steady-state record is refused with the job and record named; a budget
// below one job is an error, not a hang.
func TestJobErrors(t *testing.T) {
	jobs := []cohort.Job{{Model: pk.Model{NCmt: 1, P: pk.Params{CL: 5, V1: 50}}, Doses: []pk.Dose{{Amt: 100}}, Times: []float64{0, 1}},
		{Model: pk.Model{NCmt: 1, P: pk.Params{CL: 5, V1: 50}}, Doses: []pk.Dose{{Amt: 100, II: 12, SS: 1, Source: "arm \"SS\" record 1"}}, Times: []float64{0, 1}}}
	err := (Emulator{}).SimulateJobs(jobs)
	if err == nil || !strings.Contains(err.Error(), "job 1") || !strings.Contains(err.Error(), "arm \"SS\" record 1") || !strings.Contains(err.Error(), "CPU backend") {
		t.Errorf("SS record: %v", err)
	}
	if err := (Emulator{Budget: 10}).SimulateJobs(jobs[:1]); err == nil || !strings.Contains(err.Error(), "more than the 10 available") {
		t.Errorf("tiny budget: %v", err)
	}
}
