package trial

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/medtwin/medtwin/engine/par"
	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/pk"
)

// Result is one subject in one arm.
type Result struct {
	Subject    int
	Arm        int
	Covariates []float64 // in CovariateNames order
	Params     map[string]float64
	Endpoints  []float64
	Samples    []float64 // observations at SampleTimes, with residual error, as reported (NaN: a dropped BLQ level)
	BLQ        []bool    // each sample below the LLOQ (only when Spec.Quantification has one)
	TotalDose  float64   // mg given up to the last endpoint or sample time (after any adaptation)
	Series     []float64 // concentration at SeriesTimes, when the spec asks for a time series
	TargetMet  bool
}

// The ODE path's tolerances for nonlinear trial models: those of the
// reference benchmark (../shared/bench/cohort), amounts in mg.
const odeRTol, odeATol = 1e-8, 1e-10

// Run checks the spec (Validate) and simulates subjects [from, to) in every
// arm: covariates, typical parameters and doses from the spec's functions,
// one subject after another, the PK on all cores: on the exact path for
// linear models, on the ODE path (Taylor, rtol 1e-8) for models with
// Michaelis–Menten elimination (vmax, km). Results are in subject order, then
// arm order; they do not depend on the number of workers or on the range a
// subject is run in.
func (s *Spec) Run(ctx context.Context, from, to int) ([]Result, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if from < 0 || to < from {
		return nil, fmt.Errorf("trial: subjects [%d, %d) is not a range", from, to)
	}
	if s.Open != nil {
		closeFn, err := s.Open(ctx, (to-from)*len(s.Arms))
		if err != nil {
			return nil, err
		}
		defer closeFn()
	}
	covNames := s.CovariateNames()
	var jobs []job
	cov := make([]float64, len(covNames)-1)
	for i := from; i < to; i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := s.covariates(i, cov); err != nil {
			return nil, err
		}
		vals := append(append([]float64(nil), cov...), math.NaN())
		byName := map[string]float64{}
		for k, name := range covNames[:len(cov)] {
			byName[name] = cov[k]
		}
		if a, ok1 := byName["age_y"]; ok1 {
			if w, ok2 := byName["weight_kg"]; ok2 {
				if c, ok3 := byName["scr_mg_dl"]; ok3 {
					if crcl, err := pk.CockcroftGault(a, w, c, byName["female"] == 1); err == nil {
						vals[len(vals)-1] = crcl
					}
				}
			}
		}
		subj := Subject{ID: i, Names: covNames, Values: vals}
		typ := map[string]float64{}
		if s.Typical != nil {
			t, err := s.Typical(subj)
			if err != nil {
				return nil, err
			}
			for k, v := range t {
				typ[k] = v
			}
		}
		if s.Lang != nil {
			js, err := s.langJobs(subj, typ)
			if err != nil {
				return nil, err
			}
			jobs = append(jobs, js...)
			continue
		}
		params := s.subjectParams(i, typ)
		m := PKModel(params, typ)
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("%s: subject %d: %v", s.Path, i, err)
		}
		effect, err := s.newPD(params)
		if err != nil {
			return nil, fmt.Errorf("%s: subject %d: %v", s.Path, i, err)
		}
		for a, arm := range s.Arms {
			doses, err := s.armDoses(arm, subj)
			if err != nil {
				return nil, err
			}
			if arm.Adapt != nil {
				if doses, err = s.adapt(arm, subj, m, doses, a); err != nil {
					return nil, err
				}
			}
			jobs = append(jobs, job{res: Result{Subject: i, Arm: a, Covariates: vals, Params: params}, m: m, pd: effect, doses: doses})
		}
	}
	runner := s.Runner
	if runner == nil {
		var err error
		if runner, err = cohort.Runner("cpu"); err != nil {
			return nil, err
		}
	}
	// the PK in runs of up to 16 384 jobs and about 16 M output points (256 MB
	// of times and concentrations): a GPU runs one thread per job, so a run
	// must hold thousands of jobs to keep it busy (runs of 1 M points, 495
	// vancomycin jobs, used 4 of an H200's 132 multiprocessors and made the
	// trial slower on the GPU than on the CPU); the cap keeps a run's grids
	// from filling the memory. Each job's numbers do not depend on its run.
	per := int(math.Ceil(s.horizon()/s.Grid)) + 1 + len(s.SeriesTimes())
	step := min(16_384, max(1, 16_000_000/per))
	for lo := 0; lo < len(jobs); lo += step {
		if err := s.simulate(runner, jobs[lo:min(lo+step, len(jobs))]); err != nil {
			return nil, err
		}
	}
	out := make([]Result, len(jobs))
	for j := range jobs {
		out[j] = jobs[j].res
	}
	return out, nil
}

// job is one subject in one arm: its result row, model, effect model and
// (possibly adapted) regimen.
type job struct {
	res   Result
	lang  *langSubject // a model-language model (then m and pd are unused)
	m     pk.Model
	pd    pdModel
	doses []pk.Dose
}

// covariates fills cov with subject i's covariates: drawn from the population,
// or an imported patient (row i, or with resample a row drawn from the
// subject's own stream).
func (s *Spec) covariates(i int, cov []float64) error {
	if s.Patients == nil {
		if s.Population == nil {
			return nil // no covariates
		}
		return s.Population.Sample(s.Seed, uint64(i), cov)
	}
	rows := s.Patients.Rows
	k := i
	if s.Patients.Resample {
		k = rng.New(s.Seed, 0, "patient-resample", uint64(i)).IntN(len(rows))
	} else if i >= len(rows) {
		return fmt.Errorf("%s: subject %d, but population.patients has %d patients; ask for fewer subjects or set resample = true", s.Where, i, len(rows))
	}
	copy(cov, rows[k])
	return nil
}

// subjectParams returns a pk model subject's parameters: the typical values
// times exp(η), each η from the subject's own stream for that parameter
// (etaStream), so that one parameter's draw does not depend on which other
// parameters have variability or a non-zero typical value.
func (s *Spec) subjectParams(i int, typ map[string]float64) map[string]float64 {
	params := map[string]float64{}
	for _, p := range s.ParamNames() {
		v := typ[p]
		if sd := s.IIV[p]; sd > 0 && v != 0 {
			v *= math.Exp(sd * etaStream(s.Seed, p, i).Normal(0, 1))
		}
		params[p] = v
	}
	return params
}

// etaStream is subject's stream of the standard normal draw of parameter p's
// η, for pk models and model-language models alike.
func etaStream(seed uint64, p string, subject int) *rng.Stream {
	return rng.New(seed, 0, "eta:"+p, uint64(subject))
}

// armDoses returns the arm's dosing records for the subject, checked.
func (s *Spec) armDoses(arm Arm, subj Subject) ([]pk.Dose, error) {
	doses, err := arm.Doses(subj)
	if err != nil {
		return nil, err
	}
	if _, err := pk.Expand(doses); err != nil {
		return nil, fmt.Errorf("%s: subject %d: %v", s.Where, subj.ID, err)
	}
	return doses, nil
}

// simulate runs the PK of jobs through runner and fills their endpoints,
// samples, curves, total doses and target attainment.
func (s *Spec) simulate(runner cohort.JobRunner, jobs []job) error {
	// every job's grid (and curve) as backend jobs, one call for all
	end := s.horizon()
	base := make([]float64, int(math.Ceil(end/s.Grid))+1)
	for k := range base {
		base[k] = float64(k) * s.Grid
	}
	st := s.SeriesTimes()
	var pkJobs []cohort.Job
	gridJob, seriesJob := make([]int, len(jobs)), make([]int, len(jobs))
	for j := range jobs {
		jb := &jobs[j]
		if jb.lang != nil {
			gridJob[j], seriesJob[j] = -1, -1
			continue
		}
		// the grid plus a point just before each dose, so that no trapezoid of
		// an AUC spans the jump of a bolus
		grid := append([]float64(nil), base...)
		admins, _ := pk.Expand(jb.doses)
		for _, a := range admins {
			t := a.Time + jb.m.DoseLag(a.Cmt) // lag delays depot doses only
			if t > 1e-6 && t <= end {
				grid = append(grid, t-1e-6)
			}
			if a.Time <= end {
				jb.res.TotalDose += a.Amount
			}
		}
		sort.Float64s(grid)
		gridJob[j], seriesJob[j] = len(pkJobs), -1
		pkJobs = append(pkJobs, cohort.Job{Model: jb.m, Doses: jb.doses, Times: grid})
		if len(st) > 0 && jb.res.Subject < s.Series.Subjects {
			seriesJob[j] = len(pkJobs)
			pkJobs = append(pkJobs, cohort.Job{Model: jb.m, Doses: jb.doses, Times: st})
		}
	}
	if err := s.simulateLang(runner, jobs, base, st); err != nil {
		return err
	}
	if len(pkJobs) == 0 {
		return nil
	}
	if err := runner.SimulateJobs(pkJobs); err != nil {
		var je *cohort.JobError
		if errors.As(err, &je) {
			for j := range jobs {
				if gridJob[j] == je.Job || seriesJob[j] == je.Job {
					return fmt.Errorf("%s: subject %d, arm %q: %w", s.Path, jobs[j].res.Subject, s.Arms[jobs[j].res.Arm].Name, je.Err)
				}
			}
		}
		return fmt.Errorf("%s: %w", s.Path, err)
	}
	// endpoints, samples and the target, on all cores
	par.Strided(len(jobs), 0, func(_, j int) {
		jb := &jobs[j]
		if jb.lang != nil {
			return
		}
		grid, c := pkJobs[gridJob[j]].Times, pkJobs[gridJob[j]].Conc
		curves := map[string][]float64{"conc": c}
		for _, e := range s.Endpoints {
			of := e.of()
			if curves[of] == nil {
				curves[of] = jb.pd.series(of, grid, c)
			}
			jb.res.Endpoints = append(jb.res.Endpoints, e.Eval(grid, curves[of]))
		}
		if k := seriesJob[j]; k >= 0 {
			jb.res.Series = pkJobs[k].Conc
		}
		s.finish(jb, grid, c)
	})
	return nil
}

// finish draws a job's samples (residual error on the concentration) and
// checks its target.
func (s *Spec) finish(jb *job, grid, c []float64) {
	rs := rng.New(s.Seed, jb.res.Arm, "residual", uint64(jb.res.Subject))
	for _, ts := range s.SampleTimes {
		f := (cohort.Endpoint{Kind: "conc", At: ts}).Eval(grid, c)
		dv, blq := s.Quantification.Report(s.Residual.Observe(f, rs.Source()))
		jb.res.Samples = append(jb.res.Samples, dv)
		if s.Quantification.LLOQ > 0 {
			jb.res.BLQ = append(jb.res.BLQ, blq)
		}
	}
	if s.Target.Endpoint != "" {
		for k, e := range s.Endpoints {
			if e.Name == s.Target.Endpoint {
				v := jb.res.Endpoints[k]
				jb.res.TargetMet = v >= s.Target.Min && v <= s.Target.Max
			}
		}
	}
}

// adapt runs an arm's dose adjustments (see Adapt).
func (s *Spec) adapt(arm Arm, subj Subject, m pk.Model, doses []pk.Dose, a int) ([]pk.Dose, error) {
	armName := fmt.Sprintf("arm %q", arm.Name)
	for _, at := range arm.Adapt.At {
		var ts []float64
		for _, t := range s.SampleTimes {
			if t <= at {
				ts = append(ts, t)
			}
		}
		var levels []Level
		if len(ts) > 0 {
			c, err := m.Simulate(doses, ts, m.NaturalPath())
			if err != nil {
				return nil, fmt.Errorf("%s: subject %d, %s: %v", s.Path, subj.ID, armName, err)
			}
			rs := rng.New(s.Seed, a, "residual", uint64(subj.ID))
			for k, t := range ts {
				// every draw is made, so that the samples reported are the same
				dv, blq := s.Quantification.Report(s.Residual.Observe(c[k], rs.Source()))
				if !math.IsNaN(dv) {
					levels = append(levels, Level{Time: t, DV: dv, BLQ: blq})
				}
			}
		}
		admins, _ := pk.Expand(doses) // checked by armDoses and below
		kept := doses[:0:0]
		for _, ad := range admins {
			if ad.Time < at {
				kept = append(kept, ad.Record(armName))
			}
		}
		next, err := arm.Adapt.Fn(subj, levels, at, AdaptInfo{Arm: a, Given: slices.Clone(kept)})
		if err != nil {
			return nil, err
		}
		if next == nil {
			continue
		}
		if _, err := pk.Expand(next); err != nil {
			return nil, fmt.Errorf("%s: subject %d: %v", s.Where, subj.ID, err)
		}
		for _, d := range next {
			if d.Time < at {
				return nil, fmt.Errorf("%s: %s, subject %d: adapt at %g h returned a dose at %g h; new doses must be at or after %g h",
					s.Where, armName, subj.ID, at, d.Time, at)
			}
		}
		doses = append(kept, next...)
	}
	return doses, nil
}

// PKModel is the pk.Model of a subject: params are its individual
// parameters by the names model(s) returns (ka, cl, v1, q2, v2, q3, v3,
// vmax, km), typical its typical values (ncmt, and f and alag, which take no
// IIV). Nonlinear models run on the Taylor ODE path at the trial's
// tolerances.
func PKModel(params, typical map[string]float64) pk.Model {
	m := pk.Model{NCmt: int(typical["ncmt"]), Absorption: params["ka"] > 0, P: pk.Params{KA: params["ka"], CL: params["cl"], V1: params["v1"],
		Q2: params["q2"], V2: params["v2"], Q3: params["q3"], V3: params["v3"], F: typical["f"], ALAG: typical["alag"],
		VMax: params["vmax"], KM: params["km"]}}
	if m.NCmt == 0 {
		m.NCmt = 1
	}
	m.RTol, m.ATol, m.Integrator = odeRTol, odeATol, pk.Taylor // used only by nonlinear models
	return m
}
