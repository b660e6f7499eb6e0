package fit

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/physio/pk"
)

// Biexp is the two-compartment disposition after IV bolus doses in its
// macro-constant (biexponential) form, as R's SSbiexp writes it (Pinheiro &
// Bates 2000, Mixed-Effects Models in S and S-PLUS, §6.2 and appendix C.4):
// a dose D at time t_d gives D·(A1·e^{−e^{LRC1}·τ} + A2·e^{−e^{LRC2}·τ}) at
// τ = t − t_d ≥ 0, doses superposed. A1 and A2 are concentrations per unit
// dose (mg/L per mg), LRC1 and LRC2 the natural logarithms of the rate
// constants (1/h; any sign). It is the same model as PK with 2 compartments
// and no depot (α = e^{LRC1}, β = e^{LRC2}, A1 + A2 = 1/V1), parameterised
// the way nlme fits it, so that its random effects can be placed where nlme
// places them.
type Biexp struct{}

var biexpNames = []string{"A1", "LRC1", "A2", "LRC2"}

// ParamNames implements Structure.
func (Biexp) ParamNames() []string { return biexpNames }

// Required implements Structure: all four need a value.
func (Biexp) Required(int) bool { return true }

// Signed reports that the log rate constants may be negative (the check
// that a required typical value is positive does not apply to them).
func (Biexp) Signed(i int) bool { return i == 1 || i == 3 }

// Linear implements Structure.
func (Biexp) Linear() bool { return true }

// Predict implements Structure; infusions, steady state and additional doses
// (already expanded) other than boluses are refused.
func (Biexp) Predict(params []float64, doses []pk.Dose, times []float64, out []float64) error {
	a1, k1, a2, k2 := params[0], math.Exp(params[1]), params[2], math.Exp(params[3])
	if math.IsNaN(a1+a2+k1+k2) || math.IsInf(k1+k2, 0) {
		return fmt.Errorf("fit: biexponential A1 = %v, LRC1 = %v, A2 = %v, LRC2 = %v: want finite values", a1, params[1], a2, params[3])
	}
	for _, d := range doses {
		if d.Rate != 0 || d.SS != 0 {
			return fmt.Errorf("fit: the biexponential model takes IV bolus doses only (a dose at %v h has RATE %v, SS %v)", d.Time, d.Rate, d.SS)
		}
	}
	for j, t := range times {
		c := 0.0
		for _, d := range doses {
			if tau := t - d.Time; tau >= 0 {
				c += d.Amt * (a1*math.Exp(-k1*tau) + a2*math.Exp(-k2*tau))
			}
		}
		out[j] = c
	}
	return nil
}

// PredictSens implements Sensitivities: ∂c/∂A1 = Σ D·e^{−α τ},
// ∂c/∂LRC1 = −Σ D·A1·α·τ·e^{−α τ} (α = e^{LRC1}), and likewise for A2, LRC2.
func (b Biexp) PredictSens(params []float64, doses []pk.Dose, times []float64, out []float64, dout [][]float64) (bool, error) {
	if err := b.Predict(params, doses, times, out); err != nil {
		return true, err
	}
	a1, k1, a2, k2 := params[0], math.Exp(params[1]), params[2], math.Exp(params[3])
	for j, t := range times {
		var d0, d1, d2, d3 float64
		for _, d := range doses {
			if tau := t - d.Time; tau >= 0 {
				e1, e2 := d.Amt*math.Exp(-k1*tau), d.Amt*math.Exp(-k2*tau)
				d0 += e1
				d1 -= a1 * k1 * tau * e1
				d2 += e2
				d3 -= a2 * k2 * tau * e2
			}
		}
		dout[0][j], dout[1][j], dout[2][j], dout[3][j] = d0, d1, d2, d3
	}
	return true, nil
}
