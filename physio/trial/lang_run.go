package trial

import (
	"fmt"
	"sort"

	"github.com/medtwin/medtwin/engine/par"
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

// simulateLang runs the model-language jobs on all cores: each on the grid
// (plus a point just before each dose, as for pk models) and, for the first
// subjects when the spec asks, on the series times.
func (s *Spec) simulateLang(jobs []job, base, series []float64) error {
	names := s.quantities()
	end := s.horizon()
	errs := make([]error, len(jobs))
	par.Strided(len(jobs), 0, func(_, j int) {
		jb := &jobs[j]
		if jb.lang == nil {
			return
		}
		fail := func(err error) {
			errs[j] = fmt.Errorf("%s: subject %d, arm %q: %w", s.Path, jb.res.Subject, s.Arms[jb.res.Arm].Name, err)
		}
		in, err := jb.lang.instance()
		if err != nil {
			fail(err)
			return
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
		curves, err := jb.lang.curves(grid, names)
		if err != nil {
			fail(err)
			return
		}
		for _, e := range s.Endpoints {
			jb.res.Endpoints = append(jb.res.Endpoints, e.Eval(grid, curves[e.of()]))
		}
		if len(series) > 0 && jb.res.Subject < s.Series.Subjects {
			c, err := jb.lang.curves(series, []string{"conc"})
			if err != nil {
				fail(err)
				return
			}
			jb.res.Series = c["conc"]
		}
		s.finish(jb, grid, curves["conc"])
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
