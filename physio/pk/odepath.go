package pk

import (
	"github.com/medtwin/medtwin/physio/ode"
)

// odeProp integrates dA/dt = K·A + r with the model's integrator (DOPRI5,
// GBS, DOP853 or Taylor), restarting at each call
// (every call starts after a discontinuity: a dose or an infusion change).
type odeProp struct {
	m     Model
	k     []float64
	r     []float64
	s     *ode.Dopri5
	x     *ode.Extrapolation
	d8    *ode.Dop853
	ty    *ode.Taylor
	q     []float64 // Taylor coefficients of the Michaelis–Menten quotient
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
	// dA/dt = K·A + r as a dense product: for the 1–4 states of these models
	// it is faster than a sparse loop, and r is added without a memmove.
	k := p.k
	f := func(t float64, a, da []float64) {
		for i := range da {
			v := p.r[i]
			row := k[i*n : i*n+n]
			for j, kij := range row {
				v += kij * a[j]
			}
			da[i] = v
		}
	}
	if n == 3 {
		// the commonest shape (2 compartments and a depot, or 3 compartments),
		// unrolled: no loops or slice checks in the hottest function
		k00, k01, k02, k10, k11, k12, k20, k21, k22 := k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8]
		r := p.r
		f = func(t float64, a, da []float64) {
			_, _ = a[2], da[2]
			a0, a1, a2 := a[0], a[1], a[2]
			da[0] = r[0] + k00*a0 + k01*a1 + k02*a2
			da[1] = r[1] + k10*a0 + k11*a1 + k12*a2
			da[2] = r[2] + k20*a0 + k21*a1 + k22*a2
		}
	}
	if !m.Linear() {
		lin, c := f, m.Central()
		f = func(t float64, a, da []float64) {
			lin(t, a, da)
			da[c] -= m.mmRate(a[c])
		}
	}
	opts := ode.Options{RTol: rtol, ATol: atol, MaxSteps: 1_000_000}
	switch m.Integrator {
	case GBS:
		p.x = ode.NewExtrapolation(f, m.N(), opts)
	case DOP853:
		p.d8 = ode.NewDop853(f, m.N(), opts)
	case Taylor:
		p.ty = ode.NewTaylor(p.jet, m.N(), 0, opts)
		p.q = make([]float64, p.ty.Order()+1)
	default:
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
	if p.ty != nil {
		p.ty.Reset(t0, a)
		err := p.ty.Integrate(t1, outs, func(i int, t float64, y []float64) { emit(t, y) })
		copy(a, p.ty.Y)
		return err
	}
	if p.d8 != nil {
		p.d8.Reset(t0, a) // keeps the step learnt before the dose
		_, err := p.d8.Integrate(t1, outs, func(i int, t float64, y []float64) { emit(t, y) }, nil)
		copy(a, p.d8.Y)
		return err
	}
	p.s.Reset(t0, a)
	_, err := p.s.Integrate(t1, outs, func(i int, t float64, y []float64) { emit(t, y) }, nil)
	copy(a, p.s.Y)
	return err
}
