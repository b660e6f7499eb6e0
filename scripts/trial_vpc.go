package scripts

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/fit"
	"github.com/medtwin/medtwin/physio/pk"
	"github.com/medtwin/medtwin/physio/trial"
	lua "github.com/yuin/gopher-lua"
)

// SimulateFitDesign simulates sims replicates of the data set's design (each
// subject's doses, record times and covariates) from the fit in dir (its
// population.json) along the path a trial spec's `population = fit("DIR")`
// takes: the fit's loader, each virtual subject's parameters from the fit's
// θ, covariate relations and η = L·z drawn from the subject's own stream
// ("fit-eta", id) of seed, the PK through the trial's job runner (nil: the
// CPU backend; the exact path for linear models, the ODE path with the
// trial's tolerances otherwise), and the trial's residual error
// (sampling.residual from the fit's σ, stream ("residual", id), arm 0).
// Replicate r of subject i is virtual subject id r·N + i (N subjects), so
// the result does not depend on the number of cores. The result is
// sim[i][r][j], the simulated DV of subject i's record j in replicate r (0
// for records that are not observations), as fit's PCVPCOf takes it.
// A covariate enters with its value at the subject's first record (a trial
// subject's covariates do not change); a data set with resets (EVID 3 or 4)
// or a fit with exponential residual error has no trial equivalent and is
// an error saying so.
func SimulateFitDesign(dir string, ds *fit.DataSet, sims int, seed uint64, runner cohort.JobRunner) ([][][]float64, error) {
	if sims < 1 {
		return nil, fmt.Errorf("a simulation of the fit's design needs at least 1 replicate, got %d", sims)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	lt := &luaTrial{spec: &trial.Spec{Path: filepath.Join(filepath.Dir(abs), "vpc.lua"), Seed: seed}}
	pf, err := lt.loadPopulationFile(filepath.Base(abs))
	if err != nil {
		return nil, fmt.Errorf("fit(%q): %v", dir, err)
	}
	res, err := pf.residual()
	if err != nil {
		return nil, fmt.Errorf("fit(%q): %v", dir, err)
	}
	if runner == nil {
		if runner, err = cohort.Runner("cpu"); err != nil {
			return nil, err
		}
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	ns := len(ds.Subjects)
	jobs := make([]cohort.Job, 0, ns*sims)
	for i, s := range ds.Subjects {
		var doses []pk.Dose
		times := make([]float64, len(s.Records))
		for j, r := range s.Records {
			switch r.EVID {
			case fit.EvidReset, fit.EvidResetDose:
				return nil, fmt.Errorf("%s line %d: a reset (EVID %d) has no trial equivalent; the VPC cannot be simulated by the trial engine", ds.Source, r.Row, r.EVID)
			case fit.EvidDose:
				doses = append(doses, r.Dose)
			}
			times[j] = r.Time
		}
		st := L.NewTable()
		if len(s.Records) > 0 {
			for k, c := range ds.Covariates {
				st.RawSetString(c, lua.LNumber(s.Records[0].Cov[k]))
			}
		}
		for r := 0; r < sims; r++ {
			id := r*ns + i
			st.RawSetString("id", lua.LNumber(id))
			p, err := pf.subject(st, seed)
			if err != nil {
				return nil, fmt.Errorf("fit(%q), subject %s: %v", dir, s.ID, err)
			}
			m := trial.PKModel(p, p)
			if err := m.Validate(); err != nil {
				return nil, fmt.Errorf("fit(%q), subject %s, virtual subject %d: %v", dir, s.ID, id, err)
			}
			jobs = append(jobs, cohort.Job{Model: m, Doses: doses, Times: times})
		}
	}
	if err := runner.SimulateJobs(jobs); err != nil {
		var je *cohort.JobError
		if errors.As(err, &je) {
			return nil, fmt.Errorf("fit(%q), subject %s: %w", dir, ds.Subjects[je.Job/sims].ID, je.Err)
		}
		return nil, err
	}
	out := make([][][]float64, ns)
	for i, s := range ds.Subjects {
		out[i] = make([][]float64, sims)
		for r := 0; r < sims; r++ {
			id := r*ns + i
			c := jobs[i*sims+r].Conc
			rs := rng.New(seed, 0, "residual", uint64(id))
			ys := make([]float64, len(s.Records))
			for j, rec := range s.Records {
				if rec.Observed() {
					ys[j] = res.Observe(c[j], rs.Source())
				}
			}
			out[i][r] = ys
		}
	}
	return out, nil
}

// residual is the trial's residual error (sampling.residual) of the fit's σ.
func (pf *populationFile) residual() (pk.Residual, error) {
	switch pf.Sigma.Kind {
	case "additive":
		return pk.Residual{Add: pf.Sigma.Additive}, nil
	case "proportional":
		return pk.Residual{Prop: pf.Sigma.Proportional}, nil
	case "combined":
		return pk.Residual{Add: pf.Sigma.Additive, Prop: pf.Sigma.Proportional}, nil
	}
	return pk.Residual{}, fmt.Errorf("the fit's %s residual error has no trial equivalent (sampling.residual is additive and proportional); refit with a combined or proportional error", pf.Sigma.Kind)
}
