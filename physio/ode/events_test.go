package ode

import (
	"math"
	"testing"
)

// integrator is what the solvers with event location have in common.
type integrator interface {
	Reset(t float64, y []float64)
	Integrate(tEnd float64, outTimes []float64, emit func(i int, t float64, y []float64), onCross func(Crossing)) (*Crossing, error)
}

// A non-terminal crossing in the same step as a terminal one, but after it, is
// reported only when integration resumes past it, and once (every solver
// reported it before stopping at the terminal one and again after the
// restart). Problem: y” = −y, y(0) = 1, y'(0) = 0, so y = cos t; y falls through
// 0.01 at acos(0.01), through 0 at π/2 (terminal) and through −0.01 at
// acos(−0.01), 0.02 apart: the steps of all three solvers at these tolerances
// are longer than that, so one step holds all three crossings. The time
// tolerances are the solvers' global errors there (Rosenbrock23, of order 2 at
// rtol 1e-4, is 5e-4 late at π/2).
func TestNonTerminalCrossingAfterTerminalInOneStep(t *testing.T) {
	f := func(t float64, y, dy []float64) { dy[0], dy[1] = y[1], -y[0] }
	level := func(c float64) func(float64, []float64) float64 {
		return func(t float64, y []float64) float64 { return y[0] - c }
	}
	events := []Event{{G: level(0.01), Direction: -1}, {G: level(0), Direction: -1, Terminal: true}, {G: level(-0.01), Direction: -1}}
	want := []float64{math.Acos(0.01), math.Pi / 2, math.Acos(-0.01)}
	for name, c := range map[string]struct {
		s   integrator
		tol float64
	}{
		"dopri5":     {NewDopri5(f, 2, Options{RTol: 1e-10, ATol: 1e-12, Events: events}), 1e-8},
		"dop853":     {NewDop853(f, 2, Options{RTol: 1e-10, ATol: 1e-12, Events: events}), 1e-8},
		"rosenbrock": {NewRosenbrock23(f, 2, Options{RTol: 1e-4, ATol: 1e-7, Events: events}), 2e-3},
	} {
		c.s.Reset(0, []float64{1, 0})
		var got []Crossing
		onCross := func(cr Crossing) { got = append(got, cr) }
		stop, err := c.s.Integrate(3, nil, nil, func(cr Crossing) {
			if cr.T > want[1]+c.tol {
				t.Errorf("%s: event %d at %v reported while stopping at the terminal one (%v)", name, cr.Index, cr.T, want[1])
			}
			onCross(cr)
		})
		if err != nil || stop == nil || stop.Index != 1 {
			t.Fatalf("%s: stop %+v, %v", name, stop, err)
		}
		got = append(got, *stop)
		if _, err := c.s.Integrate(3, nil, nil, onCross); err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Errorf("%s: %d crossings, want 3 (each once): %+v", name, len(got), got)
			continue
		}
		for i, cr := range got {
			if cr.Index != i || math.Abs(cr.T-want[i]) > c.tol {
				t.Errorf("%s: crossing %d is event %d at %.12f, want event %d at %.12f", name, i, cr.Index, cr.T, i, want[i])
			}
		}
	}
}
