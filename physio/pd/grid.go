package pd

import "math"

// The functions here drive PD models with a concentration known on a grid
// (what a trial computes) and taken as linear between grid points (first-
// order hold). Within that assumption the effect site is exact and the
// indirect response is integrated by RK4 in steps short against its rates.

// hold is (e^−x − 1 + x)/x², evaluated without cancellation for small x.
func hold(x float64) float64 {
	if x < 1e-3 {
		return 0.5 - x/6 + x*x/24
	}
	return (math.Expm1(-x) + x) / (x * x)
}

// EffectSiteOnGrid returns the effect-compartment concentration Ce (dCe/dt =
// ke0·(C − Ce), Sheiner et al. 1979, Clin Pharmacol Ther 25:358) at the grid
// times ts, from Ce = 0 at ts[0], for C given at ts and linear in between:
// over a step Δ with x = ke0·Δ, Ce1 = Ce0·e^−x + C0·(1 − e^−x) + (C1 − C0)·x·g(x),
// g(x) = (e^−x − 1 + x)/x², the exact solution for that C.
func EffectSiteOnGrid(ts, c []float64, ke0 float64) []float64 {
	out := make([]float64, len(ts))
	for k := 1; k < len(ts); k++ {
		x := ke0 * (ts[k] - ts[k-1])
		e := math.Exp(-x)
		out[k] = out[k-1]*e + c[k-1]*(-math.Expm1(-x)) + (c[k]-c[k-1])*x*hold(x)
	}
	return out
}

// OnGrid integrates the response from its baseline at ts[0] under C given at
// ts and linear in between, by classical RK4 with steps of at most 0.05 over
// the fastest rate (kout·(1 + Max)), and returns R at ts.
func (m Indirect) OnGrid(ts, c []float64) []float64 {
	out := make([]float64, len(ts))
	if len(ts) == 0 {
		return out
	}
	r := m.Baseline()
	out[0] = r
	hmax := 0.05 / (m.Kout * (1 + m.Max))
	for k := 1; k < len(ts); k++ {
		t0, dt := ts[k-1], ts[k]-ts[k-1]
		if dt > 0 {
			slope := (c[k] - c[k-1]) / dt
			conc := func(t float64) float64 { return c[k-1] + slope*(t-t0) }
			n := int(math.Ceil(dt / hmax))
			h := dt / float64(n)
			for s := 0; s < n; s++ {
				t := t0 + float64(s)*h
				k1 := m.Deriv(r, conc(t))
				k2 := m.Deriv(r+h/2*k1, conc(t+h/2))
				k3 := m.Deriv(r+h/2*k2, conc(t+h/2))
				k4 := m.Deriv(r+h*k3, conc(t+h))
				r += h / 6 * (k1 + 2*k2 + 2*k3 + k4)
			}
		}
		out[k] = r
	}
	return out
}
