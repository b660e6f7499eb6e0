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
	name := m.Spec.Name
	n := m.NumStates()
	state := max(d.Cmt, 1) - 1
	switch {
	case state >= n:
		return nil, fmt.Errorf("model %s: CMT %d does not exist: this model has states 1..%d", name, d.Cmt, n)
	case !(d.II > 0) || math.IsInf(d.II, 0):
		return nil, fmt.Errorf("model %s: a steady state needs an interdose interval II > 0, got %v", name, d.II)
	case !(d.Amt >= 0) || math.IsInf(d.Amt, 0) || !(d.Rate >= 0) || math.IsInf(d.Rate, 0):
		return nil, fmt.Errorf("model %s: a steady state needs AMT >= 0 and RATE >= 0, got %v and %v", name, d.Amt, d.Rate)
	case d.Amt == 0 && d.Rate > 0:
		return nil, fmt.Errorf("model %s: the steady state of a constant infusion (AMT = 0, RATE > 0) is not supported: give AMT = RATE·II", name)
	case m.usesTime():
		return nil, fmt.Errorf("model %s: its equations depend on the time t, so a regimen alone has no steady state", name)
	}
	f, lag := pt.DoseF(state), pt.DoseLag(state)
	if d.Rate > 0 {
		if dur := d.Amt * f / d.Rate; dur+lag > d.II {
			return nil, fmt.Errorf("model %s: a steady-state infusion of %g %s (plus lag %g) longer than II = %g is not supported", name, dur, pt.info.TimeUnit, lag, d.II)
		}
	} else if lag >= d.II {
		return nil, fmt.Errorf("model %s: steady state with a lag time >= II is not supported (ALAG = %g, II = %g)", name, lag, d.II)
	}
	dosed := d.Amt * f // what one interval gives (0: the model's own inputs only)
	in := m.NewInstance()
	if err := in.SetParams(pt.p); err != nil {
		return nil, err
	}
	dose := []Dose{{Amt: d.Amt, Rate: d.Rate, Cmt: m.Spec.States[state].Name}}
	o := SimOptions{RTol: ssRTol, ATol: ssATol}
	phi := func(y, out []float64) error {
		return in.simulateFrom(y, dose, []float64{d.II}, o, func(_ int, _ float64, st []float64) { copy(out, st) })
	}
	noSS := func(why string) error {
		return fmt.Errorf("model %s: no steady state of %g every %g %s into %s: %s (a dosed amount that is not eliminated, or a saturable elimination slower than the dosing rate, has none)",
			name, d.Amt, d.II, pt.info.TimeUnit, m.Spec.States[state].Name, why)
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
