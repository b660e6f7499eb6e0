// Package models holds published patient models, each with its citation and
// parameter table, behind one interface so that the Lua host, `medtwin models`
// and the cohort engine can use any of them by name.
package models

import (
	"fmt"
	"sort"
	"strings"
)

// Param is one model parameter with its unit and source.
type Param struct {
	Name   string
	Value  float64
	Unit   string
	Doc    string
	Source string
}

// State is one state variable.
type State struct {
	Name string
	Unit string
	Init float64
}

// Info describes a model.
type Info struct {
	Name        string
	Description string
	Citation    string
	TimeUnit    string // "h", "min" or "s"
	States      []State
	Params      []Param
	// Outputs are derived quantities Output can compute (e.g. conc_mg_l, map_mmhg).
	Outputs []string
}

// Model is an ODE patient model with parameter values bound.
type Model interface {
	Info() Info
	// Deriv writes dy/dt at time t (in the model's TimeUnit) for state y into
	// dy (len(dy) == len(y)). External inputs (an infusion rate, a treatment)
	// are parameters changed by Set between calls, not arguments.
	Deriv(t float64, y, dy []float64)
	// Output computes a named derived quantity from the state.
	Output(name string, t float64, y []float64) (float64, error)
	// Set changes a parameter (a dose rate, a treatment) during a run.
	Set(name string, v float64) error
}

type factory func(p map[string]float64) Model

var registry = map[string]struct {
	info Info
	make factory
}{}

func register(info Info, f factory) {
	registry[info.Name] = struct {
		info Info
		make factory
	}{info, f}
}

// List returns the built-in models sorted by name.
func List() []Info {
	out := make([]Info, 0, len(registry))
	for _, r := range registry {
		out = append(out, r.info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// New returns the named model with its published parameters, overridden by
// params (unknown names are an error that lists the known ones). A retired
// model (Retired) is built from its model-language file.
func New(name string, params map[string]float64) (Model, error) {
	if _, ok := registry[name]; !ok {
		names := make([]string, 0, len(registry))
		for n := range registry {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("models: no model %q (built-in: %s)", name, strings.Join(names, ", "))
	}
	if m, ok, err := fromLanguage(name, params); ok {
		return m, err
	}
	return NewGo(name, params)
}

// NewGo returns the named model's Go version even where it is retired (the
// reference its model-language file is tested against).
func NewGo(name string, params map[string]float64) (Model, error) {
	r, ok := registry[name]
	if !ok {
		return New(name, params)
	}
	p := map[string]float64{}
	for _, prm := range r.info.Params {
		p[prm.Name] = prm.Value
	}
	for k, v := range params {
		if _, ok := p[k]; !ok {
			known := make([]string, 0, len(p))
			for _, prm := range r.info.Params {
				known = append(known, prm.Name)
			}
			return nil, fmt.Errorf("models: %s has no parameter %q (parameters: %s)", name, k, strings.Join(known, ", "))
		}
		p[k] = v
	}
	m := r.make(p)
	if v, ok := m.(validator); ok {
		if err := v.validate(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// validator is a model whose parameters have constraints beyond a value each
// (checked by New, and by Set before a change is kept).
type validator interface{ validate() error }

// Init returns the initial state of a model.
func Init(m Model) []float64 {
	st := m.Info().States
	y := make([]float64, len(st))
	for i, s := range st {
		y[i] = s.Init
	}
	return y
}

// params is a name→value map shared by the models' Set methods.
type params map[string]float64

func (p params) set(model, name string, v float64) error {
	if _, ok := p[name]; !ok {
		return fmt.Errorf("models: %s has no parameter %q", model, name)
	}
	p[name] = v
	return nil
}

func unknownOutput(model, name string, outs []string) error {
	return fmt.Errorf("models: %s has no output %q (outputs: %s)", model, name, strings.Join(outs, ", "))
}
