package modlang

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/physio/ode"
)

// The Test Set's stiff problems written in the language and solved by
// Radau5 with the graph's Jacobian (forward-mode AD), against their
// published reference solutions (Mazzia & Magherini, Test Set for IVP
// Solvers, release 2.4, 2008: problems VDPOL, ROBER, HIRES).
func TestStiffProblemsInTheLanguage(t *testing.T) {
	cases := []struct {
		name string
		spec Spec
		tEnd float64
		ref  []float64
		opts ode.Options
	}{
		{"vdpol", Spec{Name: "vdpol", Params: []Param{{Name: "eps", Value: 1e-6}},
			States:    []State{{Name: "y1", Init: "2"}, {Name: "y2"}},
			Equations: "d/dt(y1) = y2\nd/dt(y2) = ((1 - y1^2)*y2 - y1)/eps"},
			2, []float64{0.1706167732170483e1, -0.8928097010247975e0}, ode.Options{RTol: 1e-8, ATol: 1e-8}},
		{"rober", Spec{Name: "rober", States: []State{{Name: "y1", Init: "1"}, {Name: "y2"}, {Name: "y3"}},
			Equations: `
d/dt(y1) = -0.04*y1 + 1e4*y2*y3
d/dt(y3) = 3e7*y2^2
d/dt(y2) = 0.04*y1 - 1e4*y2*y3 - 3e7*y2^2`},
			1e11, ode.RobertsonRef, ode.Options{RTol: 1e-8, ATol: 1e-14}},
		{"hires", Spec{Name: "hires", States: []State{{Name: "y1", Init: "1"}, {Name: "y2"}, {Name: "y3"}, {Name: "y4"},
			{Name: "y5"}, {Name: "y6"}, {Name: "y7"}, {Name: "y8", Init: "0.0057"}},
			Equations: `
r = 280*y6*y8
d/dt(y1) = -1.71*y1 + 0.43*y2 + 8.32*y3 + 0.0007
d/dt(y2) = 1.71*y1 - 8.75*y2
d/dt(y3) = -10.03*y3 + 0.43*y4 + 0.035*y5
d/dt(y4) = 8.32*y2 + 1.71*y3 - 1.12*y4
d/dt(y5) = -1.745*y5 + 0.43*y6 + 0.43*y7
d/dt(y6) = -r + 0.69*y4 + 1.71*y5 - 0.43*y6 + 0.69*y7
d/dt(y7) = r - 1.81*y7
d/dt(y8) = -(r - 1.81*y7)`},
			321.8122, ode.HIRESRef, ode.Options{RTol: 1e-9, ATol: 1e-13}},
	}
	for _, c := range cases {
		m, err := Compile(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		in := m.NewInstance()
		y0 := make([]float64, m.NumStates())
		in.Init(y0)
		c.opts.Jac = in.Jacobian
		s := ode.NewRadau5(in.RHS, len(y0), c.opts)
		s.Reset(0, y0)
		if err := s.Integrate(c.tEnd, nil, nil); err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for i, r := range c.ref {
			worst = math.Max(worst, math.Abs(s.Y[i]-r)/math.Abs(r))
		}
		if worst > 1e-5 {
			t.Errorf("%s: %v, reference %v (worst relative error %.2g)", c.name, s.Y, c.ref, worst)
		}
		t.Logf("%s: worst relative error %.2g, %+v", c.name, worst, s.Stats)
	}
}
