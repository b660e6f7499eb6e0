package modlang

import (
	"strings"
	"testing"
)

// Any text in a model file either compiles or gives an error: never a panic
// or a hang; a model that compiles evaluates its right-hand side, Jacobian
// and jet without panicking.
func FuzzCompile(f *testing.F) {
	f.Add(oral2)
	f.Add("$PROB x\n$STATE\nx = 1\n$ODE\nif (x > 1) { y = 2 } else if (x < 0) { y = 3 } else { y = x^x }\nd/dt(x) = -y*min(x, 2, abs(x))\n")
	f.Add("$PROB x\n$PARAM\nk [1/h] = 2\n$STATE\nx [mg] = k\n$ODE\nd/dt(x) = -k*x + ifelse(t > 1 && !(x == 0) || x != 2, log(x), sqrt(x))\n")
	f.Fuzz(func(t *testing.T, src string) {
		s, err := ParseFile("fuzz.model", src)
		if err != nil {
			return
		}
		m, err := Compile(s)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.model") {
				t.Errorf("error without the file name: %v", err)
			}
			return
		}
		in := m.NewInstance()
		n := m.NumStates()
		y, dy := make([]float64, n), make([]float64, n)
		in.Init(y)
		in.RHS(0.5, y, dy)
		in.Jacobian(0.5, y, make([]float64, n*n))
		c := make([][]float64, 6)
		for k := range c {
			c[k] = make([]float64, n)
		}
		copy(c[0], y)
		in.Jet(0.5, c)
	})
}

// A derivative that turns NaN (the square root of a state that reaches 0.5
// at t = 0.5) names the model, the time and the equation.
func TestNonFiniteDerivativeNamesTheEquation(t *testing.T) {
	m, err := Compile(Spec{Name: "neg", States: []State{{Name: "x", Init: "1"}},
		Equations: "\nd/dt(x) = -1 + 1e-9*sqrt(x - 0.5)"})
	if err != nil {
		t.Fatal(err)
	}
	in := m.NewInstance()
	err = in.Simulate(nil, []float64{2}, SimOptions{Path: Dopri5Path}, func(int, float64, []float64) {})
	if err == nil || !strings.Contains(err.Error(), "model neg: d/dt(x) (equations line 2) is NaN at t = ") {
		t.Errorf("got %v", err)
	}
}
