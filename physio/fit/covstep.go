package fit

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// CovStep is the covariance step of a population fit: the asymptotic
// covariance of the estimates from the Hessian of the OFV (NONMEM's
// MATRIX=R: Cov = 2·H⁻¹, H = ∂²OFV/∂x² by central differences on the
// transformed scale, mapped to the natural scale by the delta method).
type CovStep struct {
	// Names are the estimated quantities: THETA(CL), OMEGA(eta_cl) (a
	// variance), OMEGA(eta_ka,eta_cl) (a covariance), SIGMA(add) (an SD).
	Names []string
	// Estimate, SE and RSE (%, SE/|estimate|·100) on the natural scale.
	Estimate, SE, RSE []float64
	// Cov is the covariance matrix on the natural scale; Corr the
	// correlation matrix.
	Cov, Corr *mat.SymDense
	// Eigen are the correlation matrix's eigenvalues (ascending) and
	// Condition their ratio largest/smallest (NONMEM prints both; above
	// 1000 the model is usually over-parameterised).
	Eigen     []float64
	Condition float64
}

// natural returns the natural-scale values of x: θ, Ω elements (variances
// and covariances) and σ, in p.params order.
func (p *popProblem) natural(x []float64) []float64 {
	k := len(p.m.Etas)
	l := mat.NewTriDense(k, mat.Lower, nil)
	for i, q := range p.params {
		if q.kind == 1 || q.kind == 2 {
			v := x[i]
			if q.log {
				v = math.Exp(v)
			}
			l.SetTri(q.i, q.j, v)
		}
	}
	var om mat.SymDense
	om.SymOuterK(1, l)
	out := make([]float64, len(x))
	for i, q := range p.params {
		switch q.kind {
		case 1, 2:
			out[i] = om.At(q.i, q.j)
		default:
			out[i] = x[i]
			if q.log {
				out[i] = math.Exp(x[i])
			}
		}
	}
	return out
}

// covStep computes the covariance step at the estimate x.
func (p *popProblem) covStep(x []float64) (*CovStep, error) {
	n := len(x)
	h := mat.NewSymDense(n, nil)
	fd.Hessian(h, p.ofv, x, &fd.Settings{Formula: fd.Central, Step: 1e-3})
	var ch mat.Cholesky
	if !ch.Factorize(h) {
		return nil, fmt.Errorf("covariance step: the Hessian of the OFV is not positive definite (the estimate is not a minimum or a parameter is not identifiable): fix a parameter, remove an η, or try other initial values")
	}
	var hinv mat.SymDense
	if err := ch.InverseTo(&hinv); err != nil {
		return nil, fmt.Errorf("covariance step: the Hessian of the OFV is singular: %v", err)
	}
	// Jacobian of the natural values in x, by central differences
	jac := mat.NewDense(n, n, nil)
	fd.Jacobian(jac, func(y, x []float64) { copy(y, p.natural(x)) }, x, &fd.JacobianSettings{Formula: fd.Central, Step: 1e-6})
	var tmp mat.Dense
	tmp.Mul(jac, &hinv)
	var full mat.Dense
	full.Mul(&tmp, jac.T())
	cs := &CovStep{Estimate: p.natural(x), Cov: mat.NewSymDense(n, nil), Corr: mat.NewSymDense(n, nil)}
	for a := 0; a < n; a++ {
		for b := a; b < n; b++ {
			cs.Cov.SetSym(a, b, 2*(full.At(a, b)+full.At(b, a))/2)
		}
	}
	for i, q := range p.params {
		cs.Names = append(cs.Names, q.Name)
		se := math.Sqrt(cs.Cov.At(i, i))
		cs.SE = append(cs.SE, se)
		cs.RSE = append(cs.RSE, 100*se/math.Abs(cs.Estimate[i]))
	}
	for a := 0; a < n; a++ {
		for b := a; b < n; b++ {
			cs.Corr.SetSym(a, b, cs.Cov.At(a, b)/(cs.SE[a]*cs.SE[b]))
		}
	}
	var es mat.EigenSym
	if !es.Factorize(cs.Corr, false) {
		return cs, fmt.Errorf("covariance step: no eigenvalues of the correlation matrix")
	}
	cs.Eigen = es.Values(nil)
	sort.Float64s(cs.Eigen)
	cs.Condition = cs.Eigen[n-1] / cs.Eigen[0]
	return cs, nil
}
