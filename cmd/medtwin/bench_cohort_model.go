package main

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/medtwin/medtwin/engine/par"
	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/modlang"
	"github.com/medtwin/medtwin/physio/pk"
	"github.com/urfave/cli/v2"
)

// benchCohortModel is `medtwin bench cohort --model NAME`: the reference
// cohort's dosing (100 mg every 12 h to 324 h into the model's first state,
// hourly outputs to 336 h) through a library model of the model language on
// --backend, in rounds alternating with the hand-written exact paths on the
// CPU (all cores) over the reference subjects: physio/pk's per subject (what
// the 50% target is on, as modlang's BenchmarkReferenceCohortExact)
// and the cpu backend's batch. A model with
// the reference cohort's parameters (KA, CL, V1, Q2, V2: pk2_oral) takes the
// reference subjects, so that its first output is checked against the exact
// path's concentrations; any other takes its defaults times exp(N(0, 0.3²))
// on every parameter, each subject from its own stream (as `bench tmdd`).
// Linear models run with the backend's default options (exact on the CPU),
// nonlinear ones at rtol 1e-8, atol 1e-10 (a trial's). On a backend other
// than cpu the CPU backend also runs the same jobs once, for its rate and the
// worst difference.
func benchCohortModel(c *cli.Context, name string) error {
	m, err := modlang.Library(name)
	if err != nil {
		return fmt.Errorf("bench cohort --model: %v", err)
	}
	n := c.Int("subjects")
	if n < 1 {
		return fmt.Errorf("bench cohort --model: --subjects %d: want at least 1", n)
	}
	backend := backendFlag(c)
	mr, err := cohort.ModelRunnerFor(backend)
	if err != nil {
		return err
	}
	cpu, err := cohort.Get("cpu")
	if err != nil {
		return err
	}
	refParams := slices.IndexFunc([]string{"KA", "CL", "V1", "Q2", "V2"}, func(p string) bool { return m.ParamIndex(p) < 0 }) < 0
	var rc pk.ReferenceCohort
	pdoses, ptimes := rc.Doses(), rc.Times()
	var batch, exact, ours float64
	var jobs []cohort.ModelJob
	var ref *cohort.Batch
	for r := 0; r < c.Int("rounds"); r++ {
		ref = cohort.ReferenceBatch(1, 0, n)
		t0 := time.Now()
		if err := cpu.Simulate(ref); err != nil {
			return err
		}
		batch = math.Max(batch, float64(n)/time.Since(t0).Seconds())
		errs := make([]error, n)
		t0 = time.Now()
		par.Strided(n, 0, func(_, i int) { _, errs[i] = rc.Subject(1, i).Simulate(pdoses, ptimes, pk.Exact) })
		exact = math.Max(exact, float64(n)/time.Since(t0).Seconds())
		if err := errors.Join(errs...); err != nil {
			return err
		}
		jobs = referenceModelJobs(m, n, refParams)
		t0 = time.Now()
		if err := mr.SimulateModels(jobs); err != nil {
			return err
		}
		ours = math.Max(ours, float64(n)/time.Since(t0).Seconds())
	}
	what := fmt.Sprintf("model %s on %s", name, mr.Name())
	rows := []benchRow{
		{Name: "hand-written exact path (physio/pk), all cores", Value: exact, Unit: "subjects/s"},
		{Name: "hand-written exact batch (cpu backend)", Value: batch, Unit: "subjects/s"},
		{Name: what, Value: ours, Unit: "subjects/s", Floor: exact, Ratio: ours / exact},
		{Name: what + " vs the batch", Value: ours, Unit: "subjects/s", Floor: batch, Ratio: ours / batch},
	}
	if mr.Name() == "cpu" && m.Linear() {
		rows[2].Target = ">= 0.5 of the exact path"
	}
	if mr.Name() != "cpu" {
		want := referenceModelJobs(m, n, refParams)
		cm, err := cohort.ModelRunnerFor("cpu")
		if err != nil {
			return err
		}
		t0 := time.Now()
		if err := cm.SimulateModels(want); err != nil {
			return err
		}
		rate := float64(n) / time.Since(t0).Seconds()
		worst := 0.0
		for j := range want {
			worst = math.Max(worst, worstOfScale(jobs[j].Values[0], want[j].Values[0]))
		}
		rows = append(rows,
			benchRow{Name: fmt.Sprintf("model %s on cpu, once", name), Value: rate, Unit: "subjects/s", Floor: exact, Ratio: rate / exact},
			benchRow{Name: what + " vs cpu", Value: ours, Unit: "subjects/s", Floor: rate, Ratio: ours / rate},
			benchRow{Name: what + ", worst |difference| to cpu / scale", Value: worst})
	}
	if refParams {
		nt := len(ref.Times)
		worst := 0.0
		for j := range jobs {
			worst = math.Max(worst, worstOfScale(jobs[j].Values[0], ref.Conc[j*nt:(j+1)*nt]))
		}
		rows = append(rows, benchRow{Name: what + ", worst |difference| to the exact path / scale", Value: worst, Target: "<= 1e-8"})
	}
	return printBench(c, rows)
}

// referenceModelJobs makes the n subjects' jobs (see benchCohortModel).
func referenceModelJobs(m *modlang.Model, n int, refParams bool) []cohort.ModelJob {
	var rc pk.ReferenceCohort
	times := rc.Times()
	doses := []modlang.Dose{{Amt: 100, II: 12, ADDL: 27}}
	var o modlang.SimOptions
	if !m.Linear() {
		o.RTol, o.ATol = 1e-8, 1e-10
	}
	typ := m.Defaults()
	jobs := make([]cohort.ModelJob, n)
	for i := range jobs {
		p := slices.Clone(typ)
		if refParams {
			s := rc.Subject(1, i).P
			for name, v := range map[string]float64{"KA": s.KA, "CL": s.CL, "V1": s.V1, "Q2": s.Q2, "V2": s.V2} {
				p[m.ParamIndex(name)] = v
			}
		} else {
			st := rng.New(1, 0, "bench-cohort-model", uint64(i))
			for k := range p {
				p[k] *= math.Exp(st.Normal(0, 0.3))
			}
		}
		jobs[i] = cohort.ModelJob{Model: m, Params: p, Doses: doses, Times: times, Options: o}
	}
	return jobs
}

// worstOfScale is the largest |got − want| over the largest |want|.
func worstOfScale(got, want []float64) float64 {
	scale, worst := 0.0, 0.0
	for k, w := range want {
		scale = math.Max(scale, math.Abs(w))
		worst = math.Max(worst, math.Abs(got[k]-w))
	}
	if scale == 0 {
		return worst
	}
	return worst / scale
}
