package pk

import (
	"math"
	"testing"
)

// Review of issue 24 (SS records in trial specs and adapt): an SS = 1
// record resets the state and ends running infusions (NONMEM Users Guide
// Part V, ch. 6), but the end event of an infusion that was running still
// came due later and took its rate off again, leaving a negative infusion
// rate: the concentration after it fell below the steady state and went
// negative. Here a 100 mg/h infusion runs 0-10 h and an SS = 1 record of
// 100 mg every 12 h (IV bolus, 1 compartment, CL 5 L/h, V 50 L) comes at
// 5 h; after it the level is the bolus steady state, C_ss(t) = D/V ·
// e^{-kt}/(1 - e^{-kτ}) (Gibaldi M, Perrier D 1982, Pharmacokinetics, 2nd
// ed., eq. 3.13), t the time since 5 h, with no trace of the infusion.
func TestSteadyStateResetEndsRunningInfusion(t *testing.T) {
	const cl, v, dose, tau = 5.0, 50.0, 100.0, 12.0
	k := cl / v
	m := Model{NCmt: 1, P: Params{CL: cl, V1: v}, RTol: 1e-10, ATol: 1e-12, Integrator: Taylor}
	doses := []Dose{{Amt: 1000, Rate: 100, Cmt: 1}, {Time: 5, Amt: dose, II: tau, SS: 1, Cmt: 1}}
	times := []float64{6, 9, 10, 11, 16}
	for _, path := range []Path{Exact, ODE} {
		c, err := m.Simulate(doses, times, path)
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range times {
			want := dose / v * math.Exp(-k*(h-5)) / (1 - math.Exp(-k*tau))
			if math.Abs(c[i]-want) > 1e-7*want {
				t.Errorf("path %v, %g h: %v mg/L, want %v", path, h, c[i], want)
			}
		}
	}
}
