package ode

import (
	"math"
	"testing"
)

// vdpolRef is the Test Set's VDPOL at t = 2 (ε = 1e-6, i.e. μ = 1000 in
// scaled time; Mazzia & Magherini, Test Set for IVP Solvers, release 2.4,
// 2008, problem VDPOL, computed with RADAU at tolerance 1.1e-18).
var vdpolRef = []float64{0.1706167732170483e1, -0.8928097010247975e0}

// vdpolScaled is y1' = y2, y2' = ((1 − y1²)·y2 − y1)/ε with ε = 1e-6.
func vdpolScaled(t float64, y, dy []float64) {
	dy[0] = y[1]
	dy[1] = ((1-y[0]*y[0])*y[1] - y[0]) / 1e-6
}

func solveRadau(t *testing.T, f Func, jac JacFunc, y0 []float64, tEnd float64, opts Options) ([]float64, Stats) {
	t.Helper()
	opts.Jac = jac
	s := NewRadau5(f, len(y0), opts)
	s.Reset(0, y0)
	if err := s.Integrate(tEnd, nil, nil); err != nil {
		t.Fatal(err)
	}
	return s.Y, s.Stats
}

// Radau5 on the three stiff problems of the Test Set against their published
// reference solutions, with finite-difference Jacobians: Van der Pol
// (μ = 1000), Robertson to t = 1e11 and HIRES.
func TestRadau5ReferenceProblems(t *testing.T) {
	cases := []struct {
		name string
		f    Func
		y0   []float64
		tEnd float64
		ref  []float64
		opts Options
		tol  float64 // relative error allowed per component (with an absolute floor of 1e-3·atol-scale)
	}{
		{"vdpol", vdpolScaled, []float64{2, 0}, 2, vdpolRef, Options{RTol: 1e-8, ATol: 1e-8}, 1e-5},
		{"rober", Robertson, []float64{1, 0, 0}, 1e11, RobertsonRef, Options{RTol: 1e-8, ATol: 1e-14}, 1e-5},
		{"hires", HIRES, []float64{1, 0, 0, 0, 0, 0, 0, 0.0057}, 321.8122, HIRESRef, Options{RTol: 1e-9, ATol: 1e-13}, 1e-5},
	}
	for _, c := range cases {
		y, st := solveRadau(t, c.f, nil, c.y0, c.tEnd, c.opts)
		worst := 0.0
		for i, r := range c.ref {
			e := math.Abs(y[i]-r) / math.Abs(r)
			worst = math.Max(worst, e)
			if e > c.tol {
				t.Errorf("%s: y%d = %.12g, reference %.12g (relative error %.2g)", c.name, i+1, y[i], r, e)
			}
		}
		t.Logf("%s: worst relative error %.2g, %+v", c.name, worst, st)
	}
}

// The dense output (the collocation polynomial, of order 3 between steps)
// follows y = e^{−t} on a stiff system within Radau5's internal tolerance
// 0.1·rtol^(2/3) = 4.6e-7 (radau5.f's transformation of rtol = 1e-8).
func TestRadau5DenseOutput(t *testing.T) {
	f := func(t float64, y, dy []float64) { dy[0] = -y[0]; dy[1] = -1000 * (y[1] - math.Cos(t)) }
	s := NewRadau5(f, 2, Options{RTol: 1e-8, ATol: 1e-10})
	s.Reset(0, []float64{1, 1})
	var outs []float64
	for x := 0.05; x <= 5; x += 0.1 {
		outs = append(outs, x)
	}
	worst := 0.0
	if err := s.Integrate(5, outs, func(i int, tt float64, y []float64) {
		worst = math.Max(worst, math.Abs(y[0]-math.Exp(-tt))/math.Exp(-tt))
	}); err != nil {
		t.Fatal(err)
	}
	if worst > 4.6e-7 {
		t.Errorf("dense output worst relative error %.3g", worst)
	}
}
