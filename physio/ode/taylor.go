package ode

import (
	"errors"
	"math"
)

// Jet computes the normalised Taylor coefficients of the solution through
// (t, c[0]): c[k] = y⁽ᵏ⁾(t)/k! for k = 1..len(c)−1. c[0] holds y on entry and
// must not be changed. A system supplies its jet by automatic differentiation
// of its right-hand side (for y' = K·y + r: c[1] = K·c[0] + r and
// c[k+1] = K·c[k]/(k+1); products and quotients by Leibniz's rule; see
// Jorba & Zou 2005, §2, and pk's jet for a Michaelis–Menten term).
type Jet func(t float64, c [][]float64)

// Taylor integrates y' = f(t, y) by the Taylor series method: at each step it
// computes the solution's Taylor coefficients up to the order p from the
// system's Jet, chooses the step h from the last two of them (Jorba & Zou
// 2005, Exp Math 14:99, §3.2: the largest h with ‖c_{p−1}‖·h^{p−1} ≤ 1 and
// ‖c_p‖·h^p ≤ 1 in the norm weighted by atol + rtol·|y_i|, so the dropped
// tail is below the tolerance when the terms decay), and sums the series by
// Horner's rule. Because the coefficients do not depend on h, no step is
// rejected; the same polynomial is the dense output within the step.
//
// It suits smooth non-stiff systems at tight tolerances, where it takes far
// larger steps than a Runge–Kutta pair (a step of order 20 spans about 3
// time constants at rtol 1e-8). Events are not supported: use DOPRI5 or
// DOP853 for those.
type Taylor struct {
	J     Jet
	Opts  Options
	T     float64
	Y     []float64
	Stats Stats

	p   int         // series order
	c   [][]float64 // coefficients at T: c[k] = buf[k·n : (k+1)·n]
	buf []float64
	tmp []float64 // the series at an output time
}

// TaylorOrder is the default series order. Jorba & Zou's rule
// p = ⌈−½·ln ε⌉ + 1 (11 at ε = 1e-8) is optimal for solutions with a finite
// radius of convergence; the solutions of linear PK systems are entire (their
// coefficients fall like λᵏ/k!), where higher orders take longer steps for
// little more work: on the reference cohort (rtol 1e-8, measured at each
// order) 16 to 30 cost about the same per subject and 11 about twice that.
const TaylorOrder = 20

var errTaylorEvents = errors.New("ode: the Taylor integrator does not locate events (use DOPRI5 or DOP853)")

// NewTaylor returns a Taylor series integrator of order p (0: TaylorOrder)
// for an n-dimensional system.
func NewTaylor(j Jet, n, p int, opts Options) *Taylor {
	if p < 2 {
		p = TaylorOrder
	}
	s := &Taylor{J: j, Opts: opts.withDefaults(), p: p, Y: make([]float64, n), tmp: make([]float64, n)}
	buf := make([]float64, (p+1)*n)
	s.buf = buf
	s.c = make([][]float64, p+1)
	for k := range s.c {
		s.c[k] = buf[k*n : (k+1)*n : (k+1)*n]
	}
	return s
}

// Order returns the series order.
func (s *Taylor) Order() int { return s.p }

// Reset restarts the integration at (t, y) (after a discontinuity).
func (s *Taylor) Reset(t float64, y []float64) {
	s.T = t
	copy(s.Y, y)
}

// step returns the step size for the coefficients in s.c: the largest h with
// both of the last two terms within the tolerance (+Inf when both vanish).
func (s *Taylor) step() float64 {
	p := s.p
	y, cq, cp := s.c[0], s.c[p-1], s.c[p]
	rtol, atol := s.Opts.RTol, s.Opts.ATol
	eq, ep := 0.0, 0.0
	for i, v := range y {
		w := 1 / (atol + rtol*math.Abs(v))
		eq = math.Max(eq, math.Abs(cq[i])*w)
		ep = math.Max(ep, math.Abs(cp[i])*w)
	}
	// h = min(eq^(−1/(p−1)), ep^(−1/p)), as one exponential of the smaller exponent
	if eq == 0 && ep == 0 {
		return math.Inf(1)
	}
	x := math.Inf(1)
	if eq > 0 {
		x = -math.Log(eq) / float64(p-1)
	}
	if ep > 0 {
		x = math.Min(x, -math.Log(ep)/float64(p))
	}
	return math.Exp(x)
}

// sum evaluates the series at offset d from T into out: Horner's rule in d²
// on the even and the odd coefficients, two independent chains.
func (s *Taylor) sum(d float64, out []float64) {
	n, p, buf := len(out), s.p, s.buf
	d2 := d * d
	for i := range out {
		even, odd := 0.0, 0.0
		k := p
		if k%2 == 1 {
			odd = buf[k*n+i]
			k--
		}
		even = buf[k*n+i]
		for k -= 2; k >= 0; k -= 2 {
			odd = odd*d2 + buf[(k+1)*n+i]
			even = even*d2 + buf[k*n+i]
		}
		out[i] = even + d*odd
	}
}

// Integrate advances from (T, Y) to tEnd, calling emit(i, t, y) for each time
// in outTimes (ascending; times before T are skipped, T itself is emitted as
// is) with the series evaluated there.
func (s *Taylor) Integrate(tEnd float64, outTimes []float64, emit func(i int, t float64, y []float64)) error {
	o := &s.Opts
	n := len(s.Y)
	if n < 1 {
		return &SolveError{s.T, errNoStates}
	}
	if len(o.Events) > 0 {
		return &SolveError{s.T, errTaylorEvents}
	}
	if tEnd < s.T {
		return &SolveError{s.T, errBackwards}
	}
	oi := firstOutput(outTimes, s.T, s.Y, emit)
	if !finite(s.Y) {
		return &SolveError{s.T, ErrNonFinite}
	}
	tmp := s.tmp
	for steps := 0; s.T < tEnd; steps++ {
		if steps >= o.MaxSteps {
			return &SolveError{s.T, ErrTooManySteps}
		}
		copy(s.c[0], s.Y)
		s.J(s.T, s.c)
		s.Stats.RHS += s.p // one order of the jet costs about one RHS evaluation
		if !finite(s.c[s.p-1]) || !finite(s.c[s.p]) {
			return &SolveError{s.T, ErrNonFinite}
		}
		h, last, err := clipStep(o, s.T, s.step(), tEnd)
		if err != nil {
			return err
		}
		tNew := s.T + h
		if last {
			tNew = tEnd
		}
		for oi < len(outTimes) && outTimes[oi] <= tNew {
			s.sum(outTimes[oi]-s.T, tmp)
			emit(oi, outTimes[oi], tmp)
			oi++
		}
		s.sum(h, s.Y)
		if !finite(s.Y) {
			return &SolveError{s.T, ErrNonFinite}
		}
		s.T = tNew
		s.Stats.Steps++
	}
	return nil
}
