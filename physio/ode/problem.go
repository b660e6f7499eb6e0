package ode

import (
	"errors"
	"fmt"
	"math"
)

// Func evaluates the right-hand side: dydt = f(t, y). It must not keep y or dydt.
type Func func(t float64, y, dydt []float64)

// JacFunc fills the Jacobian ∂f/∂y (row i, column j: ∂f_i/∂y_j) into jac, a
// row-major n×n slice.
type JacFunc func(t float64, y []float64, jac []float64)

// Event is a function of the state whose zero crossings are located on the
// solver's dense output (a threshold such as lactate − 4 mmol/L).
type Event struct {
	G func(t float64, y []float64) float64
	// Direction: +1 only rising crossings, -1 only falling, 0 both.
	Direction int
	// Terminal stops the integration at the crossing.
	Terminal bool
}

// Crossing is one located event.
type Crossing struct {
	Index int // which Event
	T     float64
	Y     []float64
}

// Options control a solve.
type Options struct {
	RTol, ATol float64 // relative and absolute tolerances (defaults 1e-6, 1e-9)
	H0         float64 // first step (0: chosen automatically)
	HMax       float64 // largest step (0: unbounded)
	MaxSteps   int     // default 100000 per Solve call
	Events     []Event
	Jac        JacFunc // analytic Jacobian for stiff solvers (nil: finite differences)
}

func (o Options) withDefaults() Options {
	if o.RTol <= 0 {
		o.RTol = 1e-6
	}
	if o.ATol <= 0 {
		o.ATol = 1e-9
	}
	if o.MaxSteps <= 0 {
		o.MaxSteps = 100000
	}
	return o
}

// Stats counts the work a solver did.
type Stats struct {
	Steps, Rejected, RHS, Jac, LU int
}

// Add accumulates s into a.
func (a *Stats) Add(s Stats) {
	a.Steps += s.Steps
	a.Rejected += s.Rejected
	a.RHS += s.RHS
	a.Jac += s.Jac
	a.LU += s.LU
}

// Errors a solve can return.
var (
	ErrStepUnderflow = errors.New("ode: step size underflow (the problem may be stiff or singular; try the stiff solver)")
	ErrNonFinite     = errors.New("ode: state became NaN or infinite")
	ErrTooManySteps  = errors.New("ode: too many steps (raise MaxSteps or loosen the tolerances)")
)

// SolveError wraps an error with the time it happened.
type SolveError struct {
	T   float64
	Err error
}

func (e *SolveError) Error() string { return fmt.Sprintf("%v at t=%g", e.Err, e.T) }
func (e *SolveError) Unwrap() error { return e.Err }

func finite(y []float64) bool {
	for _, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// errNorm is the weighted RMS norm of the error estimate (Hairer et al. 1993, eq. II.4.11).
func errNorm(e, y0, y1 []float64, rtol, atol float64) float64 {
	s := 0.0
	for i := range e {
		sc := atol + rtol*math.Max(math.Abs(y0[i]), math.Abs(y1[i]))
		r := e[i] / sc
		s += r * r
	}
	return math.Sqrt(s / float64(len(e)))
}

// initialStep chooses a first step (Hairer et al. 1993, §II.4, "starting step size").
func initialStep(f Func, t float64, y, f0 []float64, order int, rtol, atol, dir float64, work []float64, st *Stats) float64 {
	n := len(y)
	d0, d1 := 0.0, 0.0
	for i := 0; i < n; i++ {
		sc := atol + rtol*math.Abs(y[i])
		d0 += (y[i] / sc) * (y[i] / sc)
		d1 += (f0[i] / sc) * (f0[i] / sc)
	}
	d0, d1 = math.Sqrt(d0/float64(n)), math.Sqrt(d1/float64(n))
	h0 := 1e-6
	if d0 >= 1e-5 && d1 >= 1e-5 {
		h0 = 0.01 * d0 / d1
	}
	y1 := work[:n]
	f1 := work[n : 2*n]
	for i := range y1 {
		y1[i] = y[i] + dir*h0*f0[i]
	}
	f(t+dir*h0, y1, f1)
	st.RHS++
	d2 := 0.0
	for i := 0; i < n; i++ {
		sc := atol + rtol*math.Abs(y[i])
		d := (f1[i] - f0[i]) / sc
		d2 += d * d
	}
	d2 = math.Sqrt(d2/float64(n)) / h0
	var h1 float64
	if math.Max(d1, d2) <= 1e-15 {
		h1 = math.Max(1e-6, h0*1e-3)
	} else {
		h1 = math.Pow(0.01/math.Max(d1, d2), 1/float64(order+1))
	}
	return math.Min(100*h0, h1)
}

// arena returns a function that hands out count slices of length n, one after
// another, from a single allocation (a solver's work arrays).
func arena(n, count int) func() []float64 {
	buf := make([]float64, count*n)
	return func() []float64 { b := buf[:n:n]; buf = buf[n:]; return b }
}

var (
	errBackwards = errors.New("ode: integration backwards in time is not supported")
	errNoStates  = errors.New("ode: the system has no states")
)

// firstOutput skips the output times before t, emits those at t, and returns
// the index of the first output still to come.
func firstOutput(outTimes []float64, t float64, y []float64, emit func(i int, t float64, y []float64)) int {
	oi := 0
	for oi < len(outTimes) && outTimes[oi] < t {
		oi++
	}
	for oi < len(outTimes) && outTimes[oi] == t {
		emit(oi, t, y)
		oi++
	}
	return oi
}

// tinyInterval reports whether [t, tEnd] is below the step-size resolution (a
// rounding artefact of the caller's clock); then y takes one explicit Euler
// step with the derivative f, and the outputs up to tEnd are emitted.
func tinyInterval(t, tEnd float64, y, f, outTimes []float64, oi int, emit func(i int, t float64, y []float64)) bool {
	if !isTiny(t, tEnd) {
		return false
	}
	d := tEnd - t
	for i := range y {
		y[i] += d * f[i]
	}
	for oi < len(outTimes) && outTimes[oi] <= tEnd {
		emit(oi, tEnd, y)
		oi++
	}
	return true
}

// isTiny reports whether [t, tEnd] is below the step-size resolution.
func isTiny(t, tEnd float64) bool { return tEnd-t <= 1e-13*math.Max(1, math.Abs(t)) }

// clipStep returns the step to try from t: the proposed h bounded by HMax and
// stretched or cut to land on tEnd when within 1% of it (last), or
// ErrStepUnderflow below the resolution of t.
func clipStep(o *Options, t, h, tEnd float64) (float64, bool, error) {
	if o.HMax > 0 && h > o.HMax {
		h = o.HMax
	}
	last := false
	if t+h >= tEnd || t+1.01*h >= tEnd {
		h = tEnd - t
		last = true
	}
	if h <= 1e-14*math.Max(1, math.Abs(t)) {
		return h, last, &SolveError{t, ErrStepUnderflow}
	}
	return h, last, nil
}

// emitStep emits the output times from index oi up to tStop for a step that
// ended at tNew with state yNew (stopped: an event ended it early at tStop):
// an output at tNew gets yNew itself, the others the dense output, evaluated
// into tmp. It returns the index of the first output still to come.
func emitStep(outTimes []float64, oi int, tNew, tStop float64, stopped bool, yNew, tmp []float64,
	dense func(t float64, out []float64), emit func(i int, t float64, y []float64)) int {
	for oi < len(outTimes) && outTimes[oi] <= tStop {
		if outTimes[oi] == tNew && !stopped {
			emit(oi, tNew, yNew)
		} else {
			dense(outTimes[oi], tmp)
			emit(oi, outTimes[oi], tmp)
		}
		oi++
	}
	return oi
}

// firstStep returns the step to try first: Options.H0, or else the starting
// step of Hairer et al. for a method of the given order (f0 = f(t, y)).
func firstStep(o *Options, f Func, t float64, y, f0 []float64, order int, work []float64, st *Stats) (float64, error) {
	h := o.H0
	if h <= 0 {
		h = initialStep(f, t, y, f0, order, o.RTol, o.ATol, 1, work, st)
	}
	if !(h > 0) {
		return 0, &SolveError{t, ErrNonFinite}
	}
	return h, nil
}

// eventValues returns each event function at (t, y): the signs that the
// first step's crossings are judged against.
func eventValues(events []Event, t float64, y []float64) []float64 {
	g := make([]float64, len(events))
	for i, ev := range events {
		g[i] = ev.G(t, y)
	}
	return g
}
