package fit

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/physio/pk"
)

// predict2 is the two-compartment closed form for doses into the central
// compartment (bolus or zero-order infusion), no depot, no steady state
// (Gibaldi & Perrier 1982, Pharmacokinetics, 2nd ed., ch. 2–3): with
// k10 = CL/V1, k12 = Q2/V1, k21 = Q2/V2 the hybrid rate constants are
// α, β = ½[(k10 + k12 + k21) ± √((k10 + k12 + k21)² − 4·k10·k21)], a bolus
// D gives D/V1·Σᵢ Aᵢ·e^{−λᵢ τ} with A_α = (α − k21)/(α − β), A_β =
// (k21 − β)/(α − β), and an infusion at rate R for T h gives
// R/V1·Σᵢ Aᵢ/λᵢ·(1 − e^{−λᵢ min(τ, T)})·e^{−λᵢ (τ − T)₊}.
func predict2(params []float64, doses []pk.Dose, times []float64, out []float64) error {
	cl, v1, q, v2 := params[0], params[1], params[2], params[3]
	if !(cl > 0) || !(v1 > 0) || !(q > 0) || !(v2 > 0) || math.IsInf(cl+v1+q+v2, 0) {
		return fmt.Errorf("fit: CL = %v, V1 = %v, Q2 = %v, V2 = %v: want positive finite values", cl, v1, q, v2)
	}
	k10, k12, k21 := cl/v1, q/v1, q/v2
	s := k10 + k12 + k21
	d := math.Sqrt(s*s - 4*k10*k21)
	alpha, beta := (s+d)/2, (s-d)/2
	lam := [2]float64{alpha, beta}
	coef := [2]float64{(alpha - k21) / (alpha - beta), (k21 - beta) / (alpha - beta)}
	for j, t := range times {
		c := 0.0
		for _, dose := range doses {
			tau := t - dose.Time
			if tau < 0 {
				continue
			}
			if dose.Rate > 0 {
				dur := dose.Amt / dose.Rate
				for i, l := range lam {
					c += dose.Rate / v1 * coef[i] / l * -math.Expm1(-l*math.Min(tau, dur)) * math.Exp(-l*math.Max(tau-dur, 0))
				}
				continue
			}
			for i, l := range lam {
				c += dose.Amt / v1 * coef[i] * math.Exp(-l*tau)
			}
		}
		out[j] = c
	}
	return nil
}
