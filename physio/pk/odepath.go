package pk

import (
	"github.com/medtwin/medtwin/physio/ode"
)

// odeProp integrates dA/dt = K·A + r with the model's integrator (DOPRI5,
// GBS, DOP853 or Taylor), restarting at each call
// (every call starts after a discontinuity: a dose or an infusion change).
type odeProp struct {
	m Model
	k []float64
	r []float64
	q []float64 // Taylor coefficients of the Michaelis–Menten quotient
	// solve restarts the chosen integrator at (t0, a), integrates to t1 and
	// leaves the state there in a
	solve func(a []float64, t0, t1 float64, outs []float64, emit func(i int, t float64, y []float64)) error
	stats *ode.Stats // the chosen integrator's counts
}

// odeTolerances are the ODE path's RTol and ATol, defaults (1e-10, 1e-12 mg)
// where the model leaves them 0.
func (m Model) odeTolerances() (rtol, atol float64) {
	rtol, atol = m.RTol, m.ATol
	if rtol <= 0 {
		rtol = 1e-10
	}
	if atol <= 0 {
		atol = 1e-12
	}
	return rtol, atol
}

func newODEProp(m Model) *odeProp {
	p := &odeProp{m: m, k: m.K(), r: make([]float64, m.N())}
	rtol, atol := m.odeTolerances()
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
		x := ode.NewExtrapolation(f, n, opts)
		p.stats = &x.Stats
		p.solve = func(a []float64, t0, t1 float64, outs []float64, emit func(int, float64, []float64)) error {
			h := x.Step()
			x.Reset(t0, a)
			x.SetStep(h) // a dose changes the state, not the system's time scales
			err := x.Integrate(t1, outs, emit)
			copy(a, x.Y)
			return err
		}
	case DOP853:
		d8 := ode.NewDop853(f, n, opts)
		p.stats = &d8.Stats
		p.solve = func(a []float64, t0, t1 float64, outs []float64, emit func(int, float64, []float64)) error {
			d8.Reset(t0, a) // keeps the step learnt before the dose
			_, err := d8.Integrate(t1, outs, emit, nil)
			copy(a, d8.Y)
			return err
		}
	case Taylor:
		ty := ode.NewTaylor(p.jet, n, 0, opts)
		p.q = make([]float64, ty.Order()+1)
		p.stats = &ty.Stats
		p.solve = func(a []float64, t0, t1 float64, outs []float64, emit func(int, float64, []float64)) error {
			ty.Reset(t0, a)
			err := ty.Integrate(t1, outs, emit)
			copy(a, ty.Y)
			return err
		}
	default:
		d5 := ode.NewDopri5(f, n, opts)
		p.stats = &d5.Stats
		p.solve = func(a []float64, t0, t1 float64, outs []float64, emit func(int, float64, []float64)) error {
			d5.Reset(t0, a)
			_, err := d5.Integrate(t1, outs, emit, nil)
			copy(a, d5.Y)
			return err
		}
	}
	return p
}

func (p *odeProp) advance(a []float64, t0, t1 float64, r []float64, outs []float64, emit func(t float64, a []float64)) error {
	copy(p.r, r)
	return p.solve(a, t0, t1, outs, func(i int, t float64, y []float64) { emit(t, y) })
}
