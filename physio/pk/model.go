package pk

import (
	"fmt"
	"math"
)

// Params are the parameters of a linear compartmental model.
type Params struct {
	CL float64 // clearance from the central compartment, L/h
	V1 float64 // central volume, L
	Q2 float64 // inter-compartmental clearance to peripheral 1, L/h (2- and 3-compartment)
	V2 float64 // peripheral 1 volume, L
	Q3 float64 // inter-compartmental clearance to peripheral 2, L/h (3-compartment)
	V3 float64 // peripheral 2 volume, L
	KA float64 // first-order absorption rate, 1/h (models with a depot)
	// F is the bioavailable fraction of doses into the depot (0 means 1).
	F float64
	// ALAG is the lag time of doses into the depot, h.
	ALAG float64
	// VMax is the maximum rate of Michaelis–Menten elimination from the
	// central compartment, mg/h (0: none, the model is linear). It acts in
	// addition to CL, which may then be 0: elimination = CL·C + VMax·C/(KM+C).
	VMax float64
	// KM is the central concentration at half VMax, mg/L.
	KM float64
}

// Model is a compartmental model: NCmt disposition compartments (1–3) and, if
// Absorption, a depot in front of the central compartment. It is linear unless
// P.VMax > 0 (Michaelis–Menten elimination), which only the ODE path solves.
type Model struct {
	NCmt       int
	Absorption bool
	P          Params
	// RTol and ATol are the ODE path's tolerances (defaults 1e-10 and 1e-12 mg).
	RTol, ATol float64
	// Integrator is the ODE path's solver.
	Integrator Integrator
}

// Integrator selects the ODE path's solver.
type Integrator int

const (
	// DOPRI5 is the Dormand–Prince 5(4) pair with dense output (default).
	DOPRI5 Integrator = iota
	// GBS is Gragg–Bulirsch–Stoer extrapolation: high order, best at tight
	// tolerances such as the benchmark's 1e-8.
	GBS
	// DOP853 is Dormand and Prince's 8th-order pair with 7th-order dense
	// output (Hairer's DOP853): the fastest Runge–Kutta pair at 1e-8 and
	// tighter.
	DOP853
	// Taylor is the Taylor series method of order ode.TaylorOrder with the
	// model's jet (linear part and Michaelis–Menten term differentiated
	// exactly): steps of several time constants at 1e-8, the fastest here.
	Taylor
)

// N returns the number of states.
func (m Model) N() int {
	if m.Absorption {
		return m.NCmt + 1
	}
	return m.NCmt
}

// Central returns the 0-based state index of the central compartment.
func (m Model) Central() int {
	if m.Absorption {
		return 1
	}
	return 0
}

// Depot returns the 0-based index of the depot, or -1.
func (m Model) Depot() int {
	if m.Absorption {
		return 0
	}
	return -1
}

// Validate checks the model and its parameters.
func (m Model) Validate() error {
	p := m.P
	bad := func(name string, v float64, want string) error {
		return fmt.Errorf("pk: %s = %v, want %s", name, v, want)
	}
	pos := func(name string, v float64) error {
		if !(v > 0) || math.IsInf(v, 0) {
			return bad(name, v, "a positive finite number")
		}
		return nil
	}
	if m.NCmt < 1 || m.NCmt > 3 {
		return fmt.Errorf("pk: %d disposition compartments, want 1, 2 or 3", m.NCmt)
	}
	checks := []error{pos("CL", p.CL), pos("V1", p.V1)}
	if p.VMax != 0 || p.KM != 0 {
		checks = []error{pos("VMax", p.VMax), pos("KM", p.KM), pos("V1", p.V1)}
		if !(p.CL >= 0) || math.IsInf(p.CL, 0) {
			checks = append(checks, bad("CL", p.CL, ">= 0 (with Michaelis–Menten elimination)"))
		}
	}
	if m.NCmt >= 2 {
		checks = append(checks, pos("Q2", p.Q2), pos("V2", p.V2))
	}
	if m.NCmt == 3 {
		checks = append(checks, pos("Q3", p.Q3), pos("V3", p.V3))
	}
	if m.Absorption {
		checks = append(checks, pos("KA", p.KA))
		if p.F < 0 || p.F > 1 || math.IsNaN(p.F) {
			checks = append(checks, bad("F", p.F, "a fraction in [0, 1] (0 means 1)"))
		}
		if p.ALAG < 0 || math.IsNaN(p.ALAG) {
			checks = append(checks, bad("ALAG", p.ALAG, ">= 0 h"))
		}
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

// Linear reports whether the model is linear (no Michaelis–Menten elimination),
// so that the exact transition-matrix path applies.
func (m Model) Linear() bool { return m.P.VMax == 0 }

// mmRate returns the Michaelis–Menten elimination rate (mg/h) at central
// amount a (mg); a negative amount (integration noise) eliminates nothing.
func (m Model) mmRate(a float64) float64 {
	c := a / m.P.V1
	if c <= 0 {
		return 0
	}
	return m.P.VMax * c / (m.P.KM + c)
}

// K returns the rate matrix of dA/dt = K·A (row-major, N×N).
func (m Model) K() []float64 {
	n := m.N()
	k := make([]float64, n*n)
	set := func(i, j int, v float64) { k[i*n+j] += v }
	p := m.P
	c := m.Central()
	if m.Absorption {
		set(0, 0, -p.KA)
		set(c, 0, p.KA)
	}
	set(c, c, -p.CL/p.V1)
	if m.NCmt >= 2 {
		k12, k21 := p.Q2/p.V1, p.Q2/p.V2
		set(c, c, -k12)
		set(c, c+1, k21)
		set(c+1, c, k12)
		set(c+1, c+1, -k21)
	}
	if m.NCmt == 3 {
		k13, k31 := p.Q3/p.V1, p.Q3/p.V3
		set(c, c, -k13)
		set(c, c+2, k31)
		set(c+2, c, k13)
		set(c+2, c+2, -k31)
	}
	return k
}

// Deriv writes dA/dt = K·A + r into dA (r: infusion rates per state, may be
// nil), with Michaelis–Menten elimination from the central compartment when
// the model has it.
func (m Model) Deriv(k, a, r, dA []float64) {
	n := len(a)
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < n; j++ {
			s += k[i*n+j] * a[j]
		}
		if r != nil {
			s += r[i]
		}
		dA[i] = s
	}
	if m.P.VMax > 0 {
		c := m.Central()
		dA[c] -= m.mmRate(a[c])
	}
}

// Conc returns the central concentration (mg/L) of the state a.
func (m Model) Conc(a []float64) float64 { return a[m.Central()] / m.P.V1 }

// bioavail returns F for doses into state idx.
func (m Model) bioavail(idx int) float64 {
	if idx == m.Depot() && m.P.F > 0 {
		return m.P.F
	}
	return 1
}

// DoseLag is the lag time of a dose into compartment cmt (a dosing record's
// CMT, 0: the default compartment): ALAG for the depot, 0 elsewhere.
func (m Model) DoseLag(cmt int) float64 { return m.lag(m.cmtIndex(cmt)) }

func (m Model) lag(idx int) float64 {
	if idx == m.Depot() {
		return m.P.ALAG
	}
	return 0
}
