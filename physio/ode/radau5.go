package ode

import (
	"errors"
	"math"
)

// Radau5 integrates stiff systems with the implicit Runge–Kutta method Radau
// IIA of order 5 (three stages, stiffly accurate, L-stable), after Hairer &
// Wanner's code RADAU5 (Hairer & Wanner 1996, Solving ODEs II, §IV.8, and
// radau5.f of 1996): the stage equations are solved by a simplified Newton
// iteration in the variables transformed by T⁻¹ (one real n×n and one
// complex n×n system, eq. IV.8.15–8.16), with starting values extrapolated
// from the previous step's collocation polynomial, the convergence rate θ
// watched to stop early (IV.8.10–8.11), the embedded error estimate
// (I − γ₀hJ)⁻¹·(γ₀h·f(y₀) + e₁z₁ + e₂z₂ + e₃z₃) of IV.8.19–8.20 and
// Gustafsson's predictive step-size controller (IV.8.25). The Jacobian is
// Options.Jac (a model's, from automatic differentiation) or forward
// differences; it is reused while Newton converges fast (θ ≤ 0.001) and the
// step changes little. The collocation polynomial is the dense output.
// Events are not located: use Rosenbrock23 for those.
type Radau5 struct {
	F     Func
	Opts  Options
	T     float64
	Y     []float64
	Stats Stats

	n             int
	h, hold       float64
	first         bool
	z1, z2, z3    []float64
	f1, f2, f3    []float64
	a1, a2, a3    []float64
	f0, scal, tmp []float64
	cont          [4][]float64 // the collocation polynomial of the last step
	jac           []float64
	e1            []float64
	e2            []complex128
	b2            []complex128
	piv1, piv2    []int
	luH           float64 // the step E1 and E2 are factorised for (NaN: none)
	hacc, erracc  float64
	faccon        float64
}

// Radau IIA coefficients and the transformation T that block-diagonalises
// A⁻¹ (radau5.f, subroutine RADCOR; Hairer & Wanner 1996, §IV.8).
var (
	rdSq6                = math.Sqrt(6)
	rdC1                 = (4 - rdSq6) / 10
	rdC2                 = (4 + rdSq6) / 10
	rdC1M1               = rdC1 - 1
	rdC2M1               = rdC2 - 1
	rdC1C2               = rdC1 - rdC2
	rdDD1                = -(13 + 7*rdSq6) / 3
	rdDD2                = (-13 + 7*rdSq6) / 3
	rdDD3                = -1.0 / 3
	rdU1, rdAlph, rdBeta = func() (float64, float64, float64) {
		c81, c9 := math.Cbrt(81), math.Cbrt(9)
		u1 := (6 + c81 - c9) / 30
		alph := (12 - c81 + c9) / 60
		beta := (c81 + c9) * math.Sqrt(3) / 60
		cno := alph*alph + beta*beta
		return 1 / u1, alph / cno, beta / cno
	}()
)

const (
	rdT11  = 9.1232394870892942792e-02
	rdT12  = -0.14125529502095420843
	rdT13  = -3.0029194105147424492e-02
	rdT21  = 0.24171793270710701896
	rdT22  = 0.20412935229379993199
	rdT23  = 0.38294211275726193779
	rdT31  = 0.96604818261509293619
	rdTI11 = 4.3255798900631553510
	rdTI12 = 0.33919925181580986954
	rdTI13 = 0.54177053993587487119
	rdTI21 = -4.1787185915519047273
	rdTI22 = -0.32768282076106238708
	rdTI23 = 0.47662355450055045196
	rdTI31 = -0.50287263494578687595
	rdTI32 = 2.5719269498556054292
	rdTI33 = -0.59603920482822492497

	rdNit    = 7     // Newton iterations at most
	rdThet   = 0.001 // reuse the Jacobian below this convergence rate
	rdSafe   = 0.9
	rdFacL   = 5.0 // h shrinks at most by 5 ...
	rdFacR   = 0.125
	rdQuot1  = 1.0 // ... and is kept (no new LU) for a proposed change within [1, 1.2]
	rdQuot2  = 1.2
	rdURound = 2.220446049250313e-16
)

var errRadauEvents = errors.New("ode: Radau5 does not locate events (use Rosenbrock23)")

// NewRadau5 returns a Radau IIA integrator for an n-dimensional system.
func NewRadau5(f Func, n int, opts Options) *Radau5 {
	s := &Radau5{F: f, Opts: opts.withDefaults(), n: n, first: true, luH: math.NaN(), faccon: 1}
	a := arena(n, 14)
	s.Y, s.z1, s.z2, s.z3, s.f1, s.f2, s.f3 = a(), a(), a(), a(), a(), a(), a()
	s.a1, s.a2, s.a3, s.f0, s.scal, s.tmp = a(), a(), a(), a(), a(), a()
	s.cont[0] = a()
	s.cont[1], s.cont[2], s.cont[3] = make([]float64, n), make([]float64, n), make([]float64, n)
	s.jac = make([]float64, n*n)
	s.e1 = make([]float64, n*n)
	s.e2 = make([]complex128, n*n)
	s.b2 = make([]complex128, n)
	s.piv1, s.piv2 = make([]int, n), make([]int, n)
	return s
}

// Reset restarts the integration at (t, y) after a discontinuity; the step
// size learnt so far is kept.
func (s *Radau5) Reset(t float64, y []float64) {
	s.T = t
	copy(s.Y, y)
	s.first = true
	s.luH = math.NaN()
}

// Dense evaluates the last step's collocation polynomial at t.
func (s *Radau5) Dense(t float64, out []float64) {
	x := (t - s.T) / s.hold
	c0, c1, c2, c3 := s.cont[0], s.cont[1], s.cont[2], s.cont[3]
	for i := range out {
		out[i] = c0[i] + x*(c1[i]+(x-rdC2M1)*(c2[i]+(x-rdC1M1)*c3[i]))
	}
}

func (s *Radau5) jacobian(t float64, y []float64) {
	s.Stats.Jac++
	s.luH = math.NaN()
	if s.Opts.Jac != nil {
		s.Opts.Jac(t, y, s.jac)
		return
	}
	n := s.n
	for j := 0; j < n; j++ {
		yj := y[j]
		d := math.Sqrt(rdURound * math.Max(1e-5, math.Abs(yj)))
		y[j] = yj + d
		s.F(t, y, s.tmp)
		s.Stats.RHS++
		y[j] = yj
		for i := 0; i < n; i++ {
			s.jac[i*n+j] = (s.tmp[i] - s.f0[i]) / d
		}
	}
}

// factor forms and factorises E1 = (γ/h)·I − J and E2 = ((α+iβ)/h)·I − J.
func (s *Radau5) factor(h float64) bool {
	n := s.n
	fac1 := rdU1 / h
	c := complex(rdAlph/h, rdBeta/h)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v := -s.jac[i*n+j]
			s.e1[i*n+j] = v
			s.e2[i*n+j] = complex(v, 0)
		}
		s.e1[i*n+i] += fac1
		s.e2[i*n+i] += c
	}
	s.Stats.LU++
	s.luH = h
	return luFactor(s.e1, n, s.piv1) && luFactor(s.e2, n, s.piv2)
}

// Integrate advances from (T, Y) to tEnd, calling emit for each output time
// (ascending) with the collocation polynomial evaluated there.
func (s *Radau5) Integrate(tEnd float64, outTimes []float64, emit func(i int, t float64, y []float64)) error {
	o := &s.Opts
	n := s.n
	if n < 1 {
		return &SolveError{s.T, errNoStates}
	}
	if len(o.Events) > 0 {
		return &SolveError{s.T, errRadauEvents}
	}
	oi := firstOutput(outTimes, s.T, s.Y, emit)
	if tEnd <= s.T {
		return nil
	}
	// the tolerances are those of radau5.f: rtol' = 0.1·rtol^(2/3), with
	// atol scaled alike (the error estimate is of a lower order)
	rtol := 0.1 * math.Pow(o.RTol, 2.0/3)
	atol := rtol * o.ATol / o.RTol
	fnewt := math.Max(10*rdURound/rtol, math.Min(0.03, math.Sqrt(rtol)))
	y := s.Y
	s.F(s.T, y, s.f0)
	s.Stats.RHS++
	if !finite(s.f0) || !finite(y) {
		return &SolveError{s.T, ErrNonFinite}
	}
	if tinyInterval(s.T, tEnd, y, s.f0, outTimes, oi, emit) {
		s.T = tEnd
		return nil
	}
	if s.h == 0 {
		h, err := firstStep(o, s.F, s.T, y, s.f0, 5, make([]float64, 2*n), &s.Stats)
		if err != nil {
			return err
		}
		s.h = h
	}
	setScal := func() {
		for i, v := range y {
			s.scal[i] = atol + rtol*math.Abs(v)
		}
	}
	setScal()
	h := s.h
	needJac, calJac, reject := true, false, false
	theta := rdThet
	for steps := 0; ; steps++ {
		if steps >= o.MaxSteps {
			return &SolveError{s.T, ErrTooManySteps}
		}
		t := s.T
		if needJac {
			s.jacobian(t, y)
			needJac, calJac = false, true
		}
		hc, last, err := clipStep(o, t, h, tEnd)
		if err != nil {
			return err
		}
		h = hc
		if h != s.luH && !s.factor(h) {
			// singular: halve the step (radau5.f, label 78)
			h *= 0.5
			s.Stats.Rejected++
			needJac, reject = !calJac, true
			continue
		}
		fac1, alphn, betan := rdU1/h, rdAlph/h, rdBeta/h
		// starting values
		if s.first {
			for i := 0; i < n; i++ {
				s.z1[i], s.z2[i], s.z3[i], s.f1[i], s.f2[i], s.f3[i] = 0, 0, 0, 0, 0, 0
			}
		} else {
			c3q := h / s.hold
			c1q, c2q := rdC1*c3q, rdC2*c3q
			for i := 0; i < n; i++ {
				ak1, ak2, ak3 := s.cont[1][i], s.cont[2][i], s.cont[3][i]
				z1 := c1q * (ak1 + (c1q-rdC2M1)*(ak2+(c1q-rdC1M1)*ak3))
				z2 := c2q * (ak1 + (c2q-rdC2M1)*(ak2+(c2q-rdC1M1)*ak3))
				z3 := c3q * (ak1 + (c3q-rdC2M1)*(ak2+(c3q-rdC1M1)*ak3))
				s.z1[i], s.z2[i], s.z3[i] = z1, z2, z3
				s.f1[i] = rdTI11*z1 + rdTI12*z2 + rdTI13*z3
				s.f2[i] = rdTI21*z1 + rdTI22*z2 + rdTI23*z3
				s.f3[i] = rdTI31*z1 + rdTI32*z2 + rdTI33*z3
			}
		}
		// simplified Newton iteration
		s.faccon = math.Pow(math.Max(s.faccon, rdURound), 0.8)
		theta = rdThet
		newt := 0
		var dynold, thqold float64
		converged, shrink := false, 0.0
		for {
			if newt >= rdNit {
				break
			}
			for i := 0; i < n; i++ {
				s.tmp[i] = y[i] + s.z1[i]
			}
			s.F(t+rdC1*h, s.tmp, s.a1)
			for i := 0; i < n; i++ {
				s.tmp[i] = y[i] + s.z2[i]
			}
			s.F(t+rdC2*h, s.tmp, s.a2)
			for i := 0; i < n; i++ {
				s.tmp[i] = y[i] + s.z3[i]
			}
			s.F(t+h, s.tmp, s.a3)
			s.Stats.RHS += 3
			for i := 0; i < n; i++ {
				a1, a2, a3 := s.a1[i], s.a2[i], s.a3[i]
				z1 := rdTI11*a1 + rdTI12*a2 + rdTI13*a3
				z2 := rdTI21*a1 + rdTI22*a2 + rdTI23*a3
				z3 := rdTI31*a1 + rdTI32*a2 + rdTI33*a3
				s2, s3 := -s.f2[i], -s.f3[i]
				s.z1[i] = z1 - s.f1[i]*fac1
				s.b2[i] = complex(z2+s2*alphn-s3*betan, z3+s3*alphn+s2*betan)
			}
			luSolve(s.e1, n, s.piv1, s.z1)
			luSolve(s.e2, n, s.piv2, s.b2)
			newt++
			dyno := 0.0
			for i := 0; i < n; i++ {
				s.z2[i], s.z3[i] = real(s.b2[i]), imag(s.b2[i])
				d1, d2, d3 := s.z1[i]/s.scal[i], s.z2[i]/s.scal[i], s.z3[i]/s.scal[i]
				dyno += d1*d1 + d2*d2 + d3*d3
			}
			dyno = math.Sqrt(dyno / float64(3*n))
			if math.IsNaN(dyno) || math.IsInf(dyno, 0) {
				break
			}
			if newt > 1 && newt < rdNit {
				thq := dyno / dynold
				if newt == 2 {
					theta = thq
				} else {
					theta = math.Sqrt(thq * thqold)
				}
				thqold = thq
				if theta >= 0.99 {
					break
				}
				s.faccon = theta / (1 - theta)
				dyth := s.faccon * dyno * math.Pow(theta, float64(rdNit-1-newt)) / fnewt
				if dyth >= 1 {
					// too slow to converge within rdNit: a smaller step
					qnewt := math.Max(1e-4, math.Min(20, dyth))
					shrink = 0.8 * math.Pow(qnewt, -1/(4+float64(rdNit-1-newt)))
					break
				}
			}
			dynold = math.Max(dyno, rdURound)
			for i := 0; i < n; i++ {
				f1 := s.f1[i] + s.z1[i]
				f2 := s.f2[i] + s.z2[i]
				f3 := s.f3[i] + s.z3[i]
				s.f1[i], s.f2[i], s.f3[i] = f1, f2, f3
				s.z1[i] = rdT11*f1 + rdT12*f2 + rdT13*f3
				s.z2[i] = rdT21*f1 + rdT22*f2 + rdT23*f3
				s.z3[i] = rdT31*f1 + f2
			}
			if s.faccon*dyno <= fnewt {
				converged = true
				break
			}
		}
		if !converged {
			if shrink == 0 {
				shrink = 0.5 // no convergence (radau5.f, label 78)
			}
			h *= shrink
			s.Stats.Rejected++
			needJac, reject = !calJac, true
			continue
		}
		// error estimate
		hee1, hee2, hee3 := rdDD1/h, rdDD2/h, rdDD3/h
		for i := 0; i < n; i++ {
			s.f2[i] = hee1*s.z1[i] + hee2*s.z2[i] + hee3*s.z3[i]
			s.tmp[i] = s.f2[i] + s.f0[i]
		}
		luSolve(s.e1, n, s.piv1, s.tmp)
		errNrm := s.norm(s.tmp)
		if errNrm >= 1 && (s.first || reject) {
			// a second, filtered estimate (IV.8.21)
			for i := 0; i < n; i++ {
				s.a1[i] = y[i] + s.tmp[i]
			}
			s.F(t, s.a1, s.a2)
			s.Stats.RHS++
			for i := 0; i < n; i++ {
				s.tmp[i] = s.a2[i] + s.f2[i]
			}
			luSolve(s.e1, n, s.piv1, s.tmp)
			errNrm = s.norm(s.tmp)
		}
		fac := math.Min(rdSafe, rdSafe*(1+2*rdNit)/float64(newt+2*rdNit))
		quot := math.Max(rdFacR, math.Min(rdFacL, math.Pow(errNrm, 0.25)/fac))
		hnew := h / quot
		if !(errNrm < 1) {
			s.Stats.Rejected++
			reject = true
			if s.first {
				h *= 0.1
			} else {
				h = hnew
			}
			needJac = !calJac
			continue
		}
		// accepted
		if !s.first {
			// Gustafsson's predictive controller
			facgus := (s.hacc / h) * math.Pow(errNrm*errNrm/s.erracc, 0.25) / rdSafe
			facgus = math.Max(rdFacR, math.Min(rdFacL, facgus))
			quot = math.Max(quot, facgus)
			hnew = h / quot
		}
		s.hacc, s.erracc = h, math.Max(1e-2, errNrm)
		s.first = false
		s.Stats.Steps++
		tNew := t + h
		if last {
			tNew = tEnd
		}
		for i := 0; i < n; i++ {
			y[i] += s.z3[i]
			z1, z2, z3 := s.z1[i], s.z2[i], s.z3[i]
			c1 := (z2 - z3) / rdC2M1
			ak := (z1 - z2) / rdC1C2
			acont3 := (ak - z1/rdC1) / rdC2
			c2 := (ak - c1) / rdC1M1
			s.cont[0][i], s.cont[1][i], s.cont[2][i], s.cont[3][i] = y[i], c1, c2, c2-acont3
		}
		s.hold = h
		s.T = tNew
		if !finite(y) {
			return &SolveError{tNew, ErrNonFinite}
		}
		for oi < len(outTimes) && outTimes[oi] <= tNew {
			if outTimes[oi] == tNew {
				emit(oi, tNew, y)
			} else {
				s.Dense(outTimes[oi], s.tmp)
				emit(oi, outTimes[oi], s.tmp)
			}
			oi++
		}
		setScal()
		s.F(tNew, y, s.f0)
		s.Stats.RHS++
		if o.HMax > 0 {
			hnew = math.Min(hnew, o.HMax)
		}
		if reject {
			hnew = math.Min(hnew, h)
		}
		reject, calJac = false, false
		if last {
			s.h = hnew
			return nil
		}
		if qt := hnew / h; theta <= rdThet && qt >= rdQuot1 && qt <= rdQuot2 {
			continue // keep h, the Jacobian and the factorisation
		}
		h = hnew
		needJac = theta > rdThet
	}
}

func (s *Radau5) norm(e []float64) float64 {
	v := 0.0
	for i, x := range e {
		r := x / s.scal[i]
		v += r * r
	}
	return math.Max(math.Sqrt(v/float64(s.n)), 1e-10)
}
