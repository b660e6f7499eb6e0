package fit

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestMAPClosedForm: an IV bolus observed n times at the dose time under
// exponential error is linear-Gaussian in η on V: log y = log(D/V) − η + ε,
// so the mode is η̂ = −z̄·(n/σ²)/(n/σ² + 1/ω²), z̄ = mean(log y) − log(D/V),
// and the posterior variance 1/(n/σ² + 1/ω²), both exact (the Laplace
// approximation is exact for a Gaussian posterior).
func TestMAPClosedForm(t *testing.T) {
	st, _ := NewPK(1, false, false)
	const d, v, omega2, sigma = 1000.0, 50.0, 0.09, 0.2
	ys := []float64{25, 27, 22}
	var b strings.Builder
	b.WriteString("ID,TIME,AMT,DV,EVID\n1,0,1000,.,1\n")
	zbar := 0.0
	for _, y := range ys {
		fmt.Fprintf(&b, "1,0,0,%g,0\n", y)
		zbar += math.Log(y) - math.Log(d/v)
	}
	zbar /= float64(len(ys))
	n := float64(len(ys))
	prec := n/(sigma*sigma) + 1/omega2
	wantEta := -zbar * (n / (sigma * sigma)) / prec
	ds, err := ReadCSV(strings.NewReader(b.String()), "cf.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, meth := range []Method{BFGS, NelderMead} {
		m := &Model{Structure: st, Params: []Param{{Name: "CL", Typical: 5}, {Name: "V1", Typical: v, Eta: "eta_v"}},
			Etas: []string{"eta_v"}, Omega: mat.NewSymDense(1, []float64{omega2}), Error: ErrorModel{Kind: ExponentialError, Add: sigma}}
		res, err := m.Fit(ds, meth)
		if err != nil {
			t.Fatal(err)
		}
		e := res.Estimates[0]
		if math.Abs(e.Eta[0]-wantEta) > 1e-6 {
			t.Errorf("method %d: η̂ = %.9f, closed form %.9f", meth, e.Eta[0], wantEta)
		}
		if got := e.Cov.At(0, 0); math.Abs(got-1/prec) > 1e-5/prec {
			t.Errorf("method %d: posterior variance %.9g, closed form %.9g", meth, got, 1/prec)
		}
		if want := e.Params[1]; math.Abs(want-v*math.Exp(wantEta)) > 1e-4 {
			t.Errorf("individual V %v, want %v", want, v*math.Exp(wantEta))
		}
		// IWRES = (log y − log IPRED)/σ
		if got, want := e.IWRES[1], (math.Log(ys[0])-math.Log(e.IPRED[1]))/sigma; math.Abs(got-want) > 1e-12 {
			t.Errorf("IWRES %v, want %v", got, want)
		}
	}
}

// TestM3 checks the objective at a fixed η against the formula written out:
// one observation above LLOQ (additive error) and one BLQ observation entering
// as −2·log Φ((LLOQ − f)/σ) (Beal 2001, method M3).
func TestM3(t *testing.T) {
	st, _ := NewPK(1, false, false)
	src := "ID,TIME,AMT,DV,EVID,BLQ,LLOQ\n1,0,100,.,1,0,.\n1,1,0,1.7,0,0,0.5\n1,20,0,0,0,1,0.5\n"
	ds, err := ReadCSV(strings.NewReader(src), "m3.csv")
	if err != nil {
		t.Fatal(err)
	}
	m := &Model{Structure: st, Params: []Param{{Name: "CL", Typical: 5, Eta: "e"}, {Name: "V1", Typical: 50}},
		Etas: []string{"e"}, Omega: mat.NewSymDense(1, []float64{0.1}), Error: ErrorModel{Kind: Additive, Add: 0.3}}
	if err := m.Check(ds.Covariates); err != nil {
		t.Fatal(err)
	}
	o, err := m.newObjective(ds, &ds.Subjects[0])
	if err != nil {
		t.Fatal(err)
	}
	eta := 0.2
	cl := 5 * math.Exp(eta)
	f1, f2 := 100/50.0*math.Exp(-cl/50), 100/50.0*math.Exp(-cl/50*20)
	phi := 0.5 * math.Erfc(-((0.5-f2)/0.3)/math.Sqrt2)
	want := math.Pow((1.7-f1)/0.3, 2) + 2*math.Log(0.3) - 2*math.Log(phi) + eta*eta/0.1
	if got := o.value([]float64{eta}); math.Abs(got-want) > 1e-12*math.Abs(want) {
		t.Errorf("J = %.15g, want %.15g", got, want)
	}
}

// TestLogPhiTail: log Φ(x) stays finite and follows its asymptote where
// Φ underflows (x = −40: log Φ ≈ −x²/2 − log(−x) − ½log 2π).
func TestLogPhiTail(t *testing.T) {
	for _, x := range []float64{-5, -19.9, -20.1} {
		if got, want := logPhi(x), math.Log(0.5*math.Erfc(-x/math.Sqrt2)); math.Abs(got-want) > 1e-6*math.Abs(want) {
			t.Errorf("logPhi(%v) = %v, want %v", x, got, want)
		}
	}
	x := -40.0
	if got, want := logPhi(x), -x*x/2-math.Log(-x)-0.5*math.Log(2*math.Pi); math.Abs(got-want) > 1e-3 {
		t.Errorf("logPhi(-40) = %v, asymptote %v", got, want)
	}
}

// TestCovariateRelations: typical values scaled by power, exponential and
// linear covariate effects, written out.
func TestCovariateRelations(t *testing.T) {
	st, _ := NewPK(1, false, false)
	m := &Model{Structure: st, Params: []Param{
		{Name: "CL", Typical: 4, Eta: "e", Covariates: []CovariateEffect{{Covariate: "wt", Relation: Power, Ref: 70, Coef: 0.75}, {Covariate: "crcl", Relation: Linear, Ref: 100, Coef: 0.005}}},
		{Name: "V1", Typical: 50, Covariates: []CovariateEffect{{Covariate: "AGE", Relation: Exponential, Ref: 40, Coef: 0.01}}},
	}, Etas: []string{"e"}, Omega: mat.NewSymDense(1, []float64{0.1}), Error: ErrorModel{Kind: Proportional, Prop: 0.1}}
	if err := m.Check([]string{"WT", "CRCL", "AGE"}); err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 2)
	m.Individual([]float64{90, 60, 70}, []float64{0.3}, out)
	wantCL := 4 * math.Pow(90.0/70, 0.75) * (1 + 0.005*(60-100)) * math.Exp(0.3)
	wantV := 50 * math.Exp(0.01*(70-40))
	if math.Abs(out[0]-wantCL) > 1e-12 || math.Abs(out[1]-wantV) > 1e-12 {
		t.Errorf("CL %v V %v, want %v %v", out[0], out[1], wantCL, wantV)
	}
}

// TestModelErrors: bad models and data are refused with a message that
// names what is wrong.
func TestModelErrors(t *testing.T) {
	st, _ := NewPK(1, true, false)
	om := mat.NewSymDense(1, []float64{0.1})
	good := func() *Model {
		return &Model{Structure: st, Params: []Param{{Name: "CL", Typical: 5, Eta: "e"}, {Name: "V1", Typical: 50}, {Name: "KA", Typical: 1}},
			Etas: []string{"e"}, Omega: om, Error: ErrorModel{Kind: Additive, Add: 1}}
	}
	cases := []struct {
		edit func(m *Model)
		data string
		want string
	}{
		{func(m *Model) { m.Params = m.Params[:2] }, "", "parameter KA needs a typical value"},
		{func(m *Model) { m.Params[0].Eta = "x" }, "", `η "x" is not in omega`},
		{func(m *Model) { m.Omega = mat.NewSymDense(1, []float64{-1}) }, "", "omega is not positive definite"},
		{func(m *Model) { m.Error.Add = 0 }, "", "residual error needs an SD > 0"},
		{func(m *Model) { m.Params[0].Covariates = []CovariateEffect{{Covariate: "WT", Ref: 70}} }, "", "covariate WT is not a column"},
		{func(m *Model) {}, "ID,TIME,AMT,DV,EVID,CMT\n1,0,100,.,1,3\n1,1,0,3,0,2\n", "line 2, column CMT: compartment 3 cannot take a dose"},
		{func(m *Model) {}, "ID,TIME,AMT,DV,EVID\n1,0,0,3,0\n1,1,100,.,1\n", "line 2: subject 1 has an observation at 0 h before any dose"},
		{func(m *Model) { m.Params[1].Typical = -50 }, "", "subject 1: the typical V1 is -50"},
		{func(m *Model) { m.Error = ErrorModel{Kind: ExponentialError, Add: 0.2} }, "ID,TIME,AMT,DV,EVID\n1,0,100,.,1\n1,1,0,0,0\n", "line 3, column DV: 0 cannot be fitted under exponential"},
	}
	for i, c := range cases {
		m := good()
		c.edit(m)
		data := c.data
		if data == "" {
			data = "ID,TIME,AMT,DV,EVID\n1,0,100,.,1\n1,1,0,3,0\n"
		}
		ds, err := ReadCSV(strings.NewReader(data), "d.csv")
		if err != nil {
			t.Fatal(err)
		}
		_, err = m.Fit(ds, BFGS)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: error %v, want %q", i, err, c.want)
		}
	}
}

// TestShrinkage: subjects without observations keep η̂ = 0 (the prior
// mode), so the spread of η̂ is nil and the shrinkage 1 − SD(η̂)/ω is 1.
func TestShrinkage(t *testing.T) {
	st, _ := NewPK(1, false, false)
	m := &Model{Structure: st, Params: []Param{{Name: "CL", Typical: 5, Eta: "e"}, {Name: "V1", Typical: 50}},
		Etas: []string{"e"}, Omega: mat.NewSymDense(1, []float64{0.1}), Error: ErrorModel{Kind: Additive, Add: 1}}
	ds, err := ReadCSV(strings.NewReader("ID,TIME,AMT,DV,EVID\n1,0,100,.,1\n2,0,100,.,1\n"), "s.csv")
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Fit(ds, BFGS)
	if err != nil {
		t.Fatal(err)
	}
	if res.Shrinkage[0] != 1 {
		t.Errorf("shrinkage %v with no observations, want 1", res.Shrinkage[0])
	}
}
