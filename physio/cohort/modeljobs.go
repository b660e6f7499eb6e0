package cohort

import (
	"fmt"

	"github.com/medtwin/medtwin/physio/modlang"
)

// ModelJob is one subject of a cohort whose model is written in the model
// language (physio/modlang): the compiled model, the subject's parameter
// values, its dosing records and output times; a ModelRunner fills Values.
type ModelJob struct {
	Model *modlang.Model
	// Params in the model's declaration order (nil: the model's defaults).
	Params []float64
	Doses  []modlang.Dose
	Times  []float64
	// Names of the quantities to report (outputs, assigned names or states);
	// nil: the model's first output (its first state when it declares none).
	Names []string
	// Options of the solver (Path Auto: exact for a linear model, Taylor
	// otherwise).
	Options modlang.SimOptions
	// Values[k][i] is quantity Names[k] at Times[i].
	Values [][]float64
}

// ModelRunner is a Backend that also simulates model-language jobs: any
// model the language compiles (what `medtwin trial` with a `model{}` needs).
type ModelRunner interface {
	Backend
	SimulateModels(jobs []ModelJob) error
}

// names returns the job's reported quantities.
func (jb *ModelJob) names() []string {
	if jb.Names != nil {
		return jb.Names
	}
	if len(jb.Model.Spec.Outputs) > 0 {
		return jb.Model.Spec.Outputs[:1]
	}
	return []string{jb.Model.Spec.States[0].Name}
}

// SimulateModels runs the jobs on the CPU with the model's compiled tapes,
// on all cores (one instance per job, so the values do not depend on the
// number of cores). The first error is a *JobError naming its job.
func (cpu) SimulateModels(jobs []ModelJob) error {
	return eachJob(len(jobs), func(j int) error { return jobs[j].simulate() })
}

// simulate runs one job on the CPU.
func (jb *ModelJob) simulate() error {
	if jb.Model == nil {
		return fmt.Errorf("cohort: model job without a model")
	}
	in := jb.Model.NewInstance()
	if jb.Params != nil {
		if err := in.SetParams(jb.Params); err != nil {
			return err
		}
	}
	names := jb.names()
	jb.Values = make([][]float64, len(names))
	for k := range names {
		jb.Values[k] = make([]float64, len(jb.Times))
	}
	var verr error
	err := in.Simulate(jb.Doses, jb.Times, jb.Options, func(i int, t float64, y []float64) {
		for k, n := range names {
			v, e := in.Value(n, t, y)
			if e != nil && verr == nil {
				verr = e
			}
			jb.Values[k][i] = v
		}
	})
	if err != nil {
		return err
	}
	return verr
}

// ModelRunnerFor returns the named backend as a ModelRunner ("auto" as in
// Get).
func ModelRunnerFor(name string) (ModelRunner, error) {
	b, err := Get(name)
	if err != nil {
		return nil, err
	}
	r, ok := b.(ModelRunner)
	if !ok {
		return nil, fmt.Errorf("cohort: backend %q does not run model-language models", name)
	}
	return r, nil
}
