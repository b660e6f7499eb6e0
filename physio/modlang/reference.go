package modlang

import (
	"math"

	"github.com/medtwin/medtwin/physio/ode"
	"github.com/medtwin/medtwin/physio/pk"
)

// StiffProblem is a stiff test problem written in the language with its
// published reference solution, for the tests and `medtwin verify`.
type StiffProblem struct {
	Name, Source string
	Spec         Spec
	TEnd         float64
	Ref          []float64
	Opts         ode.Options
}

// StiffProblems returns VDPOL (Van der Pol with ε = 1e-6, i.e. μ = 1000),
// ROBER to t = 1e11 and HIRES from the Test Set for IVP Solvers (Mazzia &
// Magherini, release 2.4, 2008), reference values computed there with RADAU
// at tolerance 1.1e-18 (VDPOL) and as published for ROBER and HIRES.
func StiffProblems() []StiffProblem {
	const src = "Test Set for IVP Solvers (Mazzia & Magherini, release 2.4, 2008), problem "
	return []StiffProblem{
		{"VDPOL (Van der Pol, μ = 1000) at t = 2", src + "VDPOL", Spec{Name: "vdpol", Params: []Param{{Name: "eps", Value: 1e-6}},
			States:    []State{{Name: "y1", Init: "2"}, {Name: "y2"}},
			Equations: "d/dt(y1) = y2\nd/dt(y2) = ((1 - y1^2)*y2 - y1)/eps"},
			2, []float64{0.1706167732170483e1, -0.8928097010247975e0}, ode.Options{RTol: 1e-8, ATol: 1e-8}},
		{"ROBER at t = 1e11", src + "ROBER", Spec{Name: "rober", States: []State{{Name: "y1", Init: "1"}, {Name: "y2"}, {Name: "y3"}},
			Equations: `
d/dt(y1) = -0.04*y1 + 1e4*y2*y3
d/dt(y3) = 3e7*y2^2
d/dt(y2) = 0.04*y1 - 1e4*y2*y3 - 3e7*y2^2`},
			1e11, ode.RobertsonRef, ode.Options{RTol: 1e-8, ATol: 1e-14}},
		{"HIRES at t = 321.8122", src + "HIRES", Spec{Name: "hires", States: []State{{Name: "y1", Init: "1"}, {Name: "y2"}, {Name: "y3"}, {Name: "y4"},
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
}

// Solve integrates the problem with Radau5 and the graph's Jacobian and
// returns the state at TEnd, the worst relative error against the reference
// and the solver's counts.
func (p StiffProblem) Solve() ([]float64, float64, ode.Stats, error) {
	m, err := Compile(p.Spec)
	if err != nil {
		return nil, 0, ode.Stats{}, err
	}
	in := m.NewInstance()
	y0 := make([]float64, m.NumStates())
	in.Init(y0)
	o := p.Opts
	o.Jac = in.Jacobian
	s := ode.NewRadau5(in.RHS, len(y0), o)
	s.Reset(0, y0)
	if err := s.Integrate(p.TEnd, nil, nil); err != nil {
		return nil, 0, s.Stats, err
	}
	worst := 0.0
	for i, r := range p.Ref {
		worst = math.Max(worst, math.Abs(s.Y[i]-r)/math.Abs(r))
	}
	return s.Y, worst, s.Stats, nil
}

// PKEquivalent is a library model and the physio/pk model it re-expresses.
type PKEquivalent struct {
	Library string
	Params  map[string]float64
	PK      pk.Model
}

// PKEquivalents returns the library's PK models with the pk.Model each
// re-expresses, at parameters away from the defaults.
func PKEquivalents() []PKEquivalent {
	return []PKEquivalent{
		{"pk1", map[string]float64{"CL": 4, "V1": 30}, pk.Model{NCmt: 1, P: pk.Params{CL: 4, V1: 30}}},
		{"pk1_oral", map[string]float64{"CL": 4, "V1": 30, "KA": 0.8, "F1": 0.7, "ALAG1": 0.4},
			pk.Model{NCmt: 1, Absorption: true, P: pk.Params{CL: 4, V1: 30, KA: 0.8, F: 0.7, ALAG: 0.4}}},
		{"pk2", map[string]float64{"CL": 4, "V1": 30, "Q2": 8, "V2": 70}, pk.Model{NCmt: 2, P: pk.Params{CL: 4, V1: 30, Q2: 8, V2: 70}}},
		{"pk2_oral", map[string]float64{"CL": 4, "V1": 30, "Q2": 8, "V2": 70, "KA": 1.3},
			pk.Model{NCmt: 2, Absorption: true, P: pk.Params{CL: 4, V1: 30, Q2: 8, V2: 70, KA: 1.3}}},
		{"pk3", map[string]float64{"CL": 4, "V1": 30, "Q2": 8, "V2": 70, "Q3": 1.5, "V3": 150},
			pk.Model{NCmt: 3, P: pk.Params{CL: 4, V1: 30, Q2: 8, V2: 70, Q3: 1.5, V3: 150}}},
		{"pk3_oral", map[string]float64{"CL": 4, "V1": 30, "Q2": 8, "V2": 70, "Q3": 1.5, "V3": 150, "KA": 0.9, "ALAG1": 0.25},
			pk.Model{NCmt: 3, Absorption: true, P: pk.Params{CL: 4, V1: 30, Q2: 8, V2: 70, Q3: 1.5, V3: 150, KA: 0.9, ALAG: 0.25}}},
		{"mm1_oral", map[string]float64{"CL": 1, "V1": 40, "KA": 1.1, "VMAX": 25, "KM": 3, "F1": 0.8},
			pk.Model{NCmt: 1, Absorption: true, P: pk.Params{CL: 1, V1: 40, KA: 1.1, VMax: 25, KM: 3, F: 0.8}}},
	}
}

// Compare simulates both on a regimen of 28 boluses every 12 h (into the
// depot, or central) and a 2 h infusion at 30.5 h, hourly over two weeks,
// and returns the worst difference of the concentrations relative to the
// peak: the linear models on the exact path on both sides, the
// Michaelis–Menten one on the Taylor path on both sides (rtol 1e-12).
func (e PKEquivalent) Compare() (float64, error) {
	times := make([]float64, 337)
	for i := range times {
		times[i] = float64(i)
	}
	m, err := Library(e.Library)
	if err != nil {
		return 0, err
	}
	in := m.NewInstance()
	p, err := m.Params(e.Params)
	if err != nil {
		return 0, err
	}
	if err := in.SetParams(p); err != nil {
		return 0, err
	}
	cmt := "central"
	if e.PK.Absorption {
		cmt = "depot"
	}
	doses := []Dose{{Time: 0, Amt: 100, II: 12, ADDL: 27, Cmt: cmt}, {Time: 30.5, Amt: 50, Rate: 25, Cmt: "central"}}
	pdoses := []pk.Dose{{Time: 0, Amt: 100, II: 12, ADDL: 27}, {Time: 30.5, Amt: 50, Rate: 25, Cmt: e.PK.Central() + 1}}
	path, ppath := Exact, pk.Exact
	pm := e.PK
	if !m.Linear() {
		path, ppath = TaylorPath, pk.ODE
		pm.Integrator, pm.RTol, pm.ATol = pk.Taylor, 1e-12, 1e-12
	}
	want, err := pm.Simulate(pdoses, times, ppath)
	if err != nil {
		return 0, err
	}
	out := make([]float64, len(m.Spec.Outputs))
	peak, worst := 0.0, 0.0
	err = in.Simulate(doses, times, SimOptions{Path: path, RTol: 1e-12, ATol: 1e-12}, func(i int, t float64, y []float64) {
		in.Outputs(t, y, out)
		peak = math.Max(peak, want[i])
		worst = math.Max(worst, math.Abs(out[0]-want[i]))
	})
	return worst / peak, err
}
