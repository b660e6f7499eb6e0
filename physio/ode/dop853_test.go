package ode

import (
	"errors"
	"math"
	"testing"
)

func dop853Fixed(t *testing.T, n int) float64 {
	t.Helper()
	h := 2.0 / float64(n)
	s := NewDop853(expSin, 1, Options{H0: h, HMax: h, RTol: 1e10, ATol: 1e10})
	s.Reset(0, []float64{1})
	if _, err := s.Integrate(2, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	return math.Abs(s.Y[0] - math.Exp(math.Sin(2)))
}

// DOP853 is of order 8: halving a fixed step divides the error by about 2^8.
func TestDop853Order(t *testing.T) {
	e1, e2 := dop853Fixed(t, 8), dop853Fixed(t, 16)
	p := ConvergenceOrder(e1, e2, 8, 16)
	t.Logf("errors %.3g, %.3g, observed order %.3f", e1, e2, p)
	if math.Abs(p-8) > 0.5 {
		t.Errorf("observed order %.3f, want 8", p)
	}
}

// The adaptive solution and the 7th-order dense output stay within the
// tolerance of exp(sin t) at output times inside and at the ends of steps.
func TestDop853DenseOutput(t *testing.T) {
	var out []float64
	for x := 0.0; x <= 20; x += 0.37 {
		out = append(out, x)
	}
	for _, tol := range []float64{1e-6, 1e-9, 1e-12} {
		s := NewDop853(expSin, 1, Options{RTol: tol, ATol: tol * 1e-2})
		s.Reset(0, []float64{1})
		worst, got := 0.0, 0
		if _, err := s.Integrate(20, out, func(i int, tt float64, y []float64) {
			got++
			worst = math.Max(worst, math.Abs(y[0]-math.Exp(math.Sin(tt)))/math.Exp(math.Sin(tt)))
		}, nil); err != nil {
			t.Fatal(err)
		}
		t.Logf("tol %g: worst relative error %.2g, %+v", tol, worst, s.Stats)
		if got != len(out) {
			t.Errorf("tol %g: %d outputs, want %d", tol, got, len(out))
		}
		if worst > 100*tol { // a local tolerance: the global error may grow to ~100x over 20 time units
			t.Errorf("tol %g: worst error %g", tol, worst)
		}
	}
}

// At 1e-9 DOP853 needs a third fewer right-hand-side calls than DOPRI5 on the same
// problem; events are located on its interpolant.
func TestDop853FewerCallsAndEvents(t *testing.T) {
	opts := Options{RTol: 1e-9, ATol: 1e-12}
	d5 := NewDopri5(expSin, 1, opts)
	d5.Reset(0, []float64{1})
	d8 := NewDop853(expSin, 1, opts)
	d8.Reset(0, []float64{1})
	if _, err := d5.Integrate(50, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := d8.Integrate(50, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("DOPRI5 %+v, DOP853 %+v", d5.Stats, d8.Stats)
	if 3*d8.Stats.RHS > 2*d5.Stats.RHS {
		t.Errorf("DOP853 used %d RHS calls, DOPRI5 %d", d8.Stats.RHS, d5.Stats.RHS)
	}
	decay := func(t float64, y, dy []float64) { dy[0] = -y[0] }
	g := func(t float64, y []float64) float64 { return y[0] - 0.5 }
	s := NewDop853(decay, 1, Options{RTol: 1e-10, ATol: 1e-12, Events: []Event{{G: g, Direction: -1, Terminal: true}}})
	s.Reset(0, []float64{1})
	c, err := s.Integrate(5, nil, nil, nil)
	if err != nil || c == nil {
		t.Fatalf("crossing %v, error %v", c, err)
	}
	if e := math.Abs(c.T - math.Ln2); e > 1e-9 {
		t.Errorf("crossing at %v, want ln 2 (error %v)", c.T, e)
	}
}

// A right-hand side that turns NaN and a step budget that is too small are
// errors, not hangs or silent garbage.
func TestDop853Errors(t *testing.T) {
	nan := func(t float64, y, dy []float64) { dy[0] = math.NaN() }
	s := NewDop853(nan, 1, Options{})
	s.Reset(0, []float64{1})
	if _, err := s.Integrate(1, nil, nil, nil); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN right-hand side: %v", err)
	}
	s = NewDop853(expSin, 1, Options{RTol: 1e-12, ATol: 1e-14, MaxSteps: 5})
	s.Reset(0, []float64{1})
	if _, err := s.Integrate(100, nil, nil, nil); !errors.Is(err, ErrTooManySteps) {
		t.Errorf("5 steps for 100 time units at 1e-12: %v", err)
	}
}

// A system with no states is an error, not an index panic.
func TestDop853NoStates(t *testing.T) {
	s := NewDop853(func(t float64, y, dy []float64) {}, 0, Options{})
	if _, err := s.Integrate(1, nil, nil, nil); !errors.Is(err, errNoStates) {
		t.Errorf("0 states: %v", err)
	}
}
