package fit

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/physio/pk"
)

// TestClosedFormMatchesPK: the one-compartment closed form equals physio/pk's
// exact (matrix exponential) path, lag, bioavailability and doses into the
// central compartment included.
func TestClosedFormMatchesPK(t *testing.T) {
	st, _ := NewPK(1, true, false)
	params := []float64{4, 40, 1.3, 0.8, 0.25} // CL V1 KA F ALAG
	doses := []pk.Dose{{Time: 0, Amt: 500}, {Time: 6, Amt: 250, Cmt: 2}, {Time: 12, Amt: 500, Cmt: 1}}
	times := []float64{0, 0.1, 0.25, 0.3, 1, 5.9, 6, 6.5, 12, 12.2, 13, 24, 48}
	matchesPKExact(t, "oral", st, params, doses, times)
	// infusions into the central compartment of an IV model
	iv, _ := NewPK(1, false, false)
	doses = []pk.Dose{{Time: 0, Amt: 1000, Rate: 1000}, {Time: 12, Amt: 1500, Rate: 750}, {Time: 13, Amt: 200}}
	times = []float64{0, 0.5, 1, 2, 12, 13, 13.5, 14, 14.2, 30}
	matchesPKExact(t, "infusion", iv, []float64{4, 50}, doses, times)
	// ka = k: the limit k·τ·e^{−kτ} form against pk
	params = []float64{4, 40, 0.1, 0, 0}
	doses = []pk.Dose{{Time: 0, Amt: 100}}
	times = []float64{0, 0.1, 1, 5, 24}
	got := make([]float64, len(times))
	if err := st.Predict(params, doses, times, got); err != nil {
		t.Fatal(err)
	}
	want, _ := st.Model([]float64{4, 40, 0.1 * (1 + 1e-7), 0, 0}).Simulate(doses, times, pk.Exact)
	for i := range times {
		if math.Abs(got[i]-want[i]) > 1e-6*math.Max(1, want[i]) {
			t.Errorf("ka = k, t = %v: closed form %.12g, pk %.12g", times[i], got[i], want[i])
		}
	}
}
