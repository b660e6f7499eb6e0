package fit

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/physio/pk"
)

// TestBiexpIsTwoCompartment: the biexponential with α, β and A1 + A2 = 1/V1
// from the two-compartment micro-constants (Gibaldi & Perrier 1982, ch. 2)
// predicts what the PK structure's closed form does; its sensitivities equal
// central differences of its predictions.
func TestBiexpIsTwoCompartment(t *testing.T) {
	cl, v1, q, v2 := 4.0, 20.0, 6.0, 40.0
	k10, k12, k21 := cl/v1, q/v1, q/v2
	s := k10 + k12 + k21
	d := math.Sqrt(s*s - 4*k10*k21)
	alpha, beta := (s+d)/2, (s-d)/2
	params := []float64{(alpha - k21) / (alpha - beta) / v1, math.Log(alpha), (k21 - beta) / (alpha - beta) / v1, math.Log(beta)}
	doses := []pk.Dose{{Time: 0, Amt: 100}, {Time: 12, Amt: 50}}
	times := []float64{0.5, 1, 4, 12, 13, 24, 48}
	got, want := make([]float64, len(times)), make([]float64, len(times))
	st, _ := NewPK(2, false, false)
	if err := st.Predict([]float64{cl, v1, q, v2}, doses, times, want); err != nil {
		t.Fatal(err)
	}
	dout := [][]float64{make([]float64, len(times)), make([]float64, len(times)), make([]float64, len(times)), make([]float64, len(times))}
	if _, err := (Biexp{}).PredictSens(params, doses, times, got, dout); err != nil {
		t.Fatal(err)
	}
	for j := range times {
		if math.Abs(got[j]-want[j]) > 1e-12*want[j] {
			t.Errorf("t = %v: biexp %.15g, two-compartment %.15g", times[j], got[j], want[j])
		}
	}
	hi, lo := make([]float64, len(times)), make([]float64, len(times))
	for i := range params {
		p := append([]float64(nil), params...)
		h := 1e-6 * math.Max(1, math.Abs(p[i]))
		p[i] += h
		(Biexp{}).Predict(p, doses, times, hi)
		p[i] -= 2 * h
		(Biexp{}).Predict(p, doses, times, lo)
		for j := range times {
			fd := (hi[j] - lo[j]) / (2 * h)
			if math.Abs(fd-dout[i][j]) > 1e-6*math.Max(1, math.Abs(fd)) {
				t.Errorf("∂c/∂%s at %v h: %.10g, central difference %.10g", biexpNames[i], times[j], dout[i][j], fd)
			}
		}
	}
}
