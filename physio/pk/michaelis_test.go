package pk

import (
	"math"
	"strings"
	"testing"
)

// lambertW is the principal branch W0(x) for x >= 0 by Halley's iteration
// (Corless et al. 1996, Adv Comput Math 5:329, eq. 5.9): an independent
// reference for the Michaelis–Menten closed form.
func lambertW(x float64) float64 {
	w := math.Log1p(x)
	for i := 0; i < 100; i++ {
		ew := math.Exp(w)
		f := w*ew - x
		d := ew*(w+1) - (w+2)*f/(2*w+2)
		dw := f / d
		w -= dw
		if math.Abs(dw) <= 1e-15*(1+math.Abs(w)) {
			break
		}
	}
	return w
}

// An IV bolus into a one-compartment model with Michaelis–Menten elimination
// has C(t) = KM·W((C0/KM)·exp((C0 − Vm·t)/KM)), Vm = VMax/V (Schnell & Mendoza
// 1997, J Theor Biol 187:207; Tang & Xiao 2007, J Pharmacokinet Pharmacodyn
// 34:807). The ODE path with every integrator agrees within 1e-6 relative, and
// the exact path refuses the nonlinear model.
func TestMichaelisMentenClosedForm(t *testing.T) {
	p := Params{V1: 50, VMax: 30, KM: 4} // phenytoin-like: Vm = 0.6 mg/L/h
	doses := []Dose{{Amt: 1000}}         // C0 = 20 mg/L, well above KM
	times := hours(97, 1)
	c0, vm := 1000/p.V1, p.VMax/p.V1
	for _, integ := range []Integrator{DOPRI5, GBS, DOP853, Taylor} {
		m := Model{NCmt: 1, P: p, Integrator: integ}
		got, err := m.Simulate(doses, times, ODE)
		if err != nil {
			t.Fatal(err)
		}
		for i, tt := range times {
			want := p.KM * lambertW(c0/p.KM*math.Exp((c0-vm*tt)/p.KM))
			if math.Abs(got[i]-want) > 1e-6*want {
				t.Fatalf("integrator %d, t = %v h: %v, closed form %v", integ, tt, got[i], want)
			}
		}
	}
	m := Model{NCmt: 1, P: p}
	if _, err := m.Simulate(doses, times, Exact); err == nil || !strings.Contains(err.Error(), "nonlinear") {
		t.Errorf("exact path on a nonlinear model: %v", err)
	}
}

// A constant infusion R < VMax approaches Css = KM·R/(VMax − R) (with CL = 0),
// and with CL > 0 the solution of CL·C + VMax·C/(KM+C) = R; SS dosing finds the
// same level without simulating the approach.
func TestMichaelisMentenSteadyState(t *testing.T) {
	p := Params{V1: 50, VMax: 30, KM: 4}
	m := Model{NCmt: 1, P: p}
	r := 20.0 // mg/h
	css := p.KM * r / (p.VMax - r)
	c, err := m.Simulate([]Dose{{Amt: r * 2000, Rate: r}}, []float64{1999}, ODE)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c[0]-css) > 1e-6*css {
		t.Errorf("infusion for 2000 h: %v, want Css %v", c[0], css)
	}
	ss, err := m.Simulate([]Dose{{Amt: r * 12, Rate: r, II: 12, SS: 1}}, []float64{0, 6}, ODE)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ss {
		if math.Abs(ss[i]-css) > 1e-6*css {
			t.Errorf("SS=1 infusion at %d: %v, want %v", i, ss[i], css)
		}
	}
	// with a linear clearance too: CL·C + VMax·C/(KM+C) = R, a quadratic in C
	p.CL = 2
	m = Model{NCmt: 1, P: p}
	a, b, cc := p.CL, p.CL*p.KM+p.VMax-r, -r*p.KM
	want := (-b + math.Sqrt(b*b-4*a*cc)) / (2 * a)
	c, err = m.Simulate([]Dose{{Amt: r * 500, Rate: r}}, []float64{499}, ODE)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c[0]-want) > 1e-6*want {
		t.Errorf("with CL: %v, want %v", c[0], want)
	}
}

// Bad input: a regimen above VMax has no steady state (the record is named);
// VMax without KM, or a negative KM, is refused.
func TestMichaelisMentenErrors(t *testing.T) {
	m := Model{NCmt: 1, P: Params{V1: 50, VMax: 10, KM: 4}}
	_, err := m.Simulate([]Dose{{Amt: 300, II: 24, SS: 1, Source: "phenytoin.csv line 3"}}, []float64{0}, ODE)
	if err == nil || !strings.Contains(err.Error(), "phenytoin.csv line 3") || !strings.Contains(err.Error(), "no steady state") {
		t.Errorf("300 mg/24 h against VMax 10 mg/h: %v", err)
	}
	for _, p := range []Params{{V1: 50, VMax: 10}, {V1: 50, VMax: 10, KM: -1}, {V1: 50, KM: 4}, {V1: 50, VMax: 10, KM: 4, CL: -1}} {
		if err := (Model{NCmt: 1, P: p}).Validate(); err == nil {
			t.Errorf("%+v accepted", p)
		}
	}
}
