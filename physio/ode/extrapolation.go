package ode

import "math"

// Extrapolation integrates y' = f(t, y) with the Gragg–Bulirsch–Stoer method:
// the modified midpoint rule with Gragg's smoothing step on the step-number
// sequence 2, 4, 6, 8, ... (Deuflhard 1983), extrapolated to h → 0 in powers of
// h² by the Aitken–Neville scheme, with the order and step-size selection of
// Hairer's ODEX (Hairer, Nørsett & Wanner 1993, §II.9). Row j of the table has
// order 2j, so at tight tolerances (1e-8 and below) it takes far larger steps
// than DOPRI5. It has no dense output: outputs are hit by stepping to them.
type Extrapolation struct {
	F     Func
	Opts  Options
	T     float64
	Y     []float64
	Stats Stats

	n      int
	h      float64
	kTgt   int
	tab    [][]float64
	zA, zB []float64
	f0, fz []float64
	yn     []float64
	diff   []float64
	work   []float64
}

const exKMax = 8

var exSeq = [exKMax]int{2, 4, 6, 8, 10, 12, 14, 16}

// exWork[j] is the number of RHS evaluations to build rows 0..j.
var exWork = func() (w [exKMax]float64) {
	s := 1.0
	for j, nj := range exSeq {
		s += float64(nj)
		w[j] = s
	}
	return
}()

// NewExtrapolation returns an extrapolation integrator for an n-dimensional system.
func NewExtrapolation(f Func, n int, opts Options) *Extrapolation {
	s := &Extrapolation{F: f, Opts: opts.withDefaults(), n: n, kTgt: 4}
	s.tab = make([][]float64, exKMax)
	for i := range s.tab {
		s.tab[i] = make([]float64, n)
	}
	mk := func() []float64 { return make([]float64, n) }
	s.Y, s.zA, s.zB, s.f0, s.fz, s.yn, s.diff = mk(), mk(), mk(), mk(), mk(), mk(), mk()
	s.work = make([]float64, 2*n)
	return s
}

// Reset restarts at (t, y) after a discontinuity; the order is kept.
func (s *Extrapolation) Reset(t float64, y []float64) {
	s.T = t
	copy(s.Y, y)
	s.h = 0
}

// Step returns the step size the integrator would try next (0 if none yet).
func (s *Extrapolation) Step() float64 { return s.h }

// SetStep sets the next step size to try (after Reset, to keep the step
// learnt before a discontinuity that does not change the time scales).
func (s *Extrapolation) SetStep(h float64) { s.h = h }

// midpoint fills dst with the smoothed modified-midpoint result of nsub steps
// over [t, t+H] from y, using f0 = f(t, y).
func (s *Extrapolation) midpoint(t, H float64, nsub int, dst []float64) {
	n := s.n
	h := H / float64(nsub)
	a, b := s.zA, s.zB
	y := s.Y
	for i := 0; i < n; i++ {
		a[i] = y[i]
		b[i] = y[i] + h*s.f0[i]
	}
	for m := 1; m < nsub; m++ {
		s.F(t+float64(m)*h, b, s.fz)
		for i := 0; i < n; i++ {
			a[i], b[i] = b[i], a[i]+2*h*s.fz[i]
		}
	}
	s.F(t+H, b, s.fz)
	s.Stats.RHS += nsub
	for i := 0; i < n; i++ {
		dst[i] = 0.5 * (b[i] + a[i] + h*s.fz[i])
	}
}

// Integrate advances to tEnd, emitting the state at each output time (which the
// steps are made to land on).
func (s *Extrapolation) Integrate(tEnd float64, outTimes []float64, emit func(i int, t float64, y []float64)) error {
	o := &s.Opts
	oi := firstOutput(outTimes, s.T, s.Y, emit)
	if tEnd <= s.T {
		return nil
	}
	if isTiny(s.T, tEnd) {
		s.F(s.T, s.Y, s.f0)
		s.Stats.RHS++
		tinyInterval(s.T, tEnd, s.Y, s.f0, outTimes, oi, emit)
		s.T = tEnd
		return nil
	}
	steps := 0
	for s.T < tEnd {
		if steps >= o.MaxSteps {
			return &SolveError{s.T, ErrTooManySteps}
		}
		s.F(s.T, s.Y, s.f0)
		s.Stats.RHS++
		if !finite(s.f0) {
			return &SolveError{s.T, ErrNonFinite}
		}
		if s.h == 0 {
			s.h = o.H0
			if s.h <= 0 {
				s.h = 10 * initialStep(s.F, s.T, s.Y, s.f0, 2*s.kTgt, o.RTol, o.ATol, 1, s.work, &s.Stats)
			}
		}
		// land on the next output time or tEnd
		next := tEnd
		if oi < len(outTimes) && outTimes[oi] < next {
			next = outTimes[oi]
		}
		H := s.h
		if o.HMax > 0 && H > o.HMax {
			H = o.HMax
		}
		landed := false
		if s.T+H >= next*(1-1e-14) || s.T+1.01*H >= next {
			H = next - s.T
			landed = true
		}
		if H <= 1e-14*math.Max(1, math.Abs(s.T)) {
			return &SolveError{s.T, ErrStepUnderflow}
		}
		steps++
		accepted, kUsed := false, 0
		var errs [exKMax]float64
		limit := s.kTgt + 1
		if limit > exKMax-1 {
			limit = exKMax - 1
		}
		for j := 0; j <= limit; j++ {
			s.midpoint(s.T, H, exSeq[j], s.tab[j])
			// Aitken–Neville in h², in place: before row j, tab[m] holds
			// T[j−1][j−1−m]; afterwards tab[m] holds T[j][j−m].
			for k := 1; k <= j; k++ {
				r := float64(exSeq[j]) / float64(exSeq[j-k])
				den := 1 / (r*r - 1)
				for i := 0; i < s.n; i++ {
					s.tab[j-k][i] = s.tab[j-k+1][i] + (s.tab[j-k+1][i]-s.tab[j-k][i])*den
				}
			}
			if j == 0 {
				continue
			}
			// the error estimate is T[j][j] − T[j][j−1] = tab[0] − tab[1]
			for i := 0; i < s.n; i++ {
				s.diff[i] = s.tab[0][i] - s.tab[1][i]
			}
			errs[j] = errNorm(s.diff, s.Y, s.tab[0], o.RTol, o.ATol)
			if !finite(s.tab[0]) || math.IsNaN(errs[j]) {
				break
			}
			if errs[j] <= 1 {
				accepted, kUsed = true, j
				break
			}
		}
		// rows are rebuilt from scratch next time: tab[j] was overwritten above
		if !accepted {
			s.Stats.Rejected++
			e := errs[limit]
			if !(e > 1) || math.IsNaN(e) {
				e = 1e6
			}
			s.h = H * math.Max(0.02, 0.94*math.Pow(0.65/e, 1/float64(2*limit+1)))
			continue
		}
		s.Stats.Steps++
		copy(s.Y, s.tab[0])
		s.T += H
		if landed {
			s.T = next
		}
		for oi < len(outTimes) && outTimes[oi] <= s.T {
			emit(oi, s.T, s.Y)
			oi++
		}
		// next order and step: minimise work per unit step over rows kUsed−1, kUsed
		hOpt := func(j int) float64 {
			e := math.Max(errs[j], 1e-10)
			return H * math.Min(4, math.Max(0.02, 0.94*math.Pow(0.65/e, 1/float64(2*j+1))))
		}
		best, bestW := kUsed, exWork[kUsed]/hOpt(kUsed)
		if kUsed > 1 {
			if w := exWork[kUsed-1] / hOpt(kUsed-1); w < bestW*0.9 {
				best, bestW = kUsed-1, w
			}
		}
		hNext := hOpt(best)
		if best == kUsed && kUsed < exKMax-2 && kUsed >= s.kTgt {
			// converged at the target row: try one order higher next time
			hNext *= exWork[kUsed+1] / exWork[kUsed]
			best = kUsed + 1
		}
		s.kTgt = best
		if !landed || hNext > s.h {
			s.h = hNext
		}
	}
	return nil
}
