package ode

import (
	"math"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// Rosenbrock23 integrates stiff systems with the modified Rosenbrock 2(3) pair
// of Shampine & Reichelt 1997 (SIAM J Sci Comput 18(1):1–22, §2–3):
//
//	W = I − h·d·J,  d = 1/(2+√2)
//	k1 = W⁻¹(f(t,y) + h·d·T)
//	k2 = W⁻¹(f(t+h/2, y+h/2·k1) − k1) + k1
//	y₁ = y + h·k2
//	k3 = W⁻¹(f(t+h, y₁) − e32(k2 − F1) − 2(k1 − F0) + h·d·T),  e32 = 6+√2
//	error ≈ h/6·(k1 − 2k2 + k3)
//
// with T = ∂f/∂t. The second-order solution is L-stable, so large steps are
// stable on stiff problems (Robertson, Van der Pol with large μ).
type Rosenbrock23 struct {
	F     Func
	Opts  Options
	T     float64
	Y     []float64
	Stats Stats

	n                      int
	h                      float64
	f0, f1, f2, k1, k2, k3 []float64
	ynew, tdt, rhs, tmp    []float64
	jac                    *mat.Dense
	w                      *mat.Dense
	lu                     mat.LU
	kprev1, kprev2, yprev  []float64
	tPrev, hPrev           float64
	g0                     []float64
}

var (
	rbD   = 1 / (2 + math.Sqrt2)
	rbE32 = 6 + math.Sqrt2
)

// NewRosenbrock23 returns a stiff integrator for an n-dimensional system.
func NewRosenbrock23(f Func, n int, opts Options) *Rosenbrock23 {
	s := &Rosenbrock23{F: f, Opts: opts.withDefaults(), n: n}
	mk := func() []float64 { return make([]float64, n) }
	s.Y, s.f0, s.f1, s.f2, s.k1, s.k2, s.k3 = mk(), mk(), mk(), mk(), mk(), mk(), mk()
	s.ynew, s.tdt, s.rhs, s.tmp, s.kprev1, s.kprev2, s.yprev = mk(), mk(), mk(), mk(), mk(), mk(), mk()
	s.jac = mat.NewDense(n, n, nil)
	s.w = mat.NewDense(n, n, nil)
	return s
}

// Reset restarts the integration at (t, y).
func (s *Rosenbrock23) Reset(t float64, y []float64) {
	s.T = t
	copy(s.Y, y)
	s.h = 0
	s.g0 = nil
}

func (s *Rosenbrock23) jacobian(t float64, y []float64) {
	s.Stats.Jac++
	if s.Opts.Jac != nil {
		s.Opts.Jac(t, y, s.jac.RawMatrix().Data)
		return
	}
	fd.Jacobian(s.jac, func(dst, x []float64) { s.F(t, x, dst); s.Stats.RHS++ }, y, &fd.JacobianSettings{
		Formula: fd.Central,
	})
}

// Dense evaluates the continuous extension of the last step at t (Shampine &
// Reichelt 1997, eq. 3.3): y + h[θ(1−θ)/(1−2d)·k1 + θ(θ−2d)/(1−2d)·k2].
func (s *Rosenbrock23) Dense(t float64, out []float64) {
	th := (t - s.tPrev) / s.hPrev
	a := th * (1 - th) / (1 - 2*rbD)
	b := th * (th - 2*rbD) / (1 - 2*rbD)
	for i := range out {
		out[i] = s.yprev[i] + s.hPrev*(a*s.kprev1[i]+b*s.kprev2[i])
	}
}

// Integrate advances to tEnd; outputs and events as for Dopri5.Integrate.
func (s *Rosenbrock23) Integrate(tEnd float64, outTimes []float64, emit func(i int, t float64, y []float64), onCross func(Crossing)) (*Crossing, error) {
	o := &s.Opts
	n := s.n
	oi := firstOutput(outTimes, s.T, s.Y, emit)
	if tEnd <= s.T {
		return nil, nil
	}
	s.F(s.T, s.Y, s.f0)
	s.Stats.RHS++
	if !finite(s.f0) || !finite(s.Y) {
		return nil, &SolveError{s.T, ErrNonFinite}
	}
	if s.h == 0 {
		h, err := firstStep(o, s.F, s.T, s.Y, s.f0, 2, make([]float64, 2*n), &s.Stats)
		if err != nil {
			return nil, err
		}
		s.h = h
	}
	if len(o.Events) > 0 && s.g0 == nil {
		s.g0 = eventValues(o.Events, s.T, s.Y)
	}
	if tinyInterval(s.T, tEnd, s.Y, s.f0, outTimes, oi, emit) {
		s.T = tEnd
		return nil, nil
	}
	steps := 0
	newJac := true
	for s.T < tEnd {
		if steps >= o.MaxSteps {
			return nil, &SolveError{s.T, ErrTooManySteps}
		}
		steps++
		t, y := s.T, s.Y
		if newJac {
			s.jacobian(t, y)
			// T = ∂f/∂t by a forward difference
			dt := math.Sqrt(2.2e-16) * math.Max(math.Abs(t), 1)
			s.F(t+dt, y, s.tdt)
			s.Stats.RHS++
			for i := range s.tdt {
				s.tdt[i] = (s.tdt[i] - s.f0[i]) / dt
			}
			newJac = false
		}
		h, last, err := clipStep(o, t, s.h, tEnd)
		if err != nil {
			return nil, err
		}
		// W = I - h d J
		hd := h * rbD
		jd, wd := s.jac.RawMatrix().Data, s.w.RawMatrix().Data
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				v := -hd * jd[i*n+j]
				if i == j {
					v += 1
				}
				wd[i*n+j] = v
			}
		}
		s.lu.Factorize(s.w)
		s.Stats.LU++
		if s.lu.Det() == 0 {
			s.h = h / 4
			s.Stats.Rejected++
			continue
		}
		solve := func(dst, b []float64) bool {
			bv := mat.NewVecDense(n, b)
			dv := mat.NewVecDense(n, dst)
			return s.lu.SolveVecTo(dv, false, bv) == nil
		}
		for i := 0; i < n; i++ {
			s.rhs[i] = s.f0[i] + hd*s.tdt[i]
		}
		ok := solve(s.k1, s.rhs)
		for i := 0; i < n; i++ {
			s.tmp[i] = y[i] + 0.5*h*s.k1[i]
		}
		s.F(t+0.5*h, s.tmp, s.f1)
		for i := 0; i < n; i++ {
			s.rhs[i] = s.f1[i] - s.k1[i]
		}
		ok = solve(s.k2, s.rhs) && ok
		for i := 0; i < n; i++ {
			s.k2[i] += s.k1[i]
			s.ynew[i] = y[i] + h*s.k2[i]
		}
		s.F(t+h, s.ynew, s.f2)
		for i := 0; i < n; i++ {
			s.rhs[i] = s.f2[i] - rbE32*(s.k2[i]-s.f1[i]) - 2*(s.k1[i]-s.f0[i]) + hd*s.tdt[i]
		}
		ok = solve(s.k3, s.rhs) && ok
		s.Stats.RHS += 2
		for i := 0; i < n; i++ {
			s.tmp[i] = h / 6 * (s.k1[i] - 2*s.k2[i] + s.k3[i])
		}
		en := errNorm(s.tmp, y, s.ynew, o.RTol, o.ATol)
		if !ok || math.IsNaN(en) || !finite(s.ynew) {
			s.Stats.Rejected++
			s.h = h / 10
			if !finite(y) {
				return nil, &SolveError{t, ErrNonFinite}
			}
			continue
		}
		fac := 0.8 * math.Pow(1/math.Max(en, 1e-10), 1.0/3)
		if en > 1 {
			s.Stats.Rejected++
			s.h = h * math.Max(0.1, fac)
			continue
		}
		s.Stats.Steps++
		copy(s.yprev, y)
		copy(s.kprev1, s.k1)
		copy(s.kprev2, s.k2)
		s.tPrev, s.hPrev = t, h
		tNew := t + h
		if last {
			tNew = tEnd
		}
		var stop *Crossing
		if len(o.Events) > 0 {
			stop = s.locate(t, tNew, s.ynew, onCross)
		}
		tStop := tNew
		if stop != nil {
			tStop = stop.T
		}
		oi = emitStep(outTimes, oi, tNew, tStop, stop != nil, s.ynew, s.tmp, s.Dense, emit)
		if stop != nil {
			s.T = stop.T
			copy(s.Y, stop.Y)
			s.g0 = nil
			return stop, nil
		}
		s.T = tNew
		copy(s.Y, s.ynew)
		copy(s.f0, s.f2)
		s.h = h * math.Min(5, fac)
		newJac = true
	}
	return nil, nil
}

func (s *Rosenbrock23) locate(t0, t1 float64, y1 []float64, onCross func(Crossing)) *Crossing {
	return locateCrossings(s.Opts.Events, s.g0, t0, t1, y1, make([]float64, s.n), s.Dense, onCross)
}

// SolveStiff is Solve with the Rosenbrock23 solver.
func SolveStiff(f Func, t0 float64, y0, out []float64, opts Options) (*Solution, error) {
	s := NewRosenbrock23(f, len(y0), opts)
	s.Reset(t0, y0)
	sol := &Solution{}
	tEnd := t0
	if len(out) > 0 {
		tEnd = out[len(out)-1]
	}
	c, err := s.Integrate(tEnd, out, func(i int, t float64, y []float64) {
		sol.T = append(sol.T, t)
		sol.Y = append(sol.Y, append([]float64(nil), y...))
	}, func(c Crossing) { sol.Crossings = append(sol.Crossings, c) })
	if c != nil {
		sol.Crossings = append(sol.Crossings, *c)
	}
	sol.Stats = s.Stats
	return sol, err
}
