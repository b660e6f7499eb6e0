package fit

import (
	"math"

	"github.com/medtwin/medtwin/physio/pk"
)

// Sensitivities is implemented by structures that also give the derivatives
// of their predictions with respect to their parameters; MAP then uses the
// exact gradient instead of finite differences. PredictSens writes the
// predictions into out and ∂out[j]/∂params[i] into dout[i][j], and reports
// false (writing nothing useful) where it has no closed form for these doses.
type Sensitivities interface {
	PredictSens(params []float64, doses []pk.Dose, times []float64, out []float64, dout [][]float64) (bool, error)
}

// PredictSens implements Sensitivities for the one-compartment linear model
// on its closed-form path (bolus and central infusions, no steady state; see
// predict1); ka = k is left to finite differences.
func (m *PK) PredictSens(params []float64, doses []pk.Dose, times []float64, out []float64, dout [][]float64) (bool, error) {
	if m.NCmt != 1 || m.MM || !m.closedFormOK(doses) {
		return false, nil
	}
	if m.Absorption && math.Abs(params[2]-params[0]/params[1]) < 1e-6*params[0]/params[1] {
		return false, nil
	}
	return true, m.predict1(params, doses, times, out, dout)
}
