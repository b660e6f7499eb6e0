package models

// LinearPK is a 1-, 2- or 3-compartment model with an optional depot, as an ODE
// (physio/pk solves the same systems exactly; this form lets a scenario dose a
// patient at any simulated time). States are amounts in mg: depot, central,
// peripheral 1, peripheral 2. A compartment whose clearance is 0 is absent:
// q2 = 0 gives one compartment, q3 = 0 two; ka is the absorption rate of the
// depot. Time in hours.
type LinearPK struct {
	p                           params
	ka, k10, k12, k21, k13, k31 float64 // rate constants, refreshed by Set
}

func (m *LinearPK) cache() {
	p := m.p
	m.ka, m.k10 = p["ka"], p["cl"]/p["v1"]
	m.k12, m.k21 = p["q2"]/p["v1"], p["q2"]/p["v2"]
	m.k13, m.k31 = p["q3"]/p["v1"], p["q3"]/p["v3"]
}

var linearPKInfo = Info{
	Name:        "pk",
	Description: "linear 1-3 compartment PK with a depot (set q2/q3 to 0 to drop compartments)",
	Citation:    "Gibaldi M, Perrier D 1982, Pharmacokinetics, 2nd ed., Marcel Dekker, ch. 1-2",
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
	if err := m.p.set("pk", name, v); err != nil {
		return err
	}
	m.cache()
	return nil
}
