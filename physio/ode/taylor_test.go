package ode

import (
	"errors"
	"math"
	"testing"
)

// The series method follows the forced oscillator's closed form over 20
// periods at every output, within a small multiple of the tolerance, at three
// tolerances; work grows as the tolerance tightens.
func TestTaylorOscillatorClosedForm(t *testing.T) {
	a, b := 3.0, -2.0
	var outs []float64
	for x := 0.0; x <= 125; x += 0.37 {
		outs = append(outs, x)
	}
	prev := 0
	for _, tol := range []float64{1e-6, 1e-9, 1e-12} {
		s := NewTaylor(ForcedOscillatorJet, 2, 0, Options{RTol: tol, ATol: tol})
		s.Reset(0, []float64{a, b})
		worst := 0.0
		err := s.Integrate(125, outs, func(i int, t float64, y []float64) {
			worst = math.Max(worst, math.Abs(y[0]-ForcedOscillator(a, b, t)))
		})
		if err != nil {
			t.Fatal(err)
		}
		// the global error of 125 time units of local errors at most tol·|y| (|y| <= 4.7)
		if worst > 100*tol {
			t.Errorf("tol %g: worst error %.3g", tol, worst)
		}
		if s.Stats.Steps <= prev {
			t.Errorf("tol %g: %d steps, not more than %d at the looser tolerance", tol, s.Stats.Steps, prev)
		}
		prev = s.Stats.Steps
		t.Logf("tol %g: worst %.2g, %+v", tol, worst, s.Stats)
	}
}

// y' = y², y(0) = 1 has y = 1/(1−t): a series with a finite radius of
// convergence (1−t), so the step must shrink towards the pole. The last two
// terms bound it: at t = 0.999 (y = 1000) the error stays near the tolerance.
func TestTaylorFiniteRadius(t *testing.T) {
	jet := func(t float64, c [][]float64) {
		for k := 0; k+1 < len(c); k++ {
			s := 0.0
			for j := 0; j <= k; j++ {
				s += c[j][0] * c[k-j][0]
			}
			c[k+1][0] = s / float64(k+1)
		}
	}
	for _, p := range []int{11, 20} {
		s := NewTaylor(jet, 1, p, Options{RTol: 1e-10, ATol: 1e-12})
		s.Reset(0, []float64{1})
		outs := []float64{0.5, 0.9, 0.99, 0.999}
		worst := 0.0
		if err := s.Integrate(0.999, outs, func(i int, t float64, y []float64) {
			worst = math.Max(worst, math.Abs(y[0]*(1-t)-1))
		}); err != nil {
			t.Fatal(err)
		}
		if worst > 1e-7 {
			t.Errorf("order %d: worst relative error %.3g", p, worst)
		}
		t.Logf("order %d: worst %.2g, %+v", p, worst, s.Stats)
	}
}

// Events, a non-finite jet, the step budget and a backwards interval give
// errors, not panics; a system at rest takes one step to any end.
func TestTaylorErrors(t *testing.T) {
	s := NewTaylor(ForcedOscillatorJet, 2, 0, Options{Events: []Event{{G: func(t float64, y []float64) float64 { return y[0] }}}})
	if err := s.Integrate(1, nil, nil); !errors.Is(err, errTaylorEvents) {
		t.Errorf("events: %v", err)
	}
	nan := NewTaylor(func(t float64, c [][]float64) {
		for k := 1; k < len(c); k++ {
			c[k][0] = math.NaN()
		}
	}, 1, 0, Options{})
	nan.Reset(0, []float64{1})
	if err := nan.Integrate(1, nil, nil); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN jet: %v", err)
	}
	few := NewTaylor(ForcedOscillatorJet, 2, 0, Options{RTol: 1e-12, ATol: 1e-12, MaxSteps: 3})
	few.Reset(0, []float64{2, 0})
	if err := few.Integrate(1000, nil, nil); !errors.Is(err, ErrTooManySteps) {
		t.Errorf("step budget: %v", err)
	}
	few.Reset(5, []float64{1, 0})
	if err := few.Integrate(1, nil, nil); !errors.Is(err, errBackwards) {
		t.Errorf("backwards: %v", err)
	}
	rest := NewTaylor(func(t float64, c [][]float64) {
		for k := 1; k < len(c); k++ {
			c[k][0] = 0
		}
	}, 1, 0, Options{})
	n := 0
	if err := rest.Integrate(1e6, []float64{0, 1, 2, 1e6}, func(i int, tt float64, y []float64) {
		n++
		if y[0] != 0 {
			t.Errorf("at rest: y(%g) = %g", tt, y[0])
		}
	}); err != nil || rest.Stats.Steps != 1 || n != 4 {
		t.Errorf("at rest: %v, %d steps, %d outputs", err, rest.Stats.Steps, n)
	}
}
