package models

import "fmt"

// LinearPK is a 1-, 2- or 3-compartment model with an optional depot, as an ODE
// (physio/pk solves the same systems exactly; this form lets a scenario dose a
// patient at any simulated time). States are amounts in mg: depot, central,
// peripheral 1, peripheral 2. A compartment whose clearance is 0 is absent:
// q2 = 0 gives one compartment, q3 = 0 two; ka is the absorption rate of the
// depot, f its bioavailability and alag its lag time (see Dosing). vmax > 0 adds Michaelis–Menten elimination vmax·C/(km + C) from the
// central compartment (the model is then nonlinear; cl may be 0). Time in hours.
// Retired (see Retired): models.New builds pk from physio/modlang's
// library/pk.model; this Go version is the reference that file is tested
// against, and its validate the constraints the file keeps.
type LinearPK struct {
	p                           params
	ka, k10, k12, k21, k13, k31 float64 // rate constants, refreshed by Set
	vmax, km, v1                float64
}

func (m *LinearPK) cache() {
	p := m.p
	m.ka, m.k10 = p["ka"], p["cl"]/p["v1"]
	m.k12, m.k21 = p["q2"]/p["v1"], p["q2"]/p["v2"]
	m.k13, m.k31 = p["q3"]/p["v1"], p["q3"]/p["v3"]
	m.vmax, m.km, m.v1 = p["vmax"], p["km"], p["v1"]
}

// validate checks what a value each cannot: positive volumes, non-negative
// clearances, and a KM > 0 wherever VMax > 0.
func (m *LinearPK) validate() error {
	p := m.p
	for _, k := range []string{"v1", "v2", "v3"} {
		if !(p[k] > 0) {
			return fmt.Errorf("models: pk: %s = %v, want > 0", k, p[k])
		}
	}
	for _, k := range []string{"cl", "q2", "q3", "ka", "vmax", "f", "alag"} {
		if !(p[k] >= 0) {
			return fmt.Errorf("models: pk: %s = %v, want >= 0", k, p[k])
		}
	}
	if p["vmax"] > 0 && !(p["km"] > 0) {
		return fmt.Errorf("models: pk: vmax = %v needs km > 0 (mg/L), got %v", p["vmax"], p["km"])
	}
	return nil
}

var linearPKInfo = Info{
	Name:        "pk",
	Description: "1-3 compartment PK with a depot (set q2/q3 to 0 to drop compartments), linear or with Michaelis–Menten elimination (vmax > 0)",
	Citation:    "Gibaldi M, Perrier D 1982, Pharmacokinetics, 2nd ed., Marcel Dekker, ch. 1-2 and 7 (Michaelis–Menten elimination)",
	TimeUnit:    "h",
	States:      []State{{"depot", "mg", 0}, {"central", "mg", 0}, {"peripheral1", "mg", 0}, {"peripheral2", "mg", 0}},
	Params: []Param{
		{"cl", 5, "L/h", "clearance", "user"},
		{"v1", 50, "L", "central volume", "user"},
		{"q2", 0, "L/h", "clearance to peripheral 1 (0: none)", "user"},
		{"v2", 1, "L", "peripheral 1 volume", "user"},
		{"q3", 0, "L/h", "clearance to peripheral 2 (0: none)", "user"},
		{"v3", 1, "L", "peripheral 2 volume", "user"},
		{"ka", 1, "1/h", "absorption rate from the depot", "user"},
		{"vmax", 0, "mg/h", "Michaelis–Menten maximum elimination rate (0: linear)", "user"},
		{"km", 0, "mg/L", "concentration at half vmax (needed when vmax > 0)", "user"},
		{"f", 1, "1", "bioavailability of a dose into the depot (NONMEM's F1)", "user"},
		{"alag", 0, "h", "lag time of a dose into the depot (NONMEM's ALAG1)", "user"},
	},
	Outputs: []string{"conc_mg_l"},
}

func init() {
	register(linearPKInfo, func(p map[string]float64) Model { m := &LinearPK{p: p}; m.cache(); return m })
}

// Info describes the model.
func (m *LinearPK) Info() Info { return linearPKInfo }

// Deriv is the linear compartmental system.
func (m *LinearPK) Deriv(t float64, y, dy []float64) {
	absorbed := m.ka * y[0]
	toP1 := m.k12*y[1] - m.k21*y[2]
	toP2 := m.k13*y[1] - m.k31*y[3]
	dy[0] = -absorbed
	dy[1] = absorbed - m.k10*y[1] - toP1 - toP2
	dy[2] = toP1
	dy[3] = toP2
	if m.vmax > 0 {
		if c := y[1] / m.v1; c > 0 {
			dy[1] -= m.vmax * c / (m.km + c)
		}
	}
}

// Output computes conc_mg_l.
func (m *LinearPK) Output(name string, t float64, y []float64) (float64, error) {
	if name == "conc_mg_l" {
		return y[1] / m.p["v1"], nil
	}
	return 0, unknownOutput("pk", name, linearPKInfo.Outputs)
}

// Set changes a parameter.
func (m *LinearPK) Set(name string, v float64) error {
	old, had := m.p[name]
	if err := m.p.set("pk", name, v); err != nil {
		return err
	}
	if err := m.validate(); err != nil {
		if had {
			m.p[name] = old
		}
		return err
	}
	m.cache()
	return nil
}
