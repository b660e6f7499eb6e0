package fit

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/physio/pk"
)

// Structure is a structural model: given its parameters (in ParamNames order),
// a subject's dose records (ADDL already expanded; SS allowed) and times in
// increasing order, it writes the predicted observation (e.g. the central
// concentration, mg/L) at each time into out. A model written in the model
// language plugs in by implementing it.
type Structure interface {
	// ParamNames names the parameters, upper case (e.g. CL, V1, KA).
	ParamNames() []string
	// Required reports whether parameter i must be given a typical value;
	// the others default to 0 (which the model reads as its neutral value).
	Required(i int) bool
	// Predict writes predictions at times (sorted) into out (len(times)).
	Predict(params []float64, doses []pk.Dose, times []float64, out []float64) error
	// Linear reports whether the model is linear in the doses (then a steady-
	// state AUC over 24 h is the daily dose times F over CL).
	Linear() bool
}

// PK is a compartmental model of physio/pk (1–3 disposition compartments,
// with or without a depot; Michaelis–Menten elimination when MM).
// Parameters: CL, V1, then Q2, V2 (2–3 compartments), Q3, V3 (3), KA, F,
// ALAG (depot), VMAX, KM (MM); F = 0 means 1 and ALAG defaults to 0.
type PK struct {
	NCmt       int
	Absorption bool
	MM         bool
	names      []string
}

// NewPK returns the structure of a pk model and checks its shape.
func NewPK(ncmt int, absorption, mm bool) (*PK, error) {
	if ncmt < 1 || ncmt > 3 {
		return nil, fmt.Errorf("fit: %d disposition compartments, want 1, 2 or 3", ncmt)
	}
	m := &PK{NCmt: ncmt, Absorption: absorption, MM: mm}
	m.names = []string{"CL", "V1"}
	if ncmt >= 2 {
		m.names = append(m.names, "Q2", "V2")
	}
	if ncmt == 3 {
		m.names = append(m.names, "Q3", "V3")
	}
	if absorption {
		m.names = append(m.names, "KA", "F", "ALAG")
	}
	if mm {
		m.names = append(m.names, "VMAX", "KM")
	}
	return m, nil
}

// ParamNames implements Structure.
func (m *PK) ParamNames() []string { return m.names }

// Required implements Structure: all but F and ALAG (and CL under MM, which
// may be 0) need a value.
func (m *PK) Required(i int) bool {
	switch m.names[i] {
	case "F", "ALAG":
		return false
	case "CL":
		return !m.MM
	}
	return true
}

// Linear implements Structure.
func (m *PK) Linear() bool { return !m.MM }

// Model returns the pk.Model with the given parameters.
func (m *PK) Model(params []float64) pk.Model {
	pm := pk.Model{NCmt: m.NCmt, Absorption: m.Absorption}
	p := &pm.P
	field := map[string]*float64{"CL": &p.CL, "V1": &p.V1, "Q2": &p.Q2, "V2": &p.V2, "Q3": &p.Q3, "V3": &p.V3,
		"KA": &p.KA, "F": &p.F, "ALAG": &p.ALAG, "VMAX": &p.VMax, "KM": &p.KM}
	for i, n := range m.names {
		*field[n] = params[i]
	}
	return pm
}

// Predict implements Structure. A one-compartment linear model with bolus
// doses and no steady state takes the closed form (superposition of
// Bateman functions, Gibaldi & Perrier 1982, Pharmacokinetics, ch. 1–2); every
// other case the pk library's exact path (matrix exponential) or, under MM,
// its ODE path.
func (m *PK) Predict(params []float64, doses []pk.Dose, times []float64, out []float64) error {
	if m.NCmt == 1 && !m.MM && m.closedFormOK(doses) {
		return m.predict1(params, doses, times, out, nil)
	}
	if m.NCmt == 2 && !m.MM && !m.Absorption && m.closedFormOK(doses) && centralOnly(doses) {
		return predict2(params, doses, times, out)
	}
	pm := m.Model(params)
	if err := pm.Validate(); err != nil {
		return err
	}
	c, err := pm.Simulate(doses, times, pm.NaturalPath())
	if err != nil {
		return err
	}
	copy(out, c)
	return nil
}

// centralOnly: every dose goes into the central compartment (CMT 0 or 1).
func centralOnly(doses []pk.Dose) bool {
	for _, d := range doses {
		if d.Cmt > 1 {
			return false
		}
	}
	return true
}

// closedFormOK: no steady state, no ADDL, infusions only into the central
// compartment.
func (m *PK) closedFormOK(doses []pk.Dose) bool {
	for _, d := range doses {
		if d.SS != 0 || d.ADDL != 0 || (d.Rate != 0 && m.Absorption && d.Cmt <= 1) {
			return false
		}
	}
	return true
}

// predict1 is the one-compartment closed form: a dose D into the depot gives
// F·D·ka/(V(ka−k))·(e^{−k τ} − e^{−ka τ}) at τ after its lag; into the central
// compartment D/V·e^{−k τ}; an infusion at rate R for T h R/CL·(1 − e^{−k τ})
// during it and R/CL·(1 − e^{−k T})·e^{−k(τ−T)} after; k = CL/V. With dout
// non-nil it also writes the derivatives in the parameters (dout[i][j] =
// ∂out[j]/∂params[i]), those of the same functions written out, with
// ∂/∂CL = (∂/∂k)/V and ∂/∂V = ∂/∂V|ₖ − (∂/∂k)·k/V; the caller keeps ka ≠ k.
func (m *PK) predict1(params []float64, doses []pk.Dose, times []float64, out []float64, dout [][]float64) error {
	cl, v := params[0], params[1]
	var ka, f, lag, fParam float64 = 0, 1, 0, 0
	if m.Absorption {
		ka, fParam, lag = params[2], params[3], params[4]
		if fParam != 0 {
			f = fParam
		}
		if !(ka > 0) || f < 0 || f > 1 || lag < 0 {
			return fmt.Errorf("fit: KA = %v, F = %v, ALAG = %v: want KA > 0, F in [0, 1], ALAG >= 0", ka, f, lag)
		}
	}
	if !(cl > 0) || !(v > 0) || math.IsInf(cl, 0) || math.IsInf(v, 0) {
		return fmt.Errorf("fit: CL = %v, V1 = %v: want positive finite values", cl, v)
	}
	k := cl / v
	for j, t := range times {
		// c and its partial derivatives (in k and, with k held, in V, CL, ka, F, ALAG)
		var c, dk, dv, dcl, dka, df, dlag float64
		for _, d := range doses {
			intoDepot := m.Absorption && (d.Cmt == 0 || d.Cmt == 1)
			if intoDepot {
				tau := t - d.Time - lag
				if tau <= 0 {
					continue
				}
				if math.Abs(ka-k) < 1e-9*k {
					c += f * d.Amt * k * tau * math.Exp(-k*tau) / v
					continue
				}
				a := f * d.Amt * ka / (v * (ka - k))
				e1, e2 := math.Exp(-k*tau), math.Exp(-ka*tau)
				ci := a * (e1 - e2)
				c += ci
				if dout != nil {
					dk += ci/(ka-k) - a*tau*e1
					dka += ci*(1/ka-1/(ka-k)) + a*tau*e2
					dv -= ci / v
					if fParam > 0 {
						df += ci / f
					}
					dlag += a * (k*e1 - ka*e2)
				}
				continue
			}
			tau := t - d.Time
			if tau < 0 {
				continue
			}
			if d.Rate > 0 {
				dur := d.Amt / d.Rate
				r := d.Rate / cl
				var ci float64
				if tau <= dur {
					e := math.Exp(-k * tau)
					ci = r * -math.Expm1(-k*tau)
					dk += r * tau * e
				} else {
					eT, eA := math.Exp(-k*dur), math.Exp(-k*(tau-dur))
					ci = r * -math.Expm1(-k*dur) * eA
					dk += r * (dur*eT*eA - (tau-dur)*(1-eT)*eA)
				}
				c += ci
				dcl -= ci / cl
				continue
			}
			ci := d.Amt / v * math.Exp(-k*tau)
			c += ci
			dk -= tau * ci
			dv -= ci / v
		}
		out[j] = c
		if dout != nil {
			dout[0][j] = dcl + dk/v
			dout[1][j] = dv - dk*k/v
			if m.Absorption {
				dout[2][j], dout[3][j], dout[4][j] = dka, df, dlag
			}
		}
	}
	return nil
}
