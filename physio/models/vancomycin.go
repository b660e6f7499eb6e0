package models

import "math"

// Vancomycin is the two-compartment population model of vancomycin in
// hospitalised adults with and without haemodialysis of Goti et al. 2018 (Ther
// Drug Monit 40(2):212–221, final model):
//
//	CL (L/h) = 4.5 · (CrCl/120)^0.8 · 0.7^DIAL      (CrCl in mL/min, capped at 150)
//	V1 (L)   = 58.4 · (WT/70) · 0.5^DIAL
//	Q (L/h)  = 6.5,  V2 (L) = 38.4
//
// CrCl is Cockcroft–Gault computed as in the study (Goti 2018, Methods): for
// patients older than 60, a serum creatinine below 1 mg/dL is set to 1 mg/dL
// first. The published IIV (Table 2: CL 39.8%, V1 81.6%, V2 57.1% CV) is not
// part of this typical-value model; scenarios/vancomycin_trial.lua applies it.
//
// Time is in hours; the states are amounts (mg) in the central and peripheral
// compartments; "rate_mg_h" is the infusion rate, set by doses.
type Vancomycin struct {
	p             params
	cl, v1, q, v2 float64
}

var vancoInfo = Info{
	Name:        "vancomycin",
	Description: "vancomycin 2-compartment PK in hospitalised adults, CL on creatinine clearance and dialysis",
	Citation:    "Goti V et al. 2018, Ther Drug Monit 40(2):212-221",
	TimeUnit:    "h",
	States:      []State{{"central", "mg", 0}, {"peripheral", "mg", 0}},
	Params: []Param{
		{"tvcl", 4.5, "L/h", "typical clearance at CrCl 120 mL/min", "Goti 2018, final model"},
		{"tvv1", 58.4, "L", "typical central volume at 70 kg", "Goti 2018"},
		{"tvq", 6.5, "L/h", "intercompartmental clearance", "Goti 2018"},
		{"tvv2", 38.4, "L", "peripheral volume", "Goti 2018"},
		{"crcl_exp", 0.8, "", "exponent of CrCl/120 on CL", "Goti 2018"},
		{"dial_cl", 0.7, "", "factor on CL when on haemodialysis", "Goti 2018"},
		{"dial_v1", 0.5, "", "factor on V1 when on haemodialysis", "Goti 2018"},
		{"crcl", 120, "mL/min", "creatinine clearance (Cockcroft-Gault; over 60 y, creatinine < 1 mg/dL taken as 1), capped at 150", "covariate"},
		{"wt", 70, "kg", "body weight", "covariate"},
		{"dial", 0, "", "1 if on haemodialysis", "covariate"},
		{"rate_mg_h", 0, "mg/h", "infusion rate now", "input"},
	},
	Outputs: []string{"conc_mg_l", "cl_l_h", "v1_l"},
}

func init() {
	register(vancoInfo, func(p map[string]float64) Model { m := &Vancomycin{p: p}; m.derive(); return m })
}

func (m *Vancomycin) derive() {
	p := m.p
	crcl := math.Min(p["crcl"], 150)
	m.cl = p["tvcl"] * math.Pow(crcl/120, p["crcl_exp"]) * math.Pow(p["dial_cl"], p["dial"])
	m.v1 = p["tvv1"] * p["wt"] / 70 * math.Pow(p["dial_v1"], p["dial"])
	m.q, m.v2 = p["tvq"], p["tvv2"]
}

// Info describes the model.
func (m *Vancomycin) Info() Info { return vancoInfo }

// Deriv is the two-compartment system with a zero-order infusion.
func (m *Vancomycin) Deriv(t float64, y, dy []float64) {
	k10, k12, k21 := m.cl/m.v1, m.q/m.v1, m.q/m.v2
	dy[0] = m.p["rate_mg_h"] - (k10+k12)*y[0] + k21*y[1]
	dy[1] = k12*y[0] - k21*y[1]
}

// Output computes conc_mg_l, cl_l_h or v1_l.
func (m *Vancomycin) Output(name string, t float64, y []float64) (float64, error) {
	switch name {
	case "conc_mg_l":
		return y[0] / m.v1, nil
	case "cl_l_h":
		return m.cl, nil
	case "v1_l":
		return m.v1, nil
	}
	return 0, unknownOutput("vancomycin", name, vancoInfo.Outputs)
}

// Set changes a parameter or covariate.
func (m *Vancomycin) Set(name string, v float64) error {
	if err := m.p.set("vancomycin", name, v); err != nil {
		return err
	}
	m.derive()
	return nil
}
