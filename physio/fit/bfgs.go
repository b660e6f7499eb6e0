package fit

import (
	"math"
)

// bfgs is a small dense BFGS minimiser for MAP's few η (Nocedal & Wright
// 2006, Numerical Optimization, 2nd ed., Algorithm 6.1, the inverse-Hessian
// update 6.17) with a backtracking Armijo line search (their Algorithm 3.1,
// with the safeguarded quadratic interpolation of §3.5). gonum's optimize runs
// each minimisation as goroutines talking over channels, which cost more than
// the objective of a closed-form model; this loop allocates nothing once its
// buffers are sized. The initial inverse Hessian is the inverse of the
// Gauss–Newton (expected Fisher information) matrix at the start, which the
// exact sensitivities give for free: the first step is then a Fisher scoring
// step, and BFGS refines the curvature from there.
type bfgs struct {
	k                 int
	h                 []float64 // inverse Hessian approximation, k×k row major
	x, g, d, xn, gn   []float64
	s, y, hy          []float64
	iterations, evals int
}

// bfgsStatus says why the minimiser stopped.
type bfgsStatus int

const (
	bfgsGradient   bfgsStatus = iota // ‖∇J‖ < gradTol
	bfgsNoProgress                   // the line search cannot decrease J further
	bfgsIterations                   // the iteration limit
	bfgsNotFinite                    // J is not finite at the start
)

func (s bfgsStatus) String() string {
	switch s {
	case bfgsGradient:
		return "gradient threshold"
	case bfgsNoProgress:
		return "the line search made no progress"
	case bfgsIterations:
		return "iteration limit"
	}
	return "objective not finite"
}

func newBFGS(k int) *bfgs {
	b := &bfgs{k: k, h: make([]float64, k*k)}
	buf := make([]float64, 8*k)
	b.x, b.g, b.d, b.xn, b.gn, b.s, b.y, b.hy = buf[:k], buf[k:2*k], buf[2*k:3*k], buf[3*k:4*k], buf[4*k:5*k], buf[5*k:6*k], buf[6*k:7*k], buf[7*k:]
	return b
}

// bfgsMaxIter bounds the iterations (a few η converge in 5–30).
const bfgsMaxIter = 500

// minimize runs BFGS from x0 on fg (J and ∇J in one call; +Inf where J cannot
// be evaluated), starting with the inverse Hessian h0 (k×k, symmetric
// positive definite; nil: the identity). The minimum is left in b.x, its J
// returned, its gradient in b.g.
func (b *bfgs) minimize(fg func(x, g []float64) float64, x0, h0 []float64) (float64, bfgsStatus) {
	k := b.k
	copy(b.x, x0)
	if h0 != nil {
		copy(b.h, h0)
	} else {
		for i := range b.h {
			b.h[i] = 0
		}
		for i := 0; i < k; i++ {
			b.h[i*k+i] = 1
		}
	}
	b.iterations, b.evals = 0, 1
	fx := fg(b.x, b.g)
	if math.IsInf(fx, 0) || math.IsNaN(fx) {
		return fx, bfgsNotFinite
	}
	const c1 = 1e-4
	for ; b.iterations < bfgsMaxIter; b.iterations++ {
		if norm2(b.g) < gradTol {
			return fx, bfgsGradient
		}
		// d = −H g; a direction that does not descend resets H
		slope := 0.0
		for i := 0; i < k; i++ {
			s := 0.0
			for j := 0; j < k; j++ {
				s -= b.h[i*k+j] * b.g[j]
			}
			b.d[i] = s
			slope += s * b.g[i]
		}
		if !(slope < 0) {
			for i := range b.h {
				b.h[i] = 0
			}
			for i := 0; i < k; i++ {
				b.h[i*k+i] = 1
				b.d[i] = -b.g[i]
			}
			slope = -dot(b.g, b.g)
		}
		alpha, fn := 1.0, 0.0
		accepted := false
		for ls := 0; ls < 60; ls++ {
			for i := 0; i < k; i++ {
				b.xn[i] = b.x[i] + alpha*b.d[i]
			}
			fn = fg(b.xn, b.gn)
			b.evals++
			if fn <= fx+c1*alpha*slope {
				accepted = true
				break
			}
			// quadratic interpolation of J along d, kept within [0.1α, 0.5α]
			next := 0.5 * alpha
			if !math.IsInf(fn, 0) && !math.IsNaN(fn) {
				q := -slope * alpha * alpha / (2 * (fn - fx - slope*alpha))
				next = math.Min(math.Max(q, 0.1*alpha), 0.5*alpha)
			}
			alpha = next
		}
		if !accepted || fx-fn <= 1e-15*math.Abs(fx) && norm2(b.gn) >= norm2(b.g) {
			if accepted && fn <= fx {
				fx = fn
				copy(b.x, b.xn)
				copy(b.g, b.gn)
			}
			return fx, bfgsNoProgress
		}
		sy := 0.0
		for i := 0; i < k; i++ {
			b.s[i] = b.xn[i] - b.x[i]
			b.y[i] = b.gn[i] - b.g[i]
			sy += b.s[i] * b.y[i]
		}
		copy(b.x, b.xn)
		copy(b.g, b.gn)
		fx = fn
		if !(sy > 1e-12*norm2(b.s)*norm2(b.y)) {
			continue // no positive curvature along s: keep H
		}
		// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1/sᵀy:
		// H + ρ²(yᵀHy + sᵀy) s sᵀ − ρ (H y sᵀ + s yᵀH)
		rho := 1 / sy
		yhy := 0.0
		for i := 0; i < k; i++ {
			s := 0.0
			for j := 0; j < k; j++ {
				s += b.h[i*k+j] * b.y[j]
			}
			b.hy[i] = s
			yhy += b.y[i] * s
		}
		c := rho * rho * (yhy + sy)
		for i := 0; i < k; i++ {
			for j := 0; j < k; j++ {
				b.h[i*k+j] += c*b.s[i]*b.s[j] - rho*(b.hy[i]*b.s[j]+b.s[i]*b.hy[j])
			}
		}
	}
	return fx, bfgsIterations
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func norm2(a []float64) float64 { return math.Sqrt(dot(a, a)) }
