package models

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/physio/pk"
)

// The steady state of the pk model equals the state just before the 201st
// dose of the same regimen given 200 times from an empty body (plain
// superposition on pk's exact path, no SS record; k·τ·200 ≫ 1), for a
// peripheral present only as q3 (pk's second compartment) and an oral dose
// with F > 1 (given to pk as a larger amount) and a lag.
func TestLinearPKSteadyState(t *testing.T) {
	for name, c := range map[string]struct {
		params map[string]float64
		dose   pk.Dose
		ref    pk.Model // the same model, by hand
		refAmt float64
		states []int // the model's state of each of ref's
	}{
		"q3 only, infusion": {map[string]float64{"cl": 4, "v1": 30, "q3": 2, "v3": 60}, pk.Dose{Amt: 600, Rate: 300, II: 12, Cmt: 2},
			pk.Model{NCmt: 2, P: pk.Params{CL: 4, V1: 30, Q2: 2, V2: 60}}, 600, []int{1, 3}},
		"oral, f 1.5, lag": {map[string]float64{"cl": 4, "v1": 30, "q2": 3, "v2": 40, "ka": 0.8, "f": 1.5, "alag": 0.7}, pk.Dose{Amt: 200, II: 8, Cmt: 1},
			pk.Model{NCmt: 2, Absorption: true, P: pk.Params{CL: 4, V1: 30, Q2: 3, V2: 40, KA: 0.8, ALAG: 0.7}}, 300, []int{0, 1, 2}},
	} {
		m, err := New("pk", c.params)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.(SteadyStater).SteadyState(c.dose)
		if err != nil {
			t.Fatal(err)
		}
		// CMT 1 in ref: its depot, or its central compartment when it has none
		regimen := []pk.Dose{{Amt: c.refAmt, Rate: c.dose.Rate, II: c.dose.II, ADDL: 199, Cmt: 1}}
		want := make([]float64, 4)
		err = c.ref.SimulateStates(regimen, []float64{200 * c.dose.II}, pk.Exact, func(_ int, a []float64) {
			for k, s := range c.states {
				want[s] = a[k]
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-9*math.Max(1, want[i]) {
				t.Errorf("%s: state %d: steady state %v, after 200 doses %v", name, i, got[i], want[i])
			}
		}
	}
}
