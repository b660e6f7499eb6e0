package trial

import (
	"errors"
	"fmt"
	"sort"

	"github.com/medtwin/medtwin/engine/par"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/pk"
)

// langJobs makes subject i's jobs, one per arm, for a model-language model.
func (s *Spec) langJobs(subj Subject, typ map[string]float64) ([]job, error) {
	i := subj.ID
	lm := s.Lang
	p, params, err := lm.subjectParams(typ, lm.Etas(s.Seed, i))
	if err != nil {
		return nil, fmt.Errorf("%s: params(s), subject %d: %v", s.Path, i, err)
	}
	var jobs []job
	for a, arm := range s.Arms {
		doses, err := s.armDoses(arm, subj)
		if err != nil {
			return nil, err
		}
		md, err := lm.langDoses(doses)
		if err != nil {
			return nil, fmt.Errorf("%s: subject %d: %v", s.Where, i, err)
		}
		res := Result{Subject: i, Arm: a, Covariates: subj.Values, Params: params}
		if admins, err := pk.Expand(doses); err == nil {
			for _, ad := range admins {
				if ad.Time <= s.horizon() {
					res.TotalDose += ad.Amount
				}
			}
		}
		jobs = append(jobs, job{res: res, lang: &langSubject{lm: lm, p: p, doses: md}, doses: doses})
	}
	return jobs, nil
}

// simulateLang runs the model-language jobs on runner when it runs such
// models (cohort.ModelRunner), else on the CPU backend: each on the grid
// (plus a point just before each dose, as for pk models) and, for the first
// subjects when the spec asks, on the series times.
func (s *Spec) simulateLang(runner cohort.JobRunner, jobs []job, base, series []float64) error {
	names := s.quantities()
	end := s.horizon()
	var mjobs []cohort.ModelJob
	gridJob, seriesJob := make([]int, len(jobs)), make([]int, len(jobs))
	fail := func(j int, err error) error {
		return fmt.Errorf("%s: subject %d, arm %q: %w", s.Path, jobs[j].res.Subject, s.Arms[jobs[j].res.Arm].Name, err)
	}
	for j := range jobs {
		jb := &jobs[j]
		gridJob[j], seriesJob[j] = -1, -1
		if jb.lang == nil {
			continue
		}
		in, err := jb.lang.instance()
		if err != nil {
			return fail(j, err)
		}
		grid := append([]float64(nil), base...)
		admins, _ := pk.Expand(jb.doses)
		for _, a := range admins {
			t := a.Time + jb.lang.lag(in, a.Cmt)
			if t > 1e-6 && t <= end {
				grid = append(grid, t-1e-6)
			}
		}
		sort.Float64s(grid)
		gridJob[j] = len(mjobs)
		mjobs = append(mjobs, jb.lang.job(grid, names))
		if len(series) > 0 && jb.res.Subject < s.Series.Subjects {
			seriesJob[j] = len(mjobs)
			mjobs = append(mjobs, jb.lang.job(series, []string{"conc"}))
		}
	}
	if len(mjobs) == 0 {
		return nil
	}
	mr, ok := runner.(cohort.ModelRunner)
	if !ok {
		var err error
		if mr, err = cohort.ModelRunnerFor("cpu"); err != nil {
			return err
		}
	}
	if err := mr.SimulateModels(mjobs); err != nil {
		var je *cohort.JobError
		if errors.As(err, &je) {
			for j := range jobs {
				if gridJob[j] == je.Job || seriesJob[j] == je.Job {
					return fail(j, je.Err)
				}
			}
		}
		return fmt.Errorf("%s: %w", s.Path, err)
	}
	par.Strided(len(jobs), 0, func(_, j int) {
		jb := &jobs[j]
		if jb.lang == nil {
			return
		}
		g := &mjobs[gridJob[j]]
		curves := map[string][]float64{}
		for k, n := range names {
			curves[n] = g.Values[k]
		}
		for _, e := range s.Endpoints {
			jb.res.Endpoints = append(jb.res.Endpoints, e.Eval(g.Times, curves[e.of()]))
		}
		if k := seriesJob[j]; k >= 0 {
			jb.res.Series = mjobs[k].Values[0]
		}
		s.finish(jb, g.Times, curves["conc"])
	})
	return nil
}
