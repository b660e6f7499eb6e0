package modlang

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/physio/pk"
)

// Steady state of a regimen for any model of the language: the state S
// just before a dose of the regimen repeated every II forever is the fixed
// point S = Φ(S) of one dosing interval's map Φ (give the dose, with the
// model's F, ALAG and infusion rate, then integrate to II). Φ is solved by
// Newton's method on Φ(S) − S (pk.FixedPoint, shared with pk's ODE path).
const (
	ssRTol     = 1e-12 // integrator tolerance of one interval
	ssATol     = 1e-14
	ssResidual = 1e-11 // |Φ(S) − S| converged, relative to the largest amount
	ssNoise    = 1e-8  // below this a stalled Newton step is the integrator's noise
	ssMaxSteps = 60    // Newton steps before giving up
)

// SteadyState is the state (in the model's state order) at a dose time of
// the regimen d repeated every d.II forever, just before that dose
// (models.SteadyStater, for NONMEM's SS records): d.Cmt is the 1-based
// state (0: the first), d.Amt the amount, d.Rate 0 for a bolus or the
// infusion rate per model time unit, d.II the interval in the model's time
// unit; the model's F and ALAG apply as to any dose. Refused, as pk's
// models refuse them: an infusion that with its lag outlasts II, a bolus
// whose lag is >= II, a constant infusion (AMT = 0, RATE > 0), a model
// whose equations depend on the time t (its steady state is not one of
// the regimen alone), and a regimen with no steady state (a dosed amount
// that is not eliminated, or a saturable elimination slower than the
// dosing rate).
func (pt *Patient) SteadyState(d pk.Dose) ([]float64, error) {
	m := pt.in.M
	if n := m.NumStates(); d.Cmt >= n+1 {
		return nil, fmt.Errorf("model %s: CMT %d does not exist: this model has states 1..%d", m.Spec.Name, d.Cmt, n)
	}
	return pt.in.steadyState(max(d.Cmt, 1)-1, d.Amt, d.Rate, d.II, Auto)
}

// steadyState is the state just before a dose of the regimen amt (before
// F) every ii into state (index), rate 0 for a bolus or the infusion rate,
// for the instance's parameters, one interval solved on path (Auto: exact
// for a linear model, Taylor otherwise). It is Patient.SteadyState and the
// SS records of Simulate; the refusals are documented there.
func (in *Instance) steadyState(state int, amt, rate, ii float64, path Path) ([]float64, error) {
	m := in.M
	name := m.Spec.Name
	n := m.NumStates()
	unit := m.Spec.TimeUnit // compile defaults it to h
	switch {
	case state < 0 || state >= n:
		return nil, fmt.Errorf("model %s: CMT %d does not exist: this model has states 1..%d", name, state+1, n)
	case !(ii > 0) || math.IsInf(ii, 0):
		return nil, fmt.Errorf("model %s: a steady state needs an interdose interval II > 0, got %v", name, ii)
	case !(amt >= 0) || math.IsInf(amt, 0) || !(rate >= 0) || math.IsInf(rate, 0):
		return nil, fmt.Errorf("model %s: a steady state needs AMT >= 0 and RATE >= 0, got %v and %v", name, amt, rate)
	case amt == 0 && rate > 0:
		return nil, fmt.Errorf("model %s: the steady state of a constant infusion (AMT = 0, RATE > 0) is not supported: give AMT = RATE·II", name)
	case m.usesTime():
		return nil, fmt.Errorf("model %s: its equations depend on the time t, so a regimen alone has no steady state", name)
	}
	f, lag := in.bioavail(state), in.lagTime(state)
	if rate > 0 {
		if dur := amt * f / rate; dur+lag > ii {
			return nil, fmt.Errorf("model %s: a steady-state infusion of %g %s (plus lag %g) longer than II = %g is not supported", name, dur, unit, lag, ii)
		}
	} else if lag >= ii {
		return nil, fmt.Errorf("model %s: steady state with a lag time >= II is not supported (ALAG = %g, II = %g)", name, lag, ii)
	}
	dosed := amt * f // what one interval gives (0: the model's own inputs only)
	// one interval runs on an instance of its own: the caller's (Simulate's)
	// keeps its infusion rates
	one := m.NewInstance()
	if err := one.SetParams(in.params); err != nil {
		return nil, err
	}
	dose := []Dose{{Amt: amt, Rate: rate, Cmt: m.Spec.States[state].Name}}
	o := SimOptions{Path: path, RTol: ssRTol, ATol: ssATol}
	phi := func(y, out []float64) error {
		return one.simulateFrom(y, dose, []float64{ii}, o, func(_ int, _ float64, st []float64) { copy(out, st) })
	}
	noSS := func(why string) error {
		return fmt.Errorf("model %s: no steady state of %g every %g %s into %s: %s (a dosed amount that is not eliminated, or a saturable elimination slower than the dosing rate, has none)",
			name, amt, ii, unit, m.Spec.States[state].Name, why)
	}
	s, err := pk.FixedPoint(n, phi, pk.FixedPointOptions{Residual: ssResidual, Noise: ssNoise, ATol: ssATol, Dosed: dosed, MaxSteps: ssMaxSteps})
	if nf, ok := err.(*pk.NoFixedPoint); ok {
		return nil, noSS(nf.Why)
	}
	return s, err
}

// usesTime reports whether a derivative depends on the time t.
func (m *Model) usesTime() bool {
	need := make([]bool, len(m.nodes))
	for _, r := range m.deriv {
		if r >= 0 {
			need[r] = true
		}
	}
	for i := len(m.nodes) - 1; i >= 0; i-- {
		if need[i] {
			if m.nodes[i].op == opTime {
				return true
			}
			for _, x := range m.nodes[i].operands() {
				need[x] = true
			}
		}
	}
	return false
}
