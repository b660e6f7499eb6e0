package pk

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Steady state of a regimen by Newton's method: the state S just before a
// dose of a regimen repeated every II forever is the fixed point S = Φ(S)
// of one dosing interval's map Φ (give the dose, integrate to II). Newton's
// method on Φ(S) − S with a finite-difference Jacobian lands on the fixed
// point in one step when Φ is affine (a model linear in its states) and in
// a few for a saturable one; plain iteration S ← Φ(S) needs about
// ln(tol)/ln(ρ) intervals, ρ the slowest decay over one interval: millions
// for a slow peripheral compartment dosed every few minutes, and never ends
// in relative terms when the amounts left after a long interval sit at the
// integrator's absolute tolerance. Used by the ODE path here and by every
// model of physio/modlang (the exact path solves the same fixed point with
// the transition matrix: exactProp.steadyState).

// IntervalMap is one dosing interval's map Φ: out = Φ(y).
type IntervalMap func(y, out []float64) error

// FixedPointOptions tunes FixedPoint.
type FixedPointOptions struct {
	// Residual: max |Φ(S) − S| converged, relative to the largest amount
	// (default 1e-11).
	Residual float64
	// Noise: below this (relative to the amounts and to Dosed) a Newton step
	// that no longer reduces the residual has met the integrator's noise
	// (default 1e-8).
	Noise float64
	// ATol is the integrator's absolute tolerance: a residual within 10·ATol
	// is converged whatever the amounts (a long interval leaves amounts at
	// that level, where relative measures are noise). Default 1e-14.
	ATol float64
	// Dosed is what one interval gives (amount after F); +Inf or 0 when
	// the model has only its own inputs.
	Dosed float64
	// MaxSteps bounds the Newton steps (default 60).
	MaxSteps int
}

// NoFixedPoint is FixedPoint's error when the regimen has no steady state
// (or Newton's method cannot find one); Why says which. Callers name the
// model and regimen around it.
type NoFixedPoint struct{ Why string }

func (e *NoFixedPoint) Error() string { return e.Why }

// FixedPoint solves S = phi(S) over n states by Newton's method with a
// finite-difference Jacobian and step halving, from S = 0. An error from
// phi is returned as is; a regimen without a fixed point gives a
// *NoFixedPoint.
func FixedPoint(n int, phi IntervalMap, o FixedPointOptions) ([]float64, error) {
	if o.Residual <= 0 {
		o.Residual = 1e-11
	}
	if o.Noise <= 0 {
		o.Noise = 1e-8
	}
	if o.ATol <= 0 {
		o.ATol = 1e-14
	}
	if o.MaxSteps <= 0 {
		o.MaxSteps = 60
	}
	dosed := o.Dosed
	if dosed == 0 {
		dosed = math.Inf(1)
	}
	y, py := make([]float64, n), make([]float64, n)
	if err := phi(y, py); err != nil {
		return nil, err
	}
	g := residual(y, py)
	jac := mat.NewDense(n, n, nil)
	yh, ph := make([]float64, n), make([]float64, n)
	yn, pn := make([]float64, n), make([]float64, n)
	for it := 0; it < o.MaxSteps; it++ {
		scale := maxAbs(py)
		if scale == 0 || math.IsInf(scale, 0) || math.IsNaN(scale) {
			if scale == 0 {
				return py, nil // nothing reaches the model (F = 0, AMT = 0)
			}
			return nil, &NoFixedPoint{"the amounts are not finite"}
		}
		// converged, relative to the amounts and small beside what one
		// interval gives (a regimen with no steady state has a residual of
		// its excess per interval, however large the amounts grow), or at the
		// integrator's absolute tolerance
		if g <= o.Residual*scale && g <= o.Noise*dosed || g <= 10*o.ATol {
			return py, nil
		}
		// (I − J)·δ = Φ(y) − y, J the Jacobian of Φ by forward differences;
		// the step is kept well above the integrator's absolute noise
		for j := 0; j < n; j++ {
			copy(yh, y)
			h := math.Max(1e-6*math.Max(math.Abs(y[j]), scale), 1e4*o.ATol)
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
		dy, err := newtonStep(jac, y, py, o.Residual*scale)
		if err != nil {
			return nil, &NoFixedPoint{"one interval's map has no fixed point"}
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
			if g <= o.Noise*scale && g <= 1e-6*dosed {
				return py, nil // the integrator's noise floor
			}
			return nil, &NoFixedPoint{fmt.Sprintf("Newton's method stalled %.3g (relative) away from a fixed point", g/scale)}
		}
		copy(y, yn)
		copy(py, pn)
		g = gn
	}
	return nil, &NoFixedPoint{fmt.Sprintf("not converged in %d Newton steps", o.MaxSteps)}
}

// newtonStep solves (I − J)·δ = Φ(y) − y for δ, I − J given as ij, over
// the states that the map moves: a state that no other state feeds and
// that feeds none, left where it is by the map (a peripheral compartment
// with q = 0), is inert, its row and column of I − J zero; its δ is 0.
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

// residual is max |Φ(y) − y| (+Inf when NaN).
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

// maxAbs is max |v| (NaN when any is NaN).
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
