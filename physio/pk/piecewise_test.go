package pk

import (
	"math"
	"testing"
)

// TestSimulatePiecewise: one compartment, V = 10 L; CL 1 L/h until 5 h,
// then 0.5 L/h (k 0.1 then 0.05 /h). A 100 mg bolus at 0 h and an infusion
// of 50 mg at 10 mg/h from 3 to 8 h, across the change. By hand (amounts,
// A' = R − kA, piece by piece):
//
//	A(3)  = 100e^{−0.3}
//	A(5)  = A(3)e^{−0.2} + 10/0.1·(1 − e^{−0.2})           (k = 0.1 to 5 h)
//	A(8)  = A(5)e^{−0.15} + 10/0.05·(1 − e^{−0.15})        (k = 0.05 from 5 h)
//	A(12) = A(8)e^{−0.2}
//
// and the concentration is A/V; the output at 5 h itself uses the new piece
// (same V here). V changing too: from 5 h V = 20 L halves the concentration
// at and after 5 h, the amount unchanged.
func TestSimulatePiecewise(t *testing.T) {
	m1 := Model{NCmt: 1, P: Params{CL: 1, V1: 10}}
	m2 := Model{NCmt: 1, P: Params{CL: 0.5, V1: 10}}
	doses := []Dose{{Time: 0, Amt: 100, Cmt: 1}, {Time: 3, Amt: 50, Rate: 10, Cmt: 1}}
	times := []float64{3, 5, 8, 12}
	a3 := 100 * math.Exp(-0.3)
	a5 := a3*math.Exp(-0.2) + 100*(1-math.Exp(-0.2))
	a8 := a5*math.Exp(-0.15) + 200*(1-math.Exp(-0.15))
	a12 := a8 * math.Exp(-0.2)
	want := []float64{a3 / 10, a5 / 10, a8 / 10, a12 / 10}
	got, err := SimulatePiecewise([]Model{m1, m2}, []float64{0, 5}, doses, times, Exact)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9*want[i] {
			t.Errorf("t = %v h: %v mg/L, want %v", times[i], got[i], want[i])
		}
	}
	m2.P.V1, m2.P.CL = 20, 1 // the same k = 0.05, V doubled
	got, err = SimulatePiecewise([]Model{m1, m2}, []float64{0, 5}, doses, times, Exact)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		w := want[i]
		if times[i] >= 5 {
			w /= 2
		}
		if math.Abs(got[i]-w) > 1e-9*w {
			t.Errorf("V 20 L from 5 h, t = %v h: %v mg/L, want %v", times[i], got[i], w)
		}
	}
	if _, err := SimulatePiecewise([]Model{m1, m2}, []float64{0, 5}, []Dose{{Amt: 100, II: 12, SS: 1, Cmt: 1}}, times, Exact); err == nil {
		t.Error("a steady-state record with time-varying parameters was accepted")
	}
}
