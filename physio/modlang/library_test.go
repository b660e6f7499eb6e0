package modlang

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/medtwin/medtwin/physio/models"
	"github.com/medtwin/medtwin/physio/pk"
)

// Every built-in model compiles with all its units declared and checked,
// names itself as its file does, and cites a source.
func TestLibraryCompiles(t *testing.T) {
	if len(LibraryNames()) < 11 {
		t.Fatalf("library: %v", LibraryNames())
	}
	for _, name := range LibraryNames() {
		m, err := Library(name)
		if err != nil {
			t.Fatal(err)
		}
		if !m.UnitsChecked || m.Spec.Name != name || m.Spec.Citation == "" || len(m.Spec.Outputs) == 0 {
			t.Errorf("%s: units checked %v, name %q, citation %q, outputs %v", name, m.UnitsChecked, m.Spec.Name, m.Spec.Citation, m.Spec.Outputs)
		}
		// pk (physio/models' LinearPK) has its Michaelis–Menten branch in
		// every parameter set's graph, so it is not linear as written
		wantLinear := name[:2] == "pk" && name != "pk" || name == "transit" || name == "vancomycin"
		if m.Linear() != wantLinear {
			t.Errorf("%s: linear %v", name, m.Linear())
		}
	}
	if _, err := Library("pk2oral"); err == nil || err.Error()[:30] != `no built-in model "pk2oral" (d` {
		t.Errorf("unknown model: %v", err)
	}
}

// Each PK model in the language agrees with physio/pk within 1e-10 relative
// to the peak (PKEquivalent.Compare: boluses and an infusion over two weeks).
func TestLibraryMatchesPK(t *testing.T) {
	for _, e := range PKEquivalents() {
		worst, err := e.Compare()
		if err != nil {
			t.Fatal(err)
		}
		if worst > 1e-10 {
			t.Errorf("%s: worst difference %.3g relative to the peak", e.Library, worst)
		}
		t.Logf("%s: worst difference %.2g relative to the peak", e.Library, worst)
	}
}

// The Bergman model in the language has the same right-hand side as
// physio/models' Go version at random states (within 1e-12 relative).
func TestLibraryMatchesBergman(t *testing.T) {
	m, err := Library("bergman")
	if err != nil {
		t.Fatal(err)
	}
	over := map[string]float64{"p1": 0.025, "p3": 1.3e-5, "insulin": 40}
	g, err := models.NewGo("bergman", over)
	if err != nil {
		t.Fatal(err)
	}
	in := m.NewInstance()
	p, _ := m.Params(over)
	in.SetParams(p)
	r := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 100; k++ {
		y := []float64{50 + 200*r.Float64(), 0.05 * r.Float64()}
		a, b := make([]float64, 2), make([]float64, 2)
		in.RHS(0, y, a)
		g.Deriv(0, y, b)
		for i := range a {
			if math.Abs(a[i]-b[i]) > 1e-12*math.Max(1e-12, math.Abs(b[i])) {
				t.Errorf("y = %v: %v, Go %v", y, a, b)
			}
		}
	}
	y0 := make([]float64, 2)
	in.Init(y0)
	if y0[0] != 92 {
		t.Errorf("glucose(0) = %v, want gb = 92", y0[0])
	}
}

// Transit chain: a dose D into "dose" with all rates KTR gives the Erlang
// amount D·(KTR·t)³/3!·e^{−KTR·t} in the third transit compartment (Savic
// et al. 2007, eq. 1).
func TestTransitClosedForm(t *testing.T) {
	m, err := Library("transit")
	if err != nil {
		t.Fatal(err)
	}
	in := m.NewInstance()
	ktr := 4 / 2.0
	times := []float64{0.5, 1, 2, 3, 5, 8}
	err = in.Simulate([]Dose{{Amt: 100, Cmt: "dose"}}, times, SimOptions{}, func(i int, tt float64, y []float64) {
		x := ktr * tt
		want := 100 * x * x * x / 6 * math.Exp(-x)
		if math.Abs(y[3]-want) > 1e-11*100 {
			t.Errorf("t = %v: transit3 = %.15g, want %.15g", tt, y[3], want)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Indirect response I with a constant concentration (CL = 0 after a bolus)
// relaxes exponentially to KIN·(1 − IMAX·C/(IC50 + C))/KOUT (Dayneka et al.
// 1993, model I), on the Taylor and the Radau5 paths.
func TestIDRClosedForm(t *testing.T) {
	m, err := Library("idr1")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []Path{TaylorPath, Radau5Path, Dopri5Path} {
		in := m.NewInstance()
		p, _ := m.Params(map[string]float64{"CL": 0})
		in.SetParams(p)
		c := 100 / 50.0
		r0, rss := 10/0.5, 10*(1-0.9*c/(1+c))/0.5
		err = in.Simulate([]Dose{{Amt: 100, Cmt: "central"}}, []float64{1, 4, 12}, SimOptions{Path: path}, func(i int, tt float64, y []float64) {
			want := rss + (r0-rss)*math.Exp(-0.5*tt)
			if math.Abs(y[1]-want) > 1e-7*r0 {
				t.Errorf("path %d, t = %v: response %.12g, want %.12g", path, tt, y[1], want)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// QSS TMDD without target (KSYN = 0, so rtot stays 0) is the linear
// one-compartment oral model: free = total concentration (Gibiansky et al.
// 2008: the QSS solution with Rtot = 0 is C = Ctot).
func TestTMDDWithoutTargetIsLinear(t *testing.T) {
	m, err := Library("tmdd_qss")
	if err != nil {
		t.Fatal(err)
	}
	in := m.NewInstance()
	p, _ := m.Params(map[string]float64{"KSYN": 0})
	in.SetParams(p)
	lin := pk.Model{NCmt: 1, Absorption: true, P: pk.Params{KA: 0.01, CL: 0.01, V1: 3}}
	times := []float64{1, 24, 100, 300, 700}
	want, err := lin.Simulate([]pk.Dose{{Amt: 10}}, times, pk.Exact)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 3)
	err = in.Simulate([]Dose{{Amt: 10, Cmt: "depot"}}, times, SimOptions{RTol: 1e-12}, func(i int, tt float64, y []float64) {
		in.Outputs(tt, y, out)
		if math.Abs(out[0]-want[i]) > 1e-9*want[i] {
			t.Errorf("t = %v: c = %.12g, want %.12g", tt, out[0], want[i])
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// goModelRHS checks a library model's right-hand side and outputs against
// physio/models' Go version at random states (within 1e-12 relative, the
// brief's bound being 1e-10): both written from the same paper, one by hand
// in Go, one in the language.
func goModelRHS(t *testing.T, name string, over map[string]float64, state func(r *rand.Rand) []float64, times []float64) {
	t.Helper()
	m, err := Library(name)
	if err != nil {
		t.Fatal(err)
	}
	g, err := models.NewGo(name, over)
	if err != nil {
		t.Fatal(err)
	}
	in := m.NewInstance()
	p, err := m.Params(over)
	if err != nil {
		t.Fatal(err)
	}
	in.SetParams(p)
	n := m.NumStates()
	y0, g0 := make([]float64, n), make([]float64, n)
	in.Init(y0)
	for i, s := range g.Info().States {
		g0[i] = s.Init
	}
	for i := range y0 {
		if y0[i] != g0[i] {
			t.Errorf("%s: initial %s = %v, Go %v", name, m.Spec.States[i].Name, y0[i], g0[i])
		}
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1e-300, math.Abs(b)) }
	r := rand.New(rand.NewPCG(3, 4))
	for k := 0; k < 200; k++ {
		y, tt := state(r), times[k%len(times)]
		a, b := make([]float64, n), make([]float64, n)
		in.RHS(tt, y, a)
		g.Deriv(tt, y, b)
		for i := range a {
			if !close(a[i], b[i]) {
				t.Errorf("%s: t = %v, y = %v: d/dt %v, Go %v", name, tt, y, a, b)
				break
			}
		}
		for _, o := range g.Info().Outputs {
			av, err := in.Value(o, tt, y)
			if err != nil {
				t.Fatal(err)
			}
			bv, _ := g.Output(o, tt, y)
			if !close(av, bv) {
				t.Errorf("%s: t = %v, y = %v: %s = %v, Go %v", name, tt, y, o, av, bv)
			}
		}
	}
}

// Vancomycin (Goti et al. 2018) in the language is the Go model: with and
// without dialysis, CrCl below and above the cap, during an infusion.
func TestLibraryMatchesVancomycin(t *testing.T) {
	state := func(r *rand.Rand) []float64 { return []float64{3000 * r.Float64(), 3000 * r.Float64()} }
	goModelRHS(t, "vancomycin", nil, state, []float64{0})
	goModelRHS(t, "vancomycin", map[string]float64{"crcl": 45, "wt": 92, "rate_mg_h": 1000}, state, []float64{1})
	goModelRHS(t, "vancomycin", map[string]float64{"crcl": 180, "wt": 55, "dial": 1}, state, []float64{2})
}

// The Reynolds et al. 2006 inflammation model in the language is the Go
// model, including states below zero (rates on max(state, 0)) and treatment.
func TestLibraryMatchesInflammation(t *testing.T) {
	state := func(r *rand.Rand) []float64 {
		return []float64{25*r.Float64() - 1, 2*r.Float64() - 0.1, 10*r.Float64() - 0.1, r.Float64()}
	}
	goModelRHS(t, "inflammation", nil, state, []float64{0})
	goModelRHS(t, "inflammation", map[string]float64{"antibiotic": 0.6, "kpg": 0.3}, state, []float64{5})
}

// The Windkessel (Westerhof et al. 2009) in the language is the Go model:
// inflow in systole and diastole over several beats, with and without Zc.
func TestLibraryMatchesWindkessel(t *testing.T) {
	state := func(r *rand.Rand) []float64 { return []float64{40 + 100*r.Float64()} }
	times := []float64{0, 0.05, 0.15, 0.29, 0.31, 0.79, 0.85, 1.7, 2.45, 10.1}
	goModelRHS(t, "windkessel", nil, state, times)
	goModelRHS(t, "windkessel", map[string]float64{"zc": 0, "hr": 60, "ts": 0.35}, state, times)
}

// sin and cos on the Taylor path: d/dt(x) = ω·cos(ω·t), x(0) = 0, has
// x = sin(ω·t); d/dt(y) = −ω·sin(ω·t), y(0) = 1, has y = cos(ω·t); the
// Jacobian's rules are checked by JacobianCheck on d/dt(z) = sin(z).
func TestSinCosTaylor(t *testing.T) {
	m, err := Compile(Spec{Name: "osc", Params: []Param{{Name: "w", Value: 3}},
		States:    []State{{Name: "x", Init: "0"}, {Name: "y", Init: "1"}, {Name: "z", Init: "0.5"}},
		Equations: "d/dt(x) = w*cos(w*t)\nd/dt(y) = -w*sin(w*t)\nd/dt(z) = sin(z) + cos(2*z) + floor(z)"})
	if err != nil {
		t.Fatal(err)
	}
	in := m.NewInstance()
	in.SetParams(m.Defaults())
	times := []float64{0.5, 1, 2.5, 4}
	err = in.Simulate(nil, times, SimOptions{Path: TaylorPath}, func(i int, tt float64, y []float64) {
		if math.Abs(y[0]-math.Sin(3*tt)) > 1e-9 || math.Abs(y[1]-math.Cos(3*tt)) > 1e-9 {
			t.Errorf("t = %v: x = %v y = %v, want %v %v", tt, y[0], y[1], math.Sin(3*tt), math.Cos(3*tt))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if e := in.JacobianCheck(0, []float64{0.3, 0.2, 0.7}); e > 1e-6 {
		t.Errorf("Jacobian against finite differences: %v", e)
	}
}

// The general pk model in the language is physio/models' LinearPK: 1, 2
// and 3 compartments, with and without a depot, linear and with
// Michaelis–Menten elimination (with and without a linear clearance), at
// random states, some with a negative central amount (no Michaelis–Menten
// elimination there).
func TestLibraryMatchesLinearPK(t *testing.T) {
	state := func(r *rand.Rand) []float64 {
		return []float64{1000 * r.Float64(), 1000*r.Float64() - 50, 500 * r.Float64(), 500 * r.Float64()}
	}
	for _, over := range []map[string]float64{
		nil,
		{"ka": 0, "cl": 3, "v1": 20},
		{"q2": 10, "v2": 100, "ka": 1.5},
		{"q2": 10, "v2": 100, "ka": 0},
		{"q2": 10, "v2": 100, "q3": 2, "v3": 200, "ka": 0.7, "f": 0.6, "alag": 0.5},
		{"q2": 10, "v2": 100, "q3": 2, "v3": 200, "ka": 0},
		{"vmax": 20, "km": 2, "cl": 0},
		{"vmax": 20, "km": 2, "cl": 1.5, "q2": 4, "v2": 30, "ka": 0},
		{"vmax": 35, "km": 0.8, "q2": 4, "v2": 30, "q3": 1, "v3": 80},
	} {
		goModelRHS(t, "pk", over, state, []float64{0, 3})
		m, err := Library("pk")
		if err != nil {
			t.Fatal(err)
		}
		pt, err := m.Patient(over)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := models.NewGo("pk", over)
		gd := g.(models.Dosing)
		for i := range 4 {
			if pt.DoseF(i) != gd.DoseF(i) || pt.DoseLag(i) != gd.DoseLag(i) {
				t.Errorf("%v: state %d: F %v ALAG %v, Go %v %v", over, i, pt.DoseF(i), pt.DoseLag(i), gd.DoseF(i), gd.DoseLag(i))
			}
		}
	}
}
