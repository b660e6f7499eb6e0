package modlang

import (
	"math"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/models"
	"github.com/medtwin/medtwin/physio/pk"
)

func libPatient(t *testing.T, name string, over map[string]float64) *Patient {
	t.Helper()
	m, err := Library(name)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := m.Patient(over)
	if err != nil {
		t.Fatal(err)
	}
	return pt
}

// Steady states of the one-compartment model against their closed forms
// (Gibaldi M, Perrier D 1982, Pharmacokinetics, 2nd ed., Marcel Dekker,
// ch. 3 "Multiple dosing": the superposition Σₙ c₁(t + nτ) of the
// single-dose curve, a geometric series), each just before a dose, t = τ
// after the previous one, k = CL/V.
func TestPatientSteadyStateClosedForms(t *testing.T) {
	const cl, v, ka, f, alag = 5.0, 50.0, 1.2, 0.6, 0.5
	k := cl / v
	geo := func(r, tau float64) float64 { return 1 / (1 - math.Exp(-r*tau)) }
	check := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-10*want {
			t.Errorf("%s: %.15g, closed form %.15g", what, got, want)
		}
	}
	// IV bolus D every τ: A_ss(τ) = D·e^{−kτ}/(1 − e^{−kτ}) (eq. 3.13)
	iv := libPatient(t, "pk1", map[string]float64{"CL": cl, "V1": v})
	s, err := iv.SteadyState(pk.Dose{Amt: 500, II: 8, Cmt: 1})
	if err != nil {
		t.Fatal(err)
	}
	check("bolus", s[0], 500*math.Exp(-k*8)*geo(k, 8))
	// infusion of D over T every τ: the infusions that ended, each
	// (R₀/k)(1 − e^{−kT}) at its end, decayed over τ − T + nτ
	s, err = iv.SteadyState(pk.Dose{Amt: 1000, Rate: 500, II: 12, Cmt: 1})
	if err != nil {
		t.Fatal(err)
	}
	check("infusion", s[0], 500/k*(1-math.Exp(-k*2))*math.Exp(-k*10)*geo(k, 12))
	// oral with F and ALAG, s = τ − ALAG since the dose entered (eq. 3.34);
	// the depot holds F·D·e^{−ka·s}/(1 − e^{−ka·τ})
	oral := libPatient(t, "pk1_oral", map[string]float64{"CL": cl, "V1": v, "KA": ka, "F1": f, "ALAG1": alag})
	s, err = oral.SteadyState(pk.Dose{Amt: 400, II: 6, Cmt: 1})
	if err != nil {
		t.Fatal(err)
	}
	sl := 6 - alag
	check("oral depot", s[0], f*400*math.Exp(-ka*sl)*geo(ka, 6))
	check("oral central", s[1], f*400*ka/(ka-k)*(math.Exp(-k*sl)*geo(k, 6)-math.Exp(-ka*sl)*geo(ka, 6)))
	// SS adds nothing when F = 0
	none := libPatient(t, "pk1_oral", map[string]float64{"F1": 0})
	if s, err = none.SteadyState(pk.Dose{Amt: 400, II: 6}); err != nil || s[0] != 0 || s[1] != 0 {
		t.Errorf("F = 0: %v, %v", s, err)
	}
}

// The general pk model in the language has physio/models' LinearPK's steady
// states (pk's transition matrix for linear models, its own fixed-point
// iteration with Michaelis–Menten elimination): 2 compartments oral with a
// lag and F, 3 compartments with a slow peripheral dosed often (a plain
// fixed-point iteration would need about 10⁵ intervals), an infusion, and
// Michaelis–Menten elimination (pk's iteration at rtol 1e-10: within 1e-8).
func TestPatientSteadyStateMatchesLinearPK(t *testing.T) {
	for _, c := range []struct {
		over map[string]float64
		dose pk.Dose
		tol  float64
	}{
		{map[string]float64{"cl": 4, "v1": 30, "q2": 3, "v2": 40, "ka": 0.8, "f": 0.7, "alag": 0.7}, pk.Dose{Amt: 200, II: 8, Cmt: 1}, 1e-9},
		{map[string]float64{"cl": 4, "v1": 30, "q2": 3, "v2": 40, "ka": 0.8, "f": 1.5, "alag": 0.7}, pk.Dose{Amt: 200, II: 12, Cmt: 1}, 1e-9},
		{map[string]float64{"cl": 2, "v1": 20, "q2": 6, "v2": 60, "q3": 0.5, "v3": 5000, "ka": 0}, pk.Dose{Amt: 100, II: 1, Cmt: 2}, 1e-9},
		{map[string]float64{"cl": 4, "v1": 30, "q3": 2, "v3": 60}, pk.Dose{Amt: 600, Rate: 300, II: 12, Cmt: 2}, 1e-9},
		{map[string]float64{"cl": 1, "v1": 40, "vmax": 30, "km": 3, "ka": 1.1, "q2": 2, "v2": 25}, pk.Dose{Amt: 300, II: 12, Cmt: 1}, 1e-8},
		{map[string]float64{"cl": 0, "v1": 40, "vmax": 30, "km": 3, "ka": 0}, pk.Dose{Amt: 200, Rate: 100, II: 8, Cmt: 2}, 1e-8},
	} {
		g, err := models.NewGo("pk", c.over)
		if err != nil {
			t.Fatal(err)
		}
		want, err := g.(models.SteadyStater).SteadyState(c.dose)
		if err != nil {
			t.Fatal(err)
		}
		got, err := libPatient(t, "pk", c.over).SteadyState(c.dose)
		if err != nil {
			t.Fatal(err)
		}
		scale, worst := 0.0, 0.0
		for _, v := range want {
			scale = math.Max(scale, math.Abs(v))
		}
		for i := range want {
			worst = math.Max(worst, math.Abs(got[i]-want[i])/scale)
			if math.Abs(got[i]-want[i]) > c.tol*scale {
				t.Errorf("%v %+v: state %d: %.15g, LinearPK %.15g", c.over, c.dose, i, got[i], want[i])
			}
		}
		t.Logf("%v: worst difference %.2g of the largest amount", c.over, worst)
	}
}

// Regimens with no steady state, or one the model cannot give, are errors
// naming the model and why, not a hang or NaN amounts.
func TestPatientSteadyStateRefused(t *testing.T) {
	for _, c := range []struct {
		name string
		over map[string]float64
		dose pk.Dose
		msg  string
	}{
		{"pk1", map[string]float64{"CL": 0}, pk.Dose{Amt: 100, II: 12}, "model pk1: no steady state of 100 every 12 h into central"},
		{"pk", map[string]float64{"ka": 0}, pk.Dose{Amt: 100, II: 12, Cmt: 1}, "model pk: no steady state of 100 every 12 h into depot"},
		{"pk", map[string]float64{"cl": 0, "vmax": 5, "km": 1}, pk.Dose{Amt: 100, II: 12, Cmt: 2}, "model pk: no steady state"},
		{"pk", map[string]float64{"alag": 12}, pk.Dose{Amt: 100, II: 12, Cmt: 1}, "steady state with a lag time >= II is not supported"},
		{"pk", nil, pk.Dose{Amt: 100, Rate: 5, II: 12, Cmt: 2}, "a steady-state infusion of 20 h (plus lag 0) longer than II = 12"},
		{"pk", nil, pk.Dose{Amt: 0, Rate: 5, II: 12, Cmt: 2}, "constant infusion (AMT = 0, RATE > 0) is not supported"},
		{"pk", nil, pk.Dose{Amt: 10, II: 12, Cmt: 5}, "model pk: CMT 5 does not exist: this model has states 1..4"},
		{"windkessel", nil, pk.Dose{Amt: 10, II: 1}, "model windkessel: its equations depend on the time t"},
	} {
		_, err := libPatient(t, c.name, c.over).SteadyState(c.dose)
		t.Log(err)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s %v %+v: %v, want %q", c.name, c.over, c.dose, err, c.msg)
		}
	}
}

var _ models.SteadyStater = (*Patient)(nil)
