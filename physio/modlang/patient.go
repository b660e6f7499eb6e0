package modlang

import (
	"fmt"

	"github.com/medtwin/medtwin/physio/models"
)

// Patient is a compiled model with its parameters bound, as a models.Model:
// the form physio/twin advances lazily in hybrid scenarios
// (sim:patient(m, params)). The model's F and ALAG apply to doses given
// through the twin as to Simulate's dosing records (see models.Dosing).
type Patient struct {
	in   *Instance
	info models.Info
	p    []float64
	// check validates a full parameter set before Set keeps it (a
	// retired built-in model's constraints, models.Validate; nil: none)
	check func(map[string]float64) error
}

// Patient returns the model with parameters over its defaults (an unknown
// name is an error that suggests the nearest).
func (m *Model) Patient(over map[string]float64) (*Patient, error) {
	p, err := m.Params(over)
	if err != nil {
		return nil, err
	}
	in := m.NewInstance()
	if err := in.SetParams(p); err != nil {
		return nil, err
	}
	info := models.Info{Name: m.Spec.Name, Description: m.Spec.Description, Citation: m.Spec.Citation,
		TimeUnit: m.Spec.TimeUnit, Outputs: m.Spec.Outputs}
	if info.TimeUnit == "" {
		info.TimeUnit = "h"
	}
	y := make([]float64, m.NumStates())
	in.Init(y)
	for i, s := range m.Spec.States {
		info.States = append(info.States, models.State{Name: s.Name, Unit: s.Unit, Init: y[i]})
	}
	for i, q := range m.Spec.Params {
		info.Params = append(info.Params, models.Param{Name: q.Name, Value: p[i], Unit: q.Unit, Doc: q.Doc, Source: q.Source})
	}
	return &Patient{in: in, info: info, p: p}, nil
}

// Info describes the model with the bound parameter values.
func (pt *Patient) Info() models.Info { return pt.info }

// Deriv is the compiled right-hand side.
func (pt *Patient) Deriv(t float64, y, dy []float64) { pt.in.RHS(t, y, dy) }

// Output returns a named output, assigned quantity or state at (t, y).
func (pt *Patient) Output(name string, t float64, y []float64) (float64, error) {
	return pt.in.Value(name, t, y)
}

// Set changes a parameter during a run.
func (pt *Patient) Set(name string, v float64) error {
	i := pt.in.M.ParamIndex(name)
	if i < 0 {
		var names []string
		for _, q := range pt.info.Params {
			names = append(names, q.Name)
		}
		return fmt.Errorf("model %s: no parameter %q%s", pt.info.Name, name, suggest(name, names))
	}
	if pt.check != nil {
		p := map[string]float64{}
		for k, q := range pt.info.Params {
			p[q.Name] = q.Value
			if k == i {
				p[q.Name] = v
			}
		}
		if err := pt.check(p); err != nil {
			return err // the parameter keeps its value
		}
	}
	pt.p[i] = v
	pt.info.Params[i].Value = v
	return pt.in.SetParams(pt.p)
}

// DoseF is the model's bioavailability F of state i (1 where it declares none).
func (pt *Patient) DoseF(i int) float64 { return pt.in.bioavail(i) }

// DoseLag is the model's lag time ALAG of state i in its time unit (0 where
// it declares none).
func (pt *Patient) DoseLag(i int) float64 { return pt.in.lagTime(i) }

func init() {
	models.RegisterLanguage(func(name string, params map[string]float64) (models.Model, error) {
		m, err := Library(name)
		if err != nil {
			return nil, err
		}
		pt, err := m.Patient(params)
		if err != nil {
			return nil, err
		}
		// the constraints of the Go model it replaces (models.New checks
		// the initial values)
		pt.check = func(p map[string]float64) error { return models.Validate(name, p) }
		return pt, nil
	})
}
