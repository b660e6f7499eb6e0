package pk

import (
	"math"
	"testing"
)

// After washout the central amount can round to just below 0, where the
// model's Michaelis–Menten rate is 0. The Taylor jet expands the quotient
// about 0 there; expanded about the negative amount it would follow the stiff
// continuation (rate VMax/(KM·V1) = 6 000/h here) at tiny steps for the rest
// of the run. Before washout it agrees with DOP853.
func TestTaylorWashoutClamp(t *testing.T) {
	m := Model{NCmt: 1, P: Params{V1: 50, VMax: 30, KM: 1e-4}, RTol: 1e-8, ATol: 1e-10}
	times := []float64{1, 10, 30, 40, 100, 1000}
	doses := []Dose{{Amt: 1000}}
	m.Integrator = DOP853
	ref, err := m.Simulate(doses, times, ODE)
	if err != nil {
		t.Fatal(err)
	}
	m.Integrator = Taylor
	p := newODEProp(m)
	evs, err := m.events(doses)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float64, len(times))
	if err := m.run(p, evs, times, func(i int, a []float64) { got[i] = m.Conc(a) }); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if math.Abs(got[i]-ref[i]) > 1e-6*ref[i] {
			t.Errorf("t = %v h: Taylor %v, DOP853 %v", times[i], got[i], ref[i])
		}
	}
	for i := 3; i < len(times); i++ {
		if math.Abs(got[i]) > 1e-9 {
			t.Errorf("t = %v h after washout: %v mg/L", times[i], got[i])
		}
	}
	if p.stats.Steps > 1000 {
		t.Errorf("%d steps for one bolus: the series follows the stiff continuation below 0", p.stats.Steps)
	}
	t.Logf("%+v", p.stats)
}
