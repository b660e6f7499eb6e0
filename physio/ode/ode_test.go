package ode

import (
	"errors"
	"math"
	"testing"
)

// y' = y cos t, y(0) = 1 has the solution y = exp(sin t).
func expSin(t float64, y, dy []float64) { dy[0] = y[0] * math.Cos(t) }

func fixedStepError(t *testing.T, n int, method string) float64 {
	t.Helper()
	exact := math.Exp(math.Sin(2))
	switch method {
	case "rk4":
		y, _, err := RK4(expSin, 0, []float64{1}, 2, n)
		if err != nil {
			t.Fatal(err)
		}
		return math.Abs(y[0] - exact)
	case "dopri5":
		h := 2.0 / float64(n)
		sol, err := Solve(expSin, 0, []float64{1}, []float64{2}, Options{H0: h, HMax: h, RTol: 1e10, ATol: 1e10})
		if err != nil {
			t.Fatal(err)
		}
		return math.Abs(sol.Y[0][0] - exact)
	case "rosenbrock":
		h := 2.0 / float64(n)
		sol, err := SolveStiff(expSin, 0, []float64{1}, []float64{2}, Options{H0: h, HMax: h, RTol: 1e10, ATol: 1e10})
		if err != nil {
			t.Fatal(err)
		}
		return math.Abs(sol.Y[0][0] - exact)
	}
	return 0
}

// Halving the step divides the global error by 2^p for a method of order p.
func TestOrderOfConvergence(t *testing.T) {
	for _, c := range []struct {
		method string
		order  float64
		n      int
	}{{"dopri5", 5, 20}, {"rk4", 4, 20}, {"rosenbrock", 2, 200}} {
		e1, e2 := fixedStepError(t, c.n, c.method), fixedStepError(t, 2*c.n, c.method)
		p := ConvergenceOrder(e1, e2, c.n, 2*c.n)
		t.Logf("%s: errors %.3g, %.3g, observed order %.3f", c.method, e1, e2, p)
		if math.Abs(p-c.order) > 0.3 {
			t.Errorf("%s: observed order %.3f, want %v", c.method, p, c.order)
		}
	}
}

func TestAdaptiveAccuracyAndDenseOutput(t *testing.T) {
	out := []float64{0, 0.3, 1, 2.5, 7, 10}
	sol, err := Solve(expSin, 0, []float64{1}, out, Options{RTol: 1e-9, ATol: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range out {
		if e := math.Abs(sol.Y[i][0] - math.Exp(math.Sin(tt))); e > 1e-8 {
			t.Errorf("t=%v: error %v", tt, e)
		}
	}
	if sol.Stats.Steps == 0 || sol.Stats.RHS < 6*sol.Stats.Steps {
		t.Errorf("stats %+v", sol.Stats)
	}
}

// y = exp(-t) crosses 0.5 at t = ln 2; a rising-only event must not fire.
func TestEventLocation(t *testing.T) {
	decay := func(t float64, y, dy []float64) { dy[0] = -y[0] }
	g := func(t float64, y []float64) float64 { return y[0] - 0.5 }
	sol, err := Solve(decay, 0, []float64{1}, []float64{5}, Options{RTol: 1e-10, ATol: 1e-12,
		Events: []Event{{G: g, Direction: +1}, {G: g, Direction: -1, Terminal: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sol.Crossings) != 1 || sol.Crossings[0].Index != 1 {
		t.Fatalf("crossings %+v", sol.Crossings)
	}
	if e := math.Abs(sol.Crossings[0].T - math.Ln2); e > 1e-9 {
		t.Fatalf("crossing at %v, want ln 2 (error %v)", sol.Crossings[0].T, e)
	}
	if len(sol.T) != 0 {
		t.Fatalf("a terminal event before the output time must stop the solve; got outputs %v", sol.T)
	}
	// the stiff solver locates the same crossing
	ss, err := SolveStiff(decay, 0, []float64{1}, []float64{5}, Options{RTol: 1e-8, ATol: 1e-12, Events: []Event{{G: g, Terminal: true}}})
	if err != nil || len(ss.Crossings) != 1 || math.Abs(ss.Crossings[0].T-math.Ln2) > 1e-6 {
		t.Fatalf("stiff crossing %+v %v", ss.Crossings, err)
	}
}

func relErr(a, b float64) float64 { return math.Abs(a-b) / math.Abs(b) }

// Acceptance: the stiff solver solves Robertson to t = 1e11 within 1e-4 relative
// of the published reference; DOPRI5 cannot get far with 100000 steps.
func TestRobertson(t *testing.T) {
	sol, err := SolveStiff(Robertson, 0, []float64{1, 0, 0}, []float64{1e11}, Options{RTol: 1e-8, ATol: 1e-14, H0: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Rosenbrock23: %+v", sol.Stats)
	for i, ref := range RobertsonRef {
		if e := relErr(sol.Y[0][i], ref); e > 1e-4 {
			t.Errorf("y%d(1e11) = %v, reference %v (relative error %.2g)", i+1, sol.Y[0][i], ref, e)
		}
	}
	_, err = Solve(Robertson, 0, []float64{1, 0, 0}, []float64{1e11}, Options{RTol: 1e-8, ATol: 1e-14, MaxSteps: 100000})
	if !errors.Is(err, ErrTooManySteps) {
		t.Fatalf("DOPRI5 on Robertson: %v, want too many steps", err)
	}
}

func TestHIRES(t *testing.T) {
	y0 := []float64{1, 0, 0, 0, 0, 0, 0, 0.0057}
	sol, err := SolveStiff(HIRES, 0, y0, []float64{321.8122}, Options{RTol: 1e-9, ATol: 1e-13})
	if err != nil {
		t.Fatal(err)
	}
	for i, ref := range HIRESRef {
		if e := relErr(sol.Y[0][i], ref); e > 1e-4 {
			t.Errorf("y%d = %v, reference %v (relative error %.2g)", i+1, sol.Y[0][i], ref, e)
		}
	}
}

func TestVanDerPolStiffFinishes(t *testing.T) {
	sol, err := SolveStiff(VanDerPol(1000), 0, []float64{2, 0}, []float64{3000}, Options{RTol: 1e-6, ATol: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	// the relaxation oscillation keeps |y1| <= about 2
	if math.Abs(sol.Y[0][0]) > 2.01 || sol.Stats.Steps > 50000 {
		t.Fatalf("y1 %v after %d steps", sol.Y[0][0], sol.Stats.Steps)
	}
}

func TestErrors(t *testing.T) {
	blowup := func(t float64, y, dy []float64) { dy[0] = y[0] * y[0] } // y = 1/(1-t): infinite at t = 1
	_, err := Solve(blowup, 0, []float64{1}, []float64{2}, Options{})
	if err == nil {
		t.Fatal("no error for a solution that blows up")
	}
	nan := func(t float64, y, dy []float64) { dy[0] = math.NaN() }
	if _, err := Solve(nan, 0, []float64{1}, []float64{1}, Options{}); !errors.Is(err, ErrNonFinite) {
		t.Fatalf("NaN right-hand side: %v", err)
	}
	if _, err := Solve(expSin, 0, []float64{1}, []float64{1000}, Options{MaxSteps: 10, RTol: 1e-12}); !errors.Is(err, ErrTooManySteps) {
		t.Fatalf("max steps: %v", err)
	}
	if _, _, err := RK4(expSin, 0, []float64{1}, 1, 0); err == nil {
		t.Fatal("RK4 with no steps accepted")
	}
}

func BenchmarkDopri5TwoCompartment(b *testing.B) {
	f := func(t float64, y, dy []float64) {
		dy[0] = -1 * y[0]
		dy[1] = y[0] - 0.3*y[1] + 0.1*y[2]
		dy[2] = 0.2*y[1] - 0.1*y[2]
	}
	s := NewDopri5(f, 3, Options{RTol: 1e-8, ATol: 1e-10})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.Reset(0, []float64{100, 0, 0})
		s.Integrate(12, nil, nil, nil)
	}
}

func TestExtrapolationAccuracy(t *testing.T) {
	out := []float64{0.3, 1, 2.5, 7, 10}
	for _, tol := range []float64{1e-6, 1e-9, 1e-12} {
		s := NewExtrapolation(expSin, 1, Options{RTol: tol, ATol: tol * 1e-2})
		s.Reset(0, []float64{1})
		worst := 0.0
		if err := s.Integrate(10, out, func(i int, tt float64, y []float64) {
			worst = math.Max(worst, math.Abs(y[0]-math.Exp(math.Sin(tt))))
		}); err != nil {
			t.Fatal(err)
		}
		t.Logf("tol %g: worst error %.2g, %+v", tol, worst, s.Stats)
		if worst > 100*tol {
			t.Errorf("tol %g: worst error %g", tol, worst)
		}
	}
}
