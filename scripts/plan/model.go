package plan

import (
	"context"

	"github.com/medtwin/medtwin/engine"
)

// Model is a model that builds an experiment from parameter values: what
// Compare, Sweep, Optimize and a sensitivity analysis need, and all they know
// of it. A Lua scenario (*scripts.Scenario) is one; a model built in Go with
// the engine is another (see ExampleModel in model_test.go), and gets the same
// verbs without Lua. This package imports only the engine.
type Model interface {
	// Describe returns the model's declarations and current settings.
	Describe() Description
	// With returns a copy of the model with one parameter set from its text
	// form (as --set gives it); an unknown name, an unparsable value or one out
	// of bounds is an error naming the declaration. The receiver is unchanged.
	With(name, value string) (Model, error)
	// NewExperiment returns the engine experiment that runs replications
	// [from, to) with the current parameter values and the given seed.
	NewExperiment(ctx context.Context, seed uint64, from, to int) engine.Experiment
	// Cost is the objective that Optimize minimises, at the current values.
	Cost() (float64, error)
}

// Description is what a Model declares.
type Description struct {
	Name         string
	Source       string // file the model came from (provenance), "" for a Go model
	SHA256       string // of the source, "" for a Go model
	Seed         uint64 // default seed
	Replications int    // default number of replications
	Params       []Param
	KPIs         []KPI // declared KPIs; a KPI the model records without declaring it has no direction
	// Horizon and Warmup of a replication in seconds, for provenance (0:
	// not told, as for a Go model that keeps its own).
	Horizon, Warmup float64
}

// Param declares one parameter of a Model.
type Param struct {
	Name     string
	Kind     string  // "number", "boolean", "string" or "list of numbers"
	Default  string  // as --set writes it
	Value    string  // current value, as --set writes it
	Min, Max float64 // bounds of a number (±Inf when unbounded)
	Integer  bool
	Unit     string
}

// KPI declares one KPI of a Model: which way is better, and its unit.
type KPI struct {
	Name   string
	Better Better
	Unit   string
}

// Better is the direction in which a KPI improves.
type Better int8

// Directions of a KPI.
const (
	Undeclared Better = 0
	Higher     Better = +1
	Lower      Better = -1
)

// ParseBetter reads "higher" or "lower".
func ParseBetter(s string) (Better, bool) {
	switch s {
	case "higher":
		return Higher, true
	case "lower":
		return Lower, true
	}
	return Undeclared, false
}

// Param returns the declaration of the named parameter, or nil.
func (d Description) Param(name string) *Param {
	for i := range d.Params {
		if d.Params[i].Name == name {
			return &d.Params[i]
		}
	}
	return nil
}

// Values returns the current parameter values by name (for provenance).
func (d Description) Values() map[string]string {
	m := make(map[string]string, len(d.Params))
	for _, p := range d.Params {
		m[p.Name] = p.Value
	}
	return m
}
