package ode

import (
	"cmp"
	"math"
	"slices"
)

// Dormand–Prince 5(4) coefficients (Dormand & Prince 1980; Hairer et al. 1993,
// Table II.5.2) and the dense-output coefficients of Hairer's DOPRI5 code.
const (
	c2, c3, c4, c5 = 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9
	a21            = 1.0 / 5
	a31, a32       = 3.0 / 40, 9.0 / 40
	a41, a42, a43  = 44.0 / 45, -56.0 / 15, 32.0 / 9
	a51, a52, a53  = 19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561
	a54            = -212.0 / 729
	a61, a62, a63  = 9017.0 / 3168, -355.0 / 33, 46732.0 / 5247
	a64, a65       = 49.0 / 176, -5103.0 / 18656
	a71, a73, a74  = 35.0 / 384, 500.0 / 1113, 125.0 / 192
	a75, a76       = -2187.0 / 6784, 11.0 / 84
	e1, e3, e4     = 71.0 / 57600, -71.0 / 16695, 71.0 / 1920
	e5, e6, e7     = -17253.0 / 339200, 22.0 / 525, -1.0 / 40
	d1, d3, d4     = -12715105075.0 / 11282082432, 87487479700.0 / 32700410799, -10690763975.0 / 1880347072
	d5, d6, d7     = 701980252875.0 / 199316789632, -1453857185.0 / 822651844, 69997945.0 / 29380423
)

// Dopri5 integrates one system with the Dormand–Prince 5(4) pair. It keeps its
// state between calls, so a model can advance lazily (AdvanceTo) and restart
// after a discontinuity (Reset). All work arrays are allocated once.
type Dopri5 struct {
	F     Func
	Opts  Options
	T     float64
	Y     []float64
	Stats Stats

	n                      int
	h                      float64
	k1, k2, k3, k4, k5, k6 []float64
	k7, ytmp, ynew, err    []float64
	rc                     [5][]float64 // dense output coefficients of the last step
	tPrev, hPrev           float64
	fsal                   bool // k1 holds f(T, Y)
	g0                     []float64
	work                   []float64
}

// NewDopri5 returns an integrator for an n-dimensional system.
func NewDopri5(f Func, n int, opts Options) *Dopri5 {
	s := &Dopri5{F: f, Opts: opts.withDefaults(), n: n}
	take := arena(n, 16)
	s.Y, s.k1, s.k2, s.k3, s.k4, s.k5, s.k6, s.k7 = take(), take(), take(), take(), take(), take(), take(), take()
	s.ytmp, s.ynew, s.err = take(), take(), take()
	for i := range s.rc {
		s.rc[i] = take()
	}
	s.work = make([]float64, 2*n)
	return s
}

// Reset restarts the integration at (t, y): after a dose, a fluid bolus or any
// other discontinuity, the step size is chosen afresh.
func (s *Dopri5) Reset(t float64, y []float64) {
	s.T = t
	copy(s.Y, y)
	s.h = 0
	s.fsal = false
	s.g0 = nil
}

// Dense evaluates the last step's interpolant at t (within that step) into out.
func (s *Dopri5) Dense(t float64, out []float64) {
	th := (t - s.tPrev) / s.hPrev
	th1 := 1 - th
	for i := range out {
		out[i] = s.rc[0][i] + th*(s.rc[1][i]+th1*(s.rc[2][i]+th*(s.rc[3][i]+th1*s.rc[4][i])))
	}
}

// Integrate advances from (T, Y) to tEnd. For each time in outTimes (ascending;
// times outside (T, tEnd] are skipped, T itself is emitted as is) it calls
// emit(i, t, y) with the dense-output state. Event crossings are located on
// the interpolant; non-terminal ones are passed to onCross (may be nil); a
// terminal one stops the integration there and is returned.
func (s *Dopri5) Integrate(tEnd float64, outTimes []float64, emit func(i int, t float64, y []float64), onCross func(Crossing)) (*Crossing, error) {
	o := &s.Opts
	n := s.n
	if tEnd < s.T {
		return nil, &SolveError{s.T, errBackwards}
	}
	oi := firstOutput(outTimes, s.T, s.Y, emit)
	if tEnd == s.T {
		return nil, nil
	}
	if !s.fsal {
		s.F(s.T, s.Y, s.k1)
		s.Stats.RHS++
		if !finite(s.k1) || !finite(s.Y) {
			return nil, &SolveError{s.T, ErrNonFinite}
		}
		s.fsal = true
	}
	if s.h == 0 {
		h, err := firstStep(o, s.F, s.T, s.Y, s.k1, 5, s.work, &s.Stats)
		if err != nil {
			return nil, err
		}
		s.h = h
	}
	if len(o.Events) > 0 && s.g0 == nil {
		s.g0 = eventValues(o.Events, s.T, s.Y)
	}
	if tinyInterval(s.T, tEnd, s.Y, s.k1, outTimes, oi, emit) {
		s.T, s.fsal = tEnd, false
		return nil, nil
	}
	steps := 0
	facOld := 1e-4
	for s.T < tEnd {
		if steps >= o.MaxSteps {
			return nil, &SolveError{s.T, ErrTooManySteps}
		}
		h, last, err := clipStep(o, s.T, s.h, tEnd)
		if err != nil {
			return nil, err
		}
		t, y := s.T, s.Y
		k1, k2, k3, k4, k5, k6, k7, yt := s.k1, s.k2, s.k3, s.k4, s.k5, s.k6, s.k7, s.ytmp
		for i := 0; i < n; i++ {
			yt[i] = y[i] + h*a21*k1[i]
		}
		s.F(t+c2*h, yt, k2)
		for i := 0; i < n; i++ {
			yt[i] = y[i] + h*(a31*k1[i]+a32*k2[i])
		}
		s.F(t+c3*h, yt, k3)
		for i := 0; i < n; i++ {
			yt[i] = y[i] + h*(a41*k1[i]+a42*k2[i]+a43*k3[i])
		}
		s.F(t+c4*h, yt, k4)
		for i := 0; i < n; i++ {
			yt[i] = y[i] + h*(a51*k1[i]+a52*k2[i]+a53*k3[i]+a54*k4[i])
		}
		s.F(t+c5*h, yt, k5)
		for i := 0; i < n; i++ {
			yt[i] = y[i] + h*(a61*k1[i]+a62*k2[i]+a63*k3[i]+a64*k4[i]+a65*k5[i])
		}
		s.F(t+h, yt, k6)
		yn := s.ynew
		for i := 0; i < n; i++ {
			yn[i] = y[i] + h*(a71*k1[i]+a73*k3[i]+a74*k4[i]+a75*k5[i]+a76*k6[i])
		}
		s.F(t+h, yn, k7)
		s.Stats.RHS += 6
		for i := 0; i < n; i++ {
			s.err[i] = h * (e1*k1[i] + e3*k3[i] + e4*k4[i] + e5*k5[i] + e6*k6[i] + e7*k7[i])
		}
		en := errNorm(s.err, y, yn, o.RTol, o.ATol)
		steps++
		if math.IsNaN(en) || !finite(yn) {
			// a non-finite trial state: shrink the step; give up if it persists
			s.Stats.Rejected++
			s.h = h / 10
			if !finite(y) {
				return nil, &SolveError{t, ErrNonFinite}
			}
			if s.h <= 1e-14*math.Max(1, math.Abs(t)) {
				return nil, &SolveError{t, ErrNonFinite}
			}
			continue
		}
		// PI step-size control (Hairer et al. 1993, §IV.2, with beta = 0.04)
		fac := math.Pow(en, 0.2-0.04*0.75) / math.Pow(facOld, 0.04)
		fac = math.Max(1.0/10, math.Min(1/0.2, fac/0.9))
		if en > 1 {
			s.Stats.Rejected++
			s.h = h / math.Min(1/0.2, math.Pow(en, 0.2)/0.9)
			continue
		}
		facOld = math.Max(en, 1e-4)
		s.Stats.Steps++
		// dense output coefficients
		for i := 0; i < n; i++ {
			ydiff := yn[i] - y[i]
			bspl := h*k1[i] - ydiff
			s.rc[0][i] = y[i]
			s.rc[1][i] = ydiff
			s.rc[2][i] = bspl
			s.rc[3][i] = ydiff - h*k7[i] - bspl
			s.rc[4][i] = h * (d1*k1[i] + d3*k3[i] + d4*k4[i] + d5*k5[i] + d6*k6[i] + d7*k7[i])
		}
		s.tPrev, s.hPrev = t, h
		tNew := t + h
		if last {
			tNew = tEnd
		}
		// events on the interpolant
		var stop *Crossing
		if len(o.Events) > 0 {
			stop = s.locate(t, tNew, yn, onCross)
		}
		tStop := tNew
		if stop != nil {
			tStop = stop.T
		}
		oi = emitStep(outTimes, oi, tNew, tStop, stop != nil, yn, yt, s.Dense, emit)
		if stop != nil {
			s.T = stop.T
			copy(s.Y, stop.Y)
			s.fsal = false
			s.g0 = nil
			return stop, nil
		}
		s.T = tNew
		copy(s.Y, yn)
		s.k1, s.k7 = k7, k1 // FSAL: f(T, Y) is the last stage
		s.h = h / fac
	}
	return nil, nil
}

// locate finds event crossings in (t0, t1] on the dense output by the Illinois
// variant of regula falsi, and reports the first terminal one.
func (s *Dopri5) locate(t0, t1 float64, y1 []float64, onCross func(Crossing)) *Crossing {
	return locateCrossings(s.Opts.Events, s.g0, t0, t1, y1, s.work[:s.n], s.Dense, onCross)
}

// locateCrossings is the event location shared by the solvers: g0 holds each
// event function at t0 and is updated to t1; dense evaluates the last step's
// interpolant into its second argument. It returns the first terminal crossing
// in (t0, t1], where the caller stops, restarts and sets g0 anew; the
// non-terminal crossings up to it are passed to onCross in time order, and
// those after it are not: integration has not reached them, and they are found
// again when it resumes from the terminal one.
func locateCrossings(events []Event, g0 []float64, t0, t1 float64, y1, tmp []float64, dense func(float64, []float64), onCross func(Crossing)) *Crossing {
	var first *Crossing
	var found []Crossing // non-terminal
	for i, ev := range events {
		ga := g0[i]
		gb := ev.G(t1, y1)
		g0[i] = gb
		if !crosses(ga, gb, ev.Direction) {
			continue
		}
		tc := illinois(func(t float64) float64 { dense(t, tmp); return ev.G(t, tmp) }, t0, t1, ga, gb)
		yc := make([]float64, len(y1))
		dense(tc, yc)
		c := Crossing{Index: i, T: tc, Y: yc}
		if !ev.Terminal {
			found = append(found, c)
		} else if first == nil || tc < first.T {
			first = &c
		}
	}
	if onCross != nil {
		slices.SortStableFunc(found, func(a, b Crossing) int { return cmp.Compare(a.T, b.T) })
		for _, c := range found {
			if first != nil && c.T > first.T {
				break
			}
			onCross(c)
		}
	}
	return first
}

func crosses(ga, gb float64, dir int) bool {
	switch {
	case dir >= 0 && ga < 0 && gb >= 0:
		return true
	case dir <= 0 && ga > 0 && gb <= 0:
		return true
	}
	return false
}

// illinois finds a root of g in [a, b] with g(a), g(b) of opposite signs
// (Dowell & Jarratt 1971), to about 1e-12 relative in t.
func illinois(g func(float64) float64, a, b, ga, gb float64) float64 {
	side := 0
	for it := 0; it < 100; it++ {
		if gb == ga {
			break
		}
		c := (a*gb - b*ga) / (gb - ga)
		if math.Abs(b-a) <= 1e-12*math.Max(1, math.Abs(b)) {
			break
		}
		gc := g(c)
		if gc == 0 {
			return c
		}
		if (gc > 0) == (gb > 0) {
			b, gb = c, gc
			if side == -1 {
				ga /= 2
			}
			side = -1
		} else {
			a, ga = c, gc
			if side == 1 {
				gb /= 2
			}
			side = 1
		}
	}
	return b
}

// Solve integrates y' = f from (t0, y0) and returns the states at the times in
// out (ascending, >= t0) with DOPRI5, and the located event crossings.
func Solve(f Func, t0 float64, y0, out []float64, opts Options) (*Solution, error) {
	s := NewDopri5(f, len(y0), opts)
	s.Reset(t0, y0)
	return solveWith(s, out)
}

// Solution holds the states at the requested output times.
type Solution struct {
	T         []float64
	Y         [][]float64
	Crossings []Crossing
	Stats     Stats
}

func solveWith(s *Dopri5, out []float64) (*Solution, error) {
	sol := &Solution{}
	emit := func(i int, t float64, y []float64) {
		sol.T = append(sol.T, t)
		sol.Y = append(sol.Y, append([]float64(nil), y...))
	}
	tEnd := s.T
	if len(out) > 0 {
		tEnd = out[len(out)-1]
	}
	c, err := s.Integrate(tEnd, out, emit, func(c Crossing) { sol.Crossings = append(sol.Crossings, c) })
	sol.Stats = s.Stats
	if err == nil && c != nil {
		sol.Crossings = append(sol.Crossings, *c) // the terminal one, where the solve stopped
	}
	return sol, err
}

// Component returns state i at every output time.
func (s *Solution) Component(i int) []float64 {
	out := make([]float64, len(s.Y))
	for k, y := range s.Y {
		out[k] = y[i]
	}
	return out
}
