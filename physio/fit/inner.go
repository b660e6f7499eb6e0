package fit

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// fisher writes into h half the expected Hessian of J at the predictions and
// sensitivities of the last valueGrad: Ω⁻¹ + Σⱼ [gⱼgⱼᵀ/Vⱼ + ½·∇Vⱼ∇Vⱼᵀ/Vⱼ²]
// over the observed non-BLQ records, with gⱼ = ∂fⱼ/∂η exact (chain rule
// through the parameters) and Vⱼ the residual variance (the FOCE-I
// information matrix, the same as expectedHessian without its finite
// differences). eta is the η of that valueGrad. false where a variance is
// not positive.
func (o *subjectObjective) fisher(eta []float64, h *mat.SymDense, g []float64) bool {
	m := o.m
	k := len(eta)
	h.CopySym(m.omegaInv)
	np := len(o.params)
	e := m.Error
	for _, ri := range o.obs {
		if o.s.Records[ri].BLQ {
			continue
		}
		pred := o.pred[ri]
		// g = ∂pred/∂η
		for a := range g {
			g[a] = 0
		}
		for i := 0; i < np; i++ {
			pj := m.pidx[i]
			if pj < 0 {
				continue
			}
			ei := m.eidx[pj]
			if ei < 0 {
				continue
			}
			g[ei] += o.dpred[i][ri] * m.dParamDEta(pj, o.params[i], eta[ei])
		}
		var v, dvdpred float64 // residual variance and ∂V/∂pred
		if e.Kind == ExponentialError {
			if !(pred > 0) {
				return false
			}
			v = e.Add * e.Add
			for a := range g {
				g[a] /= pred // f = log pred
			}
		} else {
			sd := e.sd(pred)
			v = sd * sd
			switch e.Kind {
			case Proportional:
				dvdpred = 2 * e.Prop * e.Prop * pred
			case Combined:
				dvdpred = 2 * e.Prop * e.Prop * pred
			}
		}
		if !(v > 0) {
			return false
		}
		c := 0.5 * dvdpred * dvdpred / (v * v)
		for a := 0; a < k; a++ {
			for b := a; b < k; b++ {
				h.SetSym(a, b, h.At(a, b)+g[a]*g[b]*(1/v+c))
			}
		}
	}
	return true
}

// mode finds η̂, the minimum of J, from x (overwritten with η̂) by BFGS whose
// first inverse-Hessian approximation is the inverse of the expected
// Hessian (Fisher scoring's matrix, which BFGS then corrects towards the
// observed one), on the structure's exact gradients, with a backtracking
// line search (Armijo). It runs without goroutines or allocations per
// iteration, which matters because FOCE-I finds every subject's mode at
// every evaluation of the outer objective. It stops when max |∂J/∂η| <
// gradTol (gonum's BFGS criterion in fit) and reports false where the
// structure has no sensitivities or the search stalls away from a mode; the
// caller then falls back to gonum's BFGS.
func (o *subjectObjective) mode(x []float64) bool {
	if o.sens == nil {
		return false
	}
	k := len(x)
	g, gn, d, xn := make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k)
	s, y, hy, tmp := make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k)
	j, ok := o.valueGrad(x, g)
	if !ok || math.IsInf(j, 0) || math.IsNaN(j) {
		return false
	}
	// inverse-Hessian approximation, dense k×k
	hinv := make([]float64, k*k)
	{
		h := mat.NewSymDense(k, nil)
		if !o.fisher(x, h, tmp) {
			return false
		}
		var ch mat.Cholesky
		if !ch.Factorize(h) {
			return false
		}
		var inv mat.SymDense
		if ch.InverseTo(&inv) != nil {
			return false
		}
		for a := 0; a < k; a++ {
			for b := 0; b < k; b++ {
				hinv[a*k+b] = 0.5 * inv.At(a, b) // J's Hessian is twice h
			}
		}
	}
	maxAbs := func(v []float64) float64 {
		r := 0.0
		for _, e := range v {
			r = math.Max(r, math.Abs(e))
		}
		return r
	}
	for iter := 0; iter < 200; iter++ {
		if maxAbs(g) < gradTol {
			return true
		}
		slope := 0.0
		for a := 0; a < k; a++ {
			d[a] = 0
			for b := 0; b < k; b++ {
				d[a] -= hinv[a*k+b] * g[b]
			}
			slope += d[a] * g[a]
		}
		if !(slope < 0) { // not a descent direction: restart from steepest descent
			for a := range d {
				d[a] = -g[a]
			}
			slope = -dot(g, g)
			for a := range hinv {
				hinv[a] = 0
			}
			for a := 0; a < k; a++ {
				hinv[a*k+a] = 1
			}
		}
		t := 1.0
		accepted := false
		var jn float64
		for ls := 0; ls < 40; ls++ {
			for a := range xn {
				xn[a] = x[a] + t*d[a]
			}
			var okn bool
			jn, okn = o.valueGrad(xn, gn)
			if !okn {
				return false
			}
			if !math.IsInf(jn, 0) && !math.IsNaN(jn) && jn <= j+1e-4*t*slope && jn < j {
				accepted = true
				break
			}
			t *= 0.5
		}
		if !accepted { // at the noise floor of J: a mode when the gradient is small or, for η
			// on a small scale (an additive η on a small parameter), when the quasi-Newton
			// decrement −gᵀd (twice the predicted decrease of J) is below 1e-10
			return maxAbs(g) < convTol || -slope < 1e-10
		}
		for a := 0; a < k; a++ {
			s[a], y[a] = xn[a]-x[a], gn[a]-g[a]
		}
		copy(x, xn)
		copy(g, gn)
		j = jn
		sy := dot(s, y)
		if !(sy > 1e-300) {
			continue // curvature condition fails: keep the approximation
		}
		bfgsUpdate(hinv, s, y, hy, sy)
	}
	return maxAbs(g) < convTol
}

// bfgsUpdate applies the BFGS update to the inverse-Hessian approximation
// hinv (n×n, row-major) for the step s and gradient change y with sy = sᵀy > 0:
// H⁺ = (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1/(yᵀs). hy is scratch.
func bfgsUpdate(hinv, s, y, hy []float64, sy float64) {
	n := len(s)
	rho := 1 / sy
	for a := 0; a < n; a++ {
		hy[a] = 0
		for b := 0; b < n; b++ {
			hy[a] += hinv[a*n+b] * y[b]
		}
	}
	yhy := dot(y, hy)
	for a := 0; a < n; a++ {
		for b := 0; b < n; b++ {
			hinv[a*n+b] += rho * ((1+rho*yhy)*s[a]*s[b] - hy[a]*s[b] - s[a]*hy[b])
		}
	}
}
