package models

import (
	"fmt"

	"github.com/medtwin/medtwin/physio/pk"
)

// SteadyStater is implemented by a model that can put itself in the steady
// state of a regimen, for NONMEM's SS records (Beal, Sheiner et al., NONMEM
// Users Guide Part V, ch. 6: SS=1 resets the state to the steady state of
// AMT every II, SS=2 adds that steady state to the current state). A model
// that does not implement it refuses SS records: it is integrated forward
// from its initial state only.
type SteadyStater interface {
	// SteadyState returns the state (in Info().States order and units) at
	// a dose time of the regimen d repeated every d.II forever, just before
	// that dose is given. d.Cmt is the 1-based state number (0: the first
	// state); d.Time, d.II are in the model's time unit and d.Rate per
	// model time unit; d.SS and d.ADDL are ignored. The model's F and ALAG
	// (Dosing) apply as to any dose.
	SteadyState(d pk.Dose) ([]float64, error)
}

// SteadyState solves the steady state with physio/pk (exactly, by the
// transition matrix, when the model is linear; by the fixed point of one
// interval on the ODE path with Michaelis–Menten elimination).
func (m *LinearPK) SteadyState(d pk.Dose) ([]float64, error) {
	p := m.p
	// the pk.Model of these parameters and which of this model's states
	// each of its states is: depot (when ka > 0), central, then the
	// peripherals that exist
	var idx []int
	pm := pk.Model{P: pk.Params{KA: p["ka"], CL: p["cl"], V1: p["v1"], VMax: p["vmax"], KM: p["km"], ALAG: p["alag"]}}
	if pm.Absorption = p["ka"] > 0; pm.Absorption {
		idx = append(idx, 0)
	}
	idx = append(idx, 1)
	pm.NCmt = 1
	for _, c := range []struct {
		q, v  string
		state int
	}{{"q2", "v2", 2}, {"q3", "v3", 3}} {
		if p[c.q] == 0 {
			continue
		}
		if pm.NCmt++; pm.NCmt == 2 {
			pm.P.Q2, pm.P.V2 = p[c.q], p[c.v]
		} else {
			pm.P.Q3, pm.P.V3 = p[c.q], p[c.v]
		}
		idx = append(idx, c.state)
	}
	if !pm.Linear() {
		pm.Integrator, pm.RTol, pm.ATol = pk.Taylor, 1e-10, 1e-12
	}
	state := max(d.Cmt, 1) - 1
	cmt := -1
	for k, s := range idx {
		if s == state {
			cmt = k + 1
		}
	}
	if cmt < 0 {
		return nil, fmt.Errorf("models: pk: a steady state of doses into %s needs that compartment (ka > 0 for the depot, q2 or q3 > 0 for a peripheral)", linearPKInfo.States[state].Name)
	}
	// F scales the amount here (pk's F is a fraction in [0, 1]; this
	// model's f may exceed 1): the same dose and infusion duration
	f := m.DoseF(state)
	ss := pk.Dose{Amt: d.Amt * f, Rate: d.Rate, II: d.II, Cmt: cmt, SS: 1, Source: d.Source}
	if f == 0 {
		return make([]float64, len(linearPKInfo.States)), nil // nothing reaches the model
	}
	// the state one interval after a steady-state dose with no next dose
	// is the state just before the next one
	out := make([]float64, len(linearPKInfo.States))
	err := pm.SimulateStates([]pk.Dose{ss}, []float64{d.II}, pm.NaturalPath(), func(_ int, a []float64) {
		for k, s := range idx {
			out[s] = a[k]
		}
	})
	if err != nil {
		return nil, fmt.Errorf("models: %v", err)
	}
	return out, nil
}
