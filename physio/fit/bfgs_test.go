package fit

import (
	"math"
	"testing"
)

// TestBFGSRosenbrock: the minimum of Rosenbrock's function
// (1−x)² + 100(y−x²)² is (1, 1) (Nocedal & Wright 2006, §2.1), from the
// classic start (−1.2, 1), with the identity as the initial inverse Hessian.
func TestBFGSRosenbrock(t *testing.T) {
	fg := func(x, g []float64) float64 {
		a, b := 1-x[0], x[1]-x[0]*x[0]
		g[0] = -2*a - 400*x[0]*b
		g[1] = 200 * b
		return a*a + 100*b*b
	}
	b := newBFGS(2)
	f, st := b.minimize(fg, []float64{-1.2, 1}, nil)
	if st != bfgsGradient || math.Abs(b.x[0]-1) > 1e-6 || math.Abs(b.x[1]-1) > 1e-6 || f > 1e-12 {
		t.Errorf("minimum %v, J %g, status %v after %d iterations; want (1, 1)", b.x, f, st, b.iterations)
	}
}

// TestBFGSQuadraticStart: on a quadratic ½xᵀAx − bᵀx the exact inverse
// Hessian A⁻¹ as the start makes the first (unit) step land on A⁻¹b.
func TestBFGSQuadraticStart(t *testing.T) {
	// A = [[4, 1], [1, 3]], b = (1, 2): A⁻¹ = [[3, −1], [−1, 4]]/11, x* = (1, 7)/11
	fg := func(x, g []float64) float64 {
		g[0] = 4*x[0] + x[1] - 1
		g[1] = x[0] + 3*x[1] - 2
		return 0.5*(4*x[0]*x[0]+2*x[0]*x[1]+3*x[1]*x[1]) - x[0] - 2*x[1]
	}
	b := newBFGS(2)
	_, st := b.minimize(fg, []float64{5, -5}, []float64{3.0 / 11, -1.0 / 11, -1.0 / 11, 4.0 / 11})
	if st != bfgsGradient || b.iterations != 1 || math.Abs(b.x[0]-1.0/11) > 1e-12 || math.Abs(b.x[1]-7.0/11) > 1e-12 {
		t.Errorf("x %v after %d iterations (%v), want (1/11, 7/11) after 1", b.x, b.iterations, st)
	}
}
