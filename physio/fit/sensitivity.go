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
// on its closed-form path (bolus and central infusions, no steady state):
// derivatives of the Bateman and infusion functions written out (see
// predict1), with k = CL/V so that ∂/∂CL = (∂/∂k)/V and ∂/∂V = ∂/∂V|ₖ − (∂/∂k)·k/V.
func (m *PK) PredictSens(params []float64, doses []pk.Dose, times []float64, out []float64, dout [][]float64) (bool, error) {
	if m.NCmt != 1 || m.MM || !m.closedFormOK(doses) {
		return false, nil
	}
	if err := m.predict1(params, doses, times, out); err != nil {
		return false, err
	}
	cl, v := params[0], params[1]
	k := cl / v
	var ka, f, lag, fParam float64 = 0, 1, 0, 0
	if m.Absorption {
		ka, fParam, lag = params[2], params[3], params[4]
		if fParam > 0 {
			f = fParam
		}
		if math.Abs(ka-k) < 1e-6*k {
			return false, nil // the ka = k limit: finite differences
		}
	}
	for i := range dout {
		for j := range dout[i] {
			dout[i][j] = 0
		}
	}
	for j, t := range times {
		var dk, dvDirect, dcl, dka, df, dlag float64
		for _, d := range doses {
			intoDepot := m.Absorption && (d.Cmt == 0 || d.Cmt == 1)
			if intoDepot {
				tau := t - d.Time - lag
				if tau <= 0 {
					continue
				}
				a := f * d.Amt * ka / (v * (ka - k))
				e1, e2 := math.Exp(-k*tau), math.Exp(-ka*tau)
				c := a * (e1 - e2)
				dk += c/(ka-k) - a*tau*e1
				dka += c*(1/ka-1/(ka-k)) + a*tau*e2
				dvDirect += -c / v
				if fParam > 0 {
					df += c / f
				}
				dlag += a * (k*e1 - ka*e2)
				continue
			}
			tau := t - d.Time
			if tau < 0 {
				continue
			}
			if d.Rate > 0 {
				dur := d.Amt / d.Rate
				r := d.Rate / cl
				if tau <= dur {
					e := math.Exp(-k * tau)
					c := r * (1 - e)
					dcl += -c / cl
					dk += r * tau * e
				} else {
					eT, eA := math.Exp(-k*dur), math.Exp(-k*(tau-dur))
					c := r * (1 - eT) * eA
					dcl += -c / cl
					dk += r * (dur*eT*eA - (tau-dur)*(1-eT)*eA)
				}
				continue
			}
			c := d.Amt / v * math.Exp(-k*tau)
			dk += -tau * c
			dvDirect += -c / v
		}
		dout[0][j] = dcl + dk/v
		dout[1][j] = dvDirect - dk*k/v
		if m.Absorption {
			dout[2][j], dout[3][j], dout[4][j] = dka, df, dlag
		}
	}
	return true, nil
}
