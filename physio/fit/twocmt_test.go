package fit

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/physio/pk"
)

// TestTwoCmtClosedFormMatchesPK: the two-compartment closed form equals
// physio/pk's exact (matrix exponential) path for boluses and infusions,
// overlapping included.
func TestTwoCmtClosedFormMatchesPK(t *testing.T) {
	st, _ := NewPK(2, false, false)
	params := []float64{4, 20, 6, 40} // CL V1 Q2 V2
	doses := []pk.Dose{{Time: 0, Amt: 1000, Rate: 1000}, {Time: 0.5, Amt: 300}, {Time: 12, Amt: 1500, Rate: 500, Cmt: 1}, {Time: 13, Amt: 200}}
	times := []float64{0, 0.2, 0.5, 1, 2, 8, 12, 13, 14.5, 15, 16, 30, 72}
	matchesPKExact(t, "two compartments", st, params, doses, times)
}

// matchesPKExact: st's predictions equal physio/pk's exact (matrix
// exponential) path within 1e-9 relative.
func matchesPKExact(t *testing.T, label string, st *PK, params []float64, doses []pk.Dose, times []float64) {
	t.Helper()
	got := make([]float64, len(times))
	if err := st.Predict(params, doses, times, got); err != nil {
		t.Fatal(err)
	}
	want, err := st.Model(params).Simulate(doses, times, pk.Exact)
	if err != nil {
		t.Fatal(err)
	}
	for i := range times {
		if math.Abs(got[i]-want[i]) > 1e-9*math.Max(1, want[i]) {
			t.Errorf("%s, t = %v: closed form %.12g, pk exact %.12g", label, times[i], got[i], want[i])
		}
	}
}
