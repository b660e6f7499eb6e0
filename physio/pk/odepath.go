package pk

import (
	"github.com/medtwin/medtwin/physio/ode"
)

// odeProp integrates dA/dt = K·A + r with DOPRI5, restarting at each call
// (every call starts after a discontinuity: a dose or an infusion change).
type odeProp struct {
	m     Model
	k     []float64
	r     []float64
	s     *ode.Dopri5
	Stats ode.Stats
}

func newODEProp(m Model) *odeProp {
	p := &odeProp{m: m, k: m.K(), r: make([]float64, m.N())}
	rtol, atol := m.RTol, m.ATol
	if rtol <= 0 {
		rtol = 1e-10
	}
	if atol <= 0 {
		atol = 1e-12
	}
	p.s = ode.NewDopri5(func(t float64, a, da []float64) { m.Deriv(p.k, a, p.r, da) }, m.N(),
		ode.Options{RTol: rtol, ATol: atol, MaxSteps: 1_000_000})
	return p
}

func (p *odeProp) advance(a []float64, t0, t1 float64, r []float64, outs []float64, emit func(t float64, a []float64)) error {
	copy(p.r, r)
	p.s.Reset(t0, a)
	_, err := p.s.Integrate(t1, outs, func(i int, t float64, y []float64) { emit(t, y) }, nil)
	copy(a, p.s.Y)
	return err
}
