package pk

import (
	"fmt"
	"sort"
)

// SimulatePiecewise is Simulate for parameters that change over time (time-
// varying covariates): models[p] is in force from from[p] on (ascending; the
// first also before its time), the amounts in every compartment and any
// running infusion carry over a change, and an output at a change time is
// computed with the new parameters (the value on a record applies from that
// record on). A dose takes F, ALAG and its compartment from the model in force
// at the dose record's time. Every model must have the same structure (NCmt,
// Absorption); steady-state records (SS) are refused, since a steady state
// under parameters that change is not defined.
func SimulatePiecewise(models []Model, from []float64, doses []Dose, times []float64, path Path) ([]float64, error) {
	if len(models) == 0 || len(models) != len(from) {
		return nil, fmt.Errorf("pk: %d models for %d change times", len(models), len(from))
	}
	if len(models) == 1 {
		return models[0].Simulate(doses, times, path)
	}
	m0 := models[0]
	props := make([]propagator, len(models))
	for p, m := range models {
		if err := m.Validate(); err != nil {
			return nil, err
		}
		if m.NCmt != m0.NCmt || m.Absorption != m0.Absorption {
			return nil, fmt.Errorf("pk: the models of a piecewise simulation must share one structure")
		}
		if p > 0 && !(from[p] >= from[p-1]) {
			return nil, fmt.Errorf("pk: change times must be ascending (%v after %v)", from[p], from[p-1])
		}
		switch {
		case path == ODE:
			props[p] = newODEProp(m)
		case !m.Linear():
			return nil, fmt.Errorf("pk: Michaelis–Menten elimination (VMax = %g mg/h) is nonlinear: the exact path does not apply; use the ODE path", m.P.VMax)
		default:
			props[p] = newExactProp(m)
		}
	}
	for i := 1; i < len(times); i++ {
		if !(times[i] >= times[i-1]) {
			return nil, fmt.Errorf("pk: output times must be ascending (time %d is %v after %v)", i+1, times[i], times[i-1])
		}
	}
	at := func(t float64) int { // the piece in force at t
		return max(0, sort.Search(len(from), func(p int) bool { return from[p] > t })-1)
	}
	var evs []event
	for i, d := range doses {
		if d.SS > 0 {
			return nil, fmt.Errorf("pk: %s: a steady-state record (SS) with time-varying parameters is not supported", d.name(i))
		}
		de, err := models[at(d.Time)].events([]Dose{d})
		if err != nil {
			return nil, err
		}
		for k := range de {
			de[k].order += i << 32 // dose order first, then the dose's own
		}
		evs = append(evs, de...)
	}
	sortEvents(evs)
	out := make([]float64, len(times))
	err := m0.run(&piecewiseProp{from: from, props: props}, evs, times, func(i int, a []float64) {
		out[i] = models[at(times[i])].Conc(a)
	})
	return out, err
}

// piecewiseProp advances with the propagator of the piece in force, split
// at the change times.
type piecewiseProp struct {
	from  []float64
	props []propagator
}

func (pw *piecewiseProp) advance(a []float64, t0, t1 float64, r []float64, outs []float64, emit func(t float64, a []float64)) error {
	for t0 < t1 {
		p := max(0, sort.Search(len(pw.from), func(p int) bool { return pw.from[p] > t0 })-1)
		end := t1
		if p+1 < len(pw.from) && pw.from[p+1] < t1 {
			end = pw.from[p+1]
		}
		n := 0
		for n < len(outs) && outs[n] <= end {
			n++
		}
		if err := pw.props[p].advance(a, t0, end, r, outs[:n], emit); err != nil {
			return err
		}
		outs = outs[n:]
		t0 = end
	}
	return nil
}
