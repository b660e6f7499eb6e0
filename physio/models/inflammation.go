package models

import "math"

// Inflammation is the reduced model of the acute inflammatory response to a
// bacterial infection of Reynolds et al. 2006 (J Theor Biol 242:220–236): pathogen
// P, activated phagocytes N*, tissue damage D and a slow anti-inflammatory
// mediator CA. Depending on the initial pathogen load and growth rate it
// resolves to health, or ends in persistent inflammation with damage (septic)
// or in an aseptic state — the basis for a sepsis twin. Time in hours; P in 10^6
// cells/cc, N* in 10^6 cells/cc, D and CA in arbitrary units.
//
//	f(V)   = V / (1 + (CA/c∞)²)
//	dP/dt  = kpg·P·(1 − P/p∞) − kpm·sm·P/(μm + kmp·P) − kpn·f(N*)·P
//	R      = f(knn·N* + knp·P + knd·D)
//	dN*/dt = snr·R/(μnr + R) − μn·N*
//	dD/dt  = kdn·f(N*)⁶/(xdn⁶ + f(N*)⁶) − μd·D
//	dCA/dt = sc + kcn·f(N* + kcnd·D)/(1 + f(N* + kcnd·D)) − μc·CA
//
// Parameters: Reynolds et al. 2006, Table 1. "antibiotic" multiplies the
// pathogen's net growth by (1 − antibiotic) — a treatment input medtwin adds;
// 0 is the published model.
type Inflammation struct {
	p params
	// the parameters as fields, refreshed by Set (Deriv runs millions of times;
	// map lookups there cost half its time)
	kpg, pinf, kpm, sm, mum, kmp, kpn, knn, knp, knd, snr, munr, mun float64
	kdn, xdn6, mud, cinf, sc, kcn, kcnd, muc, ab                     float64
}

func (m *Inflammation) cache() {
	p := m.p
	m.kpg, m.pinf, m.kpm, m.sm, m.mum, m.kmp, m.kpn = p["kpg"], p["pinf"], p["kpm"], p["sm"], p["mum"], p["kmp"], p["kpn"]
	m.knn, m.knp, m.knd, m.snr, m.munr, m.mun = p["knn"], p["knp"], p["knd"], p["snr"], p["munr"], p["mun"]
	m.kdn, m.xdn6, m.mud, m.cinf, m.sc, m.kcn = p["kdn"], math.Pow(p["xdn"], 6), p["mud"], p["cinf"], p["sc"], p["kcn"]
	m.kcnd, m.muc, m.ab = p["kcnd"], p["muc"], p["antibiotic"]
}

var inflammationInfo = Info{
	Name:        "inflammation",
	Description: "acute inflammatory response to infection (sepsis), 4 states",
	Citation:    "Reynolds A et al. 2006, J Theor Biol 242:220-236",
	TimeUnit:    "h",
	States:      []State{{"pathogen", "1e6/cc", 0}, {"phagocytes", "1e6/cc", 0}, {"damage", "a.u.", 0}, {"anti_inflammatory", "a.u.", 0.125}},
	Params: []Param{
		{"kpg", 0.6, "1/h", "pathogen growth rate", "Reynolds 2006, Table 1"},
		{"pinf", 20, "1e6/cc", "pathogen carrying capacity", "Reynolds 2006"},
		{"kpm", 0.6, "1/h", "pathogen clearance by local defences", "Reynolds 2006"},
		{"sm", 0.005, "1/h", "source of local defences", "Reynolds 2006"},
		{"mum", 0.002, "1/h", "decay of local defences", "Reynolds 2006"},
		{"kmp", 0.01, "1/h", "local defences exhausted by pathogen", "Reynolds 2006"},
		{"kpn", 1.8, "1/h", "pathogen killed by phagocytes", "Reynolds 2006"},
		{"knn", 0.01, "1/h", "phagocyte self-activation", "Reynolds 2006"},
		{"knp", 0.1, "1/h", "phagocyte activation by pathogen", "Reynolds 2006"},
		{"knd", 0.02, "1/h", "phagocyte activation by damage", "Reynolds 2006"},
		{"snr", 0.08, "1/h", "source of resting phagocytes", "Reynolds 2006"},
		{"munr", 0.12, "1/h", "decay of resting phagocytes", "Reynolds 2006"},
		{"mun", 0.05, "1/h", "decay of activated phagocytes", "Reynolds 2006"},
		{"kdn", 0.35, "1/h", "damage by phagocytes", "Reynolds 2006"},
		{"xdn", 0.06, "1e6/cc", "half-saturation of damage", "Reynolds 2006"},
		{"mud", 0.02, "1/h", "damage repair", "Reynolds 2006"},
		{"cinf", 0.28, "a.u.", "anti-inflammatory strength", "Reynolds 2006"},
		{"sc", 0.0125, "a.u./h", "source of anti-inflammatory mediator", "Reynolds 2006"},
		{"kcn", 0.04, "a.u./h", "mediator production by phagocytes", "Reynolds 2006"},
		{"kcnd", 48, "", "relative effect of damage on mediator production", "Reynolds 2006"},
		{"muc", 0.1, "1/h", "decay of anti-inflammatory mediator", "Reynolds 2006"},
		{"antibiotic", 0, "", "fraction of pathogen growth suppressed by treatment (medtwin input)", "medtwin"},
	},
	Outputs: []string{"pathogen", "damage", "phagocytes"},
}

func init() {
	register(inflammationInfo, func(p map[string]float64) Model { m := &Inflammation{p: p}; m.cache(); return m })
}

// Info describes the model.
func (m *Inflammation) Info() Info { return inflammationInfo }

// Deriv is the Reynolds et al. 2006 system.
func (m *Inflammation) Deriv(t float64, y, dy []float64) {
	// populations and concentrations are non-negative: the rates are evaluated
	// on max(state, 0), so that a numerical excursion below zero cannot run away
	// towards the singularity of P/(μm + kmp·P) at P = −μm/kmp
	P, N, D, CA := math.Max(y[0], 0), math.Max(y[1], 0), math.Max(y[2], 0), math.Max(y[3], 0)
	r := CA / m.cinf
	inh := 1 / (1 + r*r) // f(V) = V·inh
	fN := N * inh
	growth := m.kpg * P * (1 - P/m.pinf) * (1 - m.ab)
	dy[0] = growth - m.kpm*m.sm*P/(m.mum+m.kmp*P) - m.kpn*fN*P
	R := (m.knn*N + m.knp*P + m.knd*D) * inh
	dy[1] = m.snr*R/(m.munr+R) - m.mun*N
	f3 := fN * fN * fN
	f6 := f3 * f3
	dy[2] = m.kdn*f6/(m.xdn6+f6) - m.mud*D
	fc := (N + m.kcnd*D) * inh
	dy[3] = m.sc + m.kcn*fc/(1+fc) - m.muc*CA
}

// Output returns a state by name.
func (m *Inflammation) Output(name string, t float64, y []float64) (float64, error) {
	switch name {
	case "pathogen":
		return y[0], nil
	case "phagocytes":
		return y[1], nil
	case "damage":
		return y[2], nil
	}
	return 0, unknownOutput("inflammation", name, inflammationInfo.Outputs)
}

// Set changes a parameter (e.g. antibiotic).
func (m *Inflammation) Set(name string, v float64) error {
	if err := m.p.set("inflammation", name, v); err != nil {
		return err
	}
	m.cache()
	return nil
}
