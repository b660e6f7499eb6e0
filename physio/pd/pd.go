// Package pd holds pharmacodynamic models: direct effects (Emax, sigmoid Emax),
// the effect compartment, and the four basic indirect response models of Dayneka,
// Garg & Jusko 1993 (J Pharmacokinet Biopharm 21:457). Concentrations are in
// mg/L, time in hours.
package pd

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/physio/ode"
)

// Emax is the hyperbolic (Hill = 1) or sigmoid Emax model:
// E = E0 + Emax·C^h / (EC50^h + C^h).
type Emax struct {
	E0, Emax, EC50 float64
	// Hill is the sigmoidicity h (0 means 1).
	Hill float64
}

// Effect returns the effect at concentration c.
func (m Emax) Effect(c float64) float64 {
	h := m.Hill
	if h == 0 {
		h = 1
	}
	if c <= 0 {
		return m.E0
	}
	ch := math.Pow(c, h)
	return m.E0 + m.Emax*ch/(math.Pow(m.EC50, h)+ch)
}

// Validate checks the parameters.
func (m Emax) Validate() error {
	if !(m.EC50 > 0) || m.Hill < 0 {
		return fmt.Errorf("pd: Emax needs EC50 > 0 and Hill >= 0, got EC50 %v, Hill %v", m.EC50, m.Hill)
	}
	return nil
}

// IndirectType is one of Jusko's four indirect response models.
type IndirectType int

// The four indirect response models (Dayneka et al. 1993):
const (
	// InhibitKin: dR/dt = kin·(1 − I(C)) − kout·R
	InhibitKin IndirectType = 1 + iota
	// InhibitKout: dR/dt = kin − kout·(1 − I(C))·R
	InhibitKout
	// StimulateKin: dR/dt = kin·(1 + S(C)) − kout·R
	StimulateKin
	// StimulateKout: dR/dt = kin − kout·(1 + S(C))·R
	StimulateKout
)

// Indirect is an indirect response model with I(C) = Imax·C/(IC50 + C) (types I
// and II; Imax in [0, 1]) or S(C) = Emax·C/(EC50 + C) (types III and IV); Max
// and C50 hold Imax/Emax and IC50/EC50.
type Indirect struct {
	Type      IndirectType
	Kin, Kout float64
	Max, C50  float64
}

func (m Indirect) drug(c float64) float64 {
	if c <= 0 {
		return 0
	}
	return m.Max * c / (m.C50 + c)
}

// Deriv returns dR/dt at response r and concentration c.
func (m Indirect) Deriv(r, c float64) float64 {
	d := m.drug(c)
	switch m.Type {
	case InhibitKin:
		return m.Kin*(1-d) - m.Kout*r
	case InhibitKout:
		return m.Kin - m.Kout*(1-d)*r
	case StimulateKin:
		return m.Kin*(1+d) - m.Kout*r
	default:
		return m.Kin - m.Kout*(1+d)*r
	}
}

// Baseline returns R0 = kin/kout.
func (m Indirect) Baseline() float64 { return m.Kin / m.Kout }

// SteadyState returns the response at a constant concentration c.
func (m Indirect) SteadyState(c float64) float64 {
	d := m.drug(c)
	switch m.Type {
	case InhibitKin:
		return m.Kin * (1 - d) / m.Kout
	case InhibitKout:
		return m.Kin / (m.Kout * (1 - d))
	case StimulateKin:
		return m.Kin * (1 + d) / m.Kout
	default:
		return m.Kin / (m.Kout * (1 + d))
	}
}

// Validate checks the parameters.
func (m Indirect) Validate() error {
	switch {
	case m.Type < InhibitKin || m.Type > StimulateKout:
		return fmt.Errorf("pd: indirect response type %d, want 1..4", m.Type)
	case !(m.Kin > 0) || !(m.Kout > 0) || !(m.C50 > 0) || m.Max < 0:
		return fmt.Errorf("pd: indirect response needs kin, kout, C50 > 0 and Max >= 0")
	case (m.Type == InhibitKin || m.Type == InhibitKout) && m.Max > 1:
		return fmt.Errorf("pd: Imax %v of an inhibitory model must be <= 1", m.Max)
	}
	return nil
}

// Simulate integrates the response from its baseline under the concentration
// profile conc(t) and returns it at times (ascending, from t0). With an effect
// compartment (ke0 > 0) the drug acts through Ce, dCe/dt = ke0·(C − Ce).
func (m Indirect) Simulate(conc func(t float64) float64, ke0, t0 float64, times []float64) ([]float64, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	f := func(t float64, y, dy []float64) {
		c := conc(t)
		if ke0 > 0 {
			dy[1] = ke0 * (c - y[1])
			c = y[1]
		} else {
			dy[1] = 0
		}
		dy[0] = m.Deriv(y[0], c)
	}
	sol, err := ode.Solve(f, t0, []float64{m.Baseline(), 0}, times, ode.Options{RTol: 1e-9, ATol: 1e-12})
	if err != nil {
		return nil, err
	}
	return sol.Component(0), nil
}

// EffectSite integrates the effect-compartment concentration Ce (dCe/dt =
// ke0·(C − Ce), Sheiner et al. 1979, Clin Pharmacol Ther 25:358) from 0.
func EffectSite(conc func(t float64) float64, ke0, t0 float64, times []float64) ([]float64, error) {
	if !(ke0 > 0) {
		return nil, fmt.Errorf("pd: ke0 must be > 0, got %v", ke0)
	}
	sol, err := ode.Solve(func(t float64, y, dy []float64) { dy[0] = ke0 * (conc(t) - y[0]) }, t0, []float64{0}, times,
		ode.Options{RTol: 1e-10, ATol: 1e-13})
	if err != nil {
		return nil, err
	}
	return sol.Component(0), nil
}
