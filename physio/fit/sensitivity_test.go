package fit

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/physio/pk"
)

// TestPredictSens: the closed-form derivatives equal central differences of
// the predictions (oral with lag and F, central bolus, central infusion).
func TestPredictSens(t *testing.T) {
	oral, _ := NewPK(1, true, false)
	iv, _ := NewPK(1, false, false)
	for _, c := range []struct {
		st     *PK
		params []float64
		doses  []pk.Dose
	}{
		{oral, []float64{4, 40, 1.3, 0.8, 0.25}, []pk.Dose{{Time: 0, Amt: 500}, {Time: 6, Amt: 250, Cmt: 2}, {Time: 12, Amt: 500}}},
		{iv, []float64{4, 50}, []pk.Dose{{Time: 0, Amt: 1000, Rate: 1000}, {Time: 12, Amt: 1500, Rate: 750}, {Time: 13, Amt: 200}}},
	} {
		times := []float64{0.5, 1, 2, 6.5, 12.5, 13.2, 14, 24, 30}
		np := len(c.params)
		out := make([]float64, len(times))
		dout := make([][]float64, np)
		for i := range dout {
			dout[i] = make([]float64, len(times))
		}
		ok, err := c.st.PredictSens(c.params, c.doses, times, out, dout)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		for i := 0; i < np; i++ {
			h := 1e-6 * math.Max(1, c.params[i])
			up, dn := append([]float64(nil), c.params...), append([]float64(nil), c.params...)
			up[i] += h
			dn[i] -= h
			fu, fdn := make([]float64, len(times)), make([]float64, len(times))
			c.st.Predict(up, c.doses, times, fu)
			c.st.Predict(dn, c.doses, times, fdn)
			for j := range times {
				want := (fu[j] - fdn[j]) / (2 * h)
				if math.Abs(dout[i][j]-want) > 1e-6*math.Max(1, math.Abs(want)) {
					t.Errorf("%s at t = %v: ∂ = %.9g, central difference %.9g", c.st.ParamNames()[i], times[j], dout[i][j], want)
				}
			}
		}
	}
}
