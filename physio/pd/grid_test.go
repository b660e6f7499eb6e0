package pd

import (
	"math"
	"testing"
)

// After an IV bolus D into one compartment (C = C0·e^−kt), the effect site is
// Ce = C0·ke0/(ke0 − k)·(e^−kt − e^−ke0·t) (Sheiner et al. 1979). On a 0.05 h
// grid the first-order hold is within 2e-4 relative of it (O(Δ²)), and on a
// 0.005 h grid 100 times closer.
func TestEffectSiteOnGridClosedForm(t *testing.T) {
	c0, k, ke0 := 10.0, 0.2, 1.5
	for _, step := range []float64{0.05, 0.005} {
		var ts, c []float64
		for x := 0.0; x <= 24+1e-9; x += step {
			ts = append(ts, x)
			c = append(c, c0*math.Exp(-k*x))
		}
		ce := EffectSiteOnGrid(ts, c, ke0)
		worst := 0.0
		for i, x := range ts {
			want := c0 * ke0 / (ke0 - k) * (math.Exp(-k*x) - math.Exp(-ke0*x))
			if want > 1e-3 {
				worst = math.Max(worst, math.Abs(ce[i]-want)/want)
			}
		}
		t.Logf("grid %g h: worst relative error %.2g", step, worst)
		if limit := 2e-4 * (step / 0.05) * (step / 0.05); worst > limit {
			t.Errorf("grid %g h: worst relative error %.2g, want <= %.2g", step, worst, limit)
		}
	}
}

// A linear concentration is held exactly: the grid solution equals the
// adaptive ODE solution of the same problem.
func TestEffectSiteOnGridExactForLinearC(t *testing.T) {
	ts := []float64{0, 0.5, 1, 3, 3.000001, 7}
	lin := func(t float64) float64 { return 2 + 0.75*t }
	c := make([]float64, len(ts))
	for i, x := range ts {
		c[i] = lin(x)
	}
	got := EffectSiteOnGrid(ts, c, 0.8)
	want, err := EffectSite(lin, 0.8, 0, ts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ts {
		if math.Abs(got[i]-want[i]) > 1e-9*math.Max(1, want[i]) {
			t.Errorf("t = %v: %v, ODE %v", ts[i], got[i], want[i])
		}
	}
}

// The indirect response on a grid agrees with the adaptive ODE solution driven
// by the exact concentration (within the grid's O(Δ²) interpolation error),
// and settles at the closed-form steady state under a constant level.
func TestIndirectOnGrid(t *testing.T) {
	for typ := InhibitKin; typ <= StimulateKout; typ++ {
		m := Indirect{Type: typ, Kin: 2, Kout: 0.5, Max: 0.8, C50: 3}
		conc := func(x float64) float64 { return 10 * math.Exp(-0.3*x) }
		var ts, c []float64
		for x := 0.0; x <= 48+1e-9; x += 0.05 {
			ts = append(ts, x)
			c = append(c, conc(x))
		}
		got := m.OnGrid(ts, c)
		want, err := m.Simulate(conc, 0, 0, ts)
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for i := range ts {
			worst = math.Max(worst, math.Abs(got[i]-want[i])/want[i])
		}
		if worst > 1e-4 {
			t.Errorf("type %d: worst relative difference to the ODE %.2g", typ, worst)
		}
		flat, ts2 := []float64{4, 4, 4}, []float64{0, 100, 200}
		r := m.OnGrid(ts2, flat)
		if ss := m.SteadyState(4); math.Abs(r[len(r)-1]-ss) > 1e-9*ss {
			t.Errorf("type %d: response after 200 h at C = 4: %v, steady state %v", typ, r[len(r)-1], ss)
		}
	}
}
