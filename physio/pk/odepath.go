package pk

import (
	"github.com/medtwin/medtwin/physio/ode"
)

// odeProp integrates dA/dt = K·A + r with DOPRI5, restarting at each call
// (every call starts after a discontinuity: a dose or an infusion change).
type odeProp struct {
	m     Model
	k     []float64
	nz    []kEntry // the non-zero entries of K
	r     []float64
	s     *ode.Dopri5
	x     *ode.Extrapolation
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
	n := m.N()
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if v := p.k[i*n+j]; v != 0 {
				p.nz = append(p.nz, kEntry{i, j, v})
			}
		}
	}
	f := func(t float64, a, da []float64) {
		copy(da, p.r)
		for _, e := range p.nz {
			da[e.i] += e.v * a[e.j]
		}
	}
	opts := ode.Options{RTol: rtol, ATol: atol, MaxSteps: 1_000_000}
	if m.Integrator == GBS {
		p.x = ode.NewExtrapolation(f, m.N(), opts)
	} else {
		p.s = ode.NewDopri5(f, m.N(), opts)
	}
	return p
}

func (p *odeProp) advance(a []float64, t0, t1 float64, r []float64, outs []float64, emit func(t float64, a []float64)) error {
	copy(p.r, r)
	if p.x != nil {
		h := p.x.Step()
		p.x.Reset(t0, a)
		p.x.SetStep(h) // a dose changes the state, not the system's time scales
		err := p.x.Integrate(t1, outs, func(i int, t float64, y []float64) { emit(t, y) })
		copy(a, p.x.Y)
		return err
	}
	p.s.Reset(t0, a)
	_, err := p.s.Integrate(t1, outs, func(i int, t float64, y []float64) { emit(t, y) }, nil)
	copy(a, p.s.Y)
	return err
}

// kEntry is one non-zero rate constant K[i][j].
type kEntry struct {
	i, j int
	v    float64
}
