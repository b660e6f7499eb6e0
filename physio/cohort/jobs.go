package cohort

import (
	"fmt"

	"github.com/medtwin/medtwin/engine/par"
	"github.com/medtwin/medtwin/physio/pk"
)

// Job is one subject of a trial arm: its model, dosing records and output
// times; a JobRunner fills Conc (mg/L of the central compartment at Times).
type Job struct {
	Model pk.Model
	Doses []pk.Dose
	Times []float64
	Conc  []float64
}

// JobError is a job that could not be simulated.
type JobError struct {
	Job int // index in the slice given to SimulateJobs
	Err error
}

func (e *JobError) Error() string { return fmt.Sprintf("job %d: %v", e.Job, e.Err) }
func (e *JobError) Unwrap() error { return e.Err }

// JobRunner is a Backend that also simulates jobs: any model pk takes, any
// NONMEM-style records (what `medtwin trial` needs). Linear models go on the
// exact path, models with Michaelis–Menten elimination on an ODE path.
type JobRunner interface {
	Backend
	SimulateJobs(jobs []Job) error
}

// SimulateJobs runs the jobs on the CPU, on all cores: pk's exact path for
// linear models, its ODE path (the model's integrator and tolerances) for
// nonlinear ones. The first error is a *JobError naming its job.
func (cpu) SimulateJobs(jobs []Job) error {
	return eachJob(len(jobs), func(j int) error {
		jb := &jobs[j]
		c, err := jb.Model.Simulate(jb.Doses, jb.Times, jb.Model.NaturalPath())
		if err == nil {
			jb.Conc = c
		}
		return err
	})
}

// eachJob runs f for jobs 0..n-1 on all cores and returns the first error
// (by job index) as a *JobError.
func eachJob(n int, f func(j int) error) error {
	errs := make([]error, n)
	par.Strided(n, 0, func(_, j int) {
		if err := f(j); err != nil {
			errs[j] = &JobError{Job: j, Err: err}
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Runner returns the named backend as a JobRunner ("auto" as in Get).
func Runner(name string) (JobRunner, error) {
	b, err := Get(name)
	if err != nil {
		return nil, err
	}
	r, ok := b.(JobRunner)
	if !ok {
		return nil, fmt.Errorf("cohort: backend %q simulates batches only, not trial jobs", name)
	}
	return r, nil
}
