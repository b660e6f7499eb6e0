package models

import "math"

// Windkessel is the three-element Windkessel model of the arterial tree
// (Westerhof, Lankhaar & Westerhof 2009, Med Biol Eng Comput 47:131): a
// characteristic impedance Zc in series with a compliance C parallel to the
// peripheral resistance R. With Zc = 0 it is the two-element model of Frank
// (1899). Aortic inflow Q(t) is a half-sine ejection of the stroke volume during
// systole, repeated every beat. Time in seconds; pressures in mmHg.
//
//	C·dPc/dt = Q(t) − Pc/R,   P = Pc + Zc·Q(t)
//
// Defaults from Stergiopulos, Westerhof & Westerhof 1999 (Am J Physiol
// 276:H81–H88), normal adult: R 1.05 mmHg·s/mL, C 1.5 mL/mmHg, Zc 0.05
// mmHg·s/mL; stroke volume 70 mL at 75 beats/min (cardiac output 5.25 L/min),
// systole 0.3 s.
type Windkessel struct{ p params }

var windkesselInfo = Info{
	Name:        "windkessel",
	Description: "3-element Windkessel arterial model (Zc = 0: 2-element), pulsatile inflow",
	Citation:    "Westerhof N et al. 2009, Med Biol Eng Comput 47:131; parameters Stergiopulos N et al. 1999, Am J Physiol 276:H81",
	TimeUnit:    "s",
	States:      []State{{"pc", "mmHg", 80}},
	Params: []Param{
		{"r", 1.05, "mmHg s/mL", "peripheral resistance", "Stergiopulos 1999"},
		{"c", 1.5, "mL/mmHg", "arterial compliance", "Stergiopulos 1999"},
		{"zc", 0.05, "mmHg s/mL", "characteristic impedance (0: 2-element model)", "Stergiopulos 1999"},
		{"sv", 70, "mL", "stroke volume", "normal adult"},
		{"hr", 75, "beats/min", "heart rate", "normal adult"},
		{"ts", 0.3, "s", "systolic ejection time", "normal adult"},
	},
	Outputs: []string{"p_mmhg", "q_ml_s", "co_l_min"},
}

func init() { register(windkesselInfo, func(p map[string]float64) Model { return &Windkessel{p: p} }) }

// Info describes the model.
func (m *Windkessel) Info() Info { return windkesselInfo }

// Flow returns the aortic inflow at t (mL/s): a half sine of area SV in systole.
func (m *Windkessel) Flow(t float64) float64 {
	T := 60 / m.p["hr"]
	ts := m.p["ts"]
	ph := math.Mod(t, T)
	if ph >= ts {
		return 0
	}
	return m.p["sv"] * math.Pi / (2 * ts) * math.Sin(math.Pi*ph/ts)
}

// Deriv is the Windkessel equation.
func (m *Windkessel) Deriv(t float64, y, dy []float64) {
	dy[0] = (m.Flow(t) - y[0]/m.p["r"]) / m.p["c"]
}

// Output computes p_mmhg (arterial pressure), q_ml_s or co_l_min.
func (m *Windkessel) Output(name string, t float64, y []float64) (float64, error) {
	switch name {
	case "p_mmhg":
		return y[0] + m.p["zc"]*m.Flow(t), nil
	case "q_ml_s":
		return m.Flow(t), nil
	case "co_l_min":
		return m.p["sv"] * m.p["hr"] / 1000, nil
	}
	return 0, unknownOutput("windkessel", name, windkesselInfo.Outputs)
}

// Set changes a parameter.
func (m *Windkessel) Set(name string, v float64) error { return m.p.set("windkessel", name, v) }
