package models

// Bergman is the minimal model of glucose–insulin kinetics (Bergman et al. 1979,
// Am J Physiol 236:E667–E677):
//
//	dG/dt = −(p1 + X)·G + p1·Gb
//	dX/dt = −p2·X + p3·(I − Ib)
//
// G is plasma glucose (mg/dL), X the remote insulin action (1/min), I the plasma
// insulin (µU/mL), an input. Glucose effectiveness SG = p1 and insulin
// sensitivity SI = p3/p2 are the model's two indices (Bergman et al. 1979).
// Time is in minutes. Defaults: the population means of normal-weight adults of
// Bergman, Phillips & Cobelli 1981 (J Clin Invest 68:1456), SG 0.03 /min and
// SI about 5e-4 /min per µU/mL, with p2 0.02 /min, Gb 92 mg/dL, Ib 7.3 µU/mL.
type Bergman struct{ p params }

var bergmanInfo = Info{
	Name:        "bergman",
	Description: "minimal model of glucose-insulin kinetics (IVGTT)",
	Citation:    "Bergman RN et al. 1979, Am J Physiol 236:E667; Bergman, Phillips & Cobelli 1981, J Clin Invest 68:1456",
	TimeUnit:    "min",
	States:      []State{{"glucose", "mg/dL", 92}, {"insulin_action", "1/min", 0}},
	Params: []Param{
		{"p1", 0.03, "1/min", "glucose effectiveness SG", "Bergman 1981"},
		{"p2", 0.02, "1/min", "decay of remote insulin action", "Bergman 1981"},
		{"p3", 1e-5, "1/min^2 per uU/mL", "insulin action gain (SI = p3/p2)", "Bergman 1981"},
		{"gb", 92, "mg/dL", "basal glucose", "Bergman 1981"},
		{"ib", 7.3, "uU/mL", "basal insulin", "Bergman 1981"},
		{"insulin", 7.3, "uU/mL", "plasma insulin now (input)", "input"},
	},
	Outputs: []string{"glucose_mg_dl", "si"},
}

func init() { register(bergmanInfo, func(p map[string]float64) Model { return &Bergman{p: p} }) }

// Info describes the model.
func (m *Bergman) Info() Info { return bergmanInfo }

// Deriv is the minimal model.
func (m *Bergman) Deriv(t float64, y, dy []float64) {
	p := m.p
	dy[0] = -(p["p1"]+y[1])*y[0] + p["p1"]*p["gb"]
	dy[1] = -p["p2"]*y[1] + p["p3"]*(p["insulin"]-p["ib"])
}

// Output computes glucose_mg_dl or si.
func (m *Bergman) Output(name string, t float64, y []float64) (float64, error) {
	switch name {
	case "glucose_mg_dl":
		return y[0], nil
	case "si":
		return m.p["p3"] / m.p["p2"], nil
	}
	return 0, unknownOutput("bergman", name, bergmanInfo.Outputs)
}

// Set changes a parameter or the insulin input.
func (m *Bergman) Set(name string, v float64) error { return m.p.set("bergman", name, v) }
