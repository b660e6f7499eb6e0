package modlang

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/physio/pk"
	"gonum.org/v1/gonum/mat"
)

// Steady state of a regimen for any model of the language: the state S
// just before a dose of the regimen repeated every II forever is the fixed
// point S = Φ(S) of one dosing interval's map Φ (give the dose, with the
// model's F, ALAG and infusion rate, then integrate to II). Φ is solved by
// Newton's method on Φ(S) − S with a finite-difference Jacobian: for a
// model linear in its states Φ is affine and one step lands on the fixed
// point; plain iteration would need about ln(tol)/ln(ρ) intervals, ρ the
// slowest decay over one interval, millions for a slow peripheral
// compartment dosed often. (pk's exact path solves the same fixed point by
// the transition matrix: physio/pk's exactProp.steadyState.)
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
	dosed := d.Amt * f // what one interval gives
	if dosed == 0 {
		dosed = math.Inf(1) // the model's own inputs only
	}
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
	y, py := make([]float64, n), make([]float64, n)
	if err := phi(y, py); err != nil {
		return nil, err
	}
	g := residual(y, py)
	jac := mat.NewDense(n, n, nil)
	yh, ph := make([]float64, n), make([]float64, n)
	yn, pn := make([]float64, n), make([]float64, n)
	for it := 0; it < ssMaxSteps; it++ {
		scale := maxAbs(py)
		if scale == 0 || math.IsInf(scale, 0) || math.IsNaN(scale) {
			if scale == 0 {
				return py, nil // nothing reaches the model (F = 0, AMT = 0)
			}
			return nil, noSS("the amounts are not finite")
		}
		// converged, relative to the amounts and small beside what one
		// interval gives (a regimen with no steady state has a residual of
		// its excess per interval, however large the amounts grow)
		if g <= ssResidual*scale && g <= ssNoise*dosed {
			return py, nil
		}
		// (I − J)·δ = Φ(y) − y, J the Jacobian of Φ by forward differences
		for j := 0; j < n; j++ {
			copy(yh, y)
			h := 1e-6 * math.Max(math.Abs(y[j]), scale)
			yh[j] += h
			if err := phi(yh, ph); err != nil {
				return nil, err
			}
			for i := 0; i < n; i++ {
				v := -(ph[i] - py[i]) / h
				if i == j {
					v++
				}
				jac.Set(i, j, v)
			}
		}
		dy, err := newtonStep(jac, y, py, ssResidual*scale)
		if err != nil {
			return nil, noSS("one interval's map has no fixed point")
		}
		// a full step, halved while it does not reduce the residual (a
		// nonlinear model far from its steady state)
		step, gn := 1.0, math.Inf(1)
		for half := 0; half < 30; half++ {
			for i := range yn {
				yn[i] = y[i] + step*dy[i]
			}
			if err := phi(yn, pn); err != nil {
				return nil, err
			}
			if gn = residual(yn, pn); gn < g {
				break
			}
			step /= 2
		}
		if !(gn < g) {
			if g <= ssNoise*scale && g <= 1e-6*dosed {
				return py, nil // the integrator's noise floor
			}
			return nil, noSS(fmt.Sprintf("Newton's method stalled %.3g (relative) away from a fixed point", g/scale))
		}
		copy(y, yn)
		copy(py, pn)
		g = gn
	}
	return nil, noSS(fmt.Sprintf("not converged in %d Newton steps", ssMaxSteps))
}

// newtonStep solves (I − J)·δ = Φ(y) − y for δ, i − j given as ij, over
// the states that the map moves: a state that no other state feeds and
// that feeds none, left where it is by the map (a peripheral compartment of
// pk with q = 0), is inert, its row and column of I − J zero; its δ is 0.
func newtonStep(ij *mat.Dense, y, py []float64, tol float64) ([]float64, error) {
	n := len(y)
	var act []int
	for j := 0; j < n; j++ {
		inert := math.Abs(py[j]-y[j]) <= tol
		for i := 0; i < n && inert; i++ {
			inert = math.Abs(ij.At(i, j)) <= 1e-8 && math.Abs(ij.At(j, i)) <= 1e-8
		}
		if !inert {
			act = append(act, j)
		}
	}
	dy := make([]float64, n)
	if len(act) == 0 {
		return dy, nil
	}
	a := mat.NewDense(len(act), len(act), nil)
	b := mat.NewVecDense(len(act), nil)
	for r, i := range act {
		b.SetVec(r, py[i]-y[i])
		for c, j := range act {
			a.Set(r, c, ij.At(i, j))
		}
	}
	var d mat.VecDense
	if err := d.SolveVec(a, b); err != nil {
		return nil, err
	}
	for r, i := range act {
		dy[i] = d.AtVec(r)
	}
	return dy, nil
}

// residual is max |Φ(y) − y|.
func residual(y, phi []float64) float64 {
	r := 0.0
	for i := range y {
		r = math.Max(r, math.Abs(phi[i]-y[i]))
	}
	if math.IsNaN(r) {
		return math.Inf(1)
	}
	return r
}

func maxAbs(v []float64) float64 {
	r := 0.0
	for _, x := range v {
		if math.IsNaN(x) {
			return x
		}
		r = math.Max(r, math.Abs(x))
	}
	return r
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
