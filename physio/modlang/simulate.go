package modlang

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/medtwin/medtwin/physio/ode"
	"github.com/medtwin/medtwin/physio/pk"
)

// Dose is a dosing record in NONMEM's terms (times in the model's time unit).
type Dose struct {
	Time float64 // TIME
	Amt  float64 // AMT, in the unit of the dosed state
	// Cmt names the dosed state ("" : the first state).
	Cmt string
	// Rate is 0 for a bolus, a positive infusion rate (amount per time
	// unit), RateModel for the model's R(cmt) or DurModel for an infusion
	// over the model's D(cmt) (NONMEM's RATE = −1 and −2).
	Rate float64
	II   float64 // interdose interval for ADDL and SS
	ADDL int     // additional doses every II after the first
	// SS is NONMEM's steady-state flag: 0 none; 1 resets the state, at
	// TIME, to the steady state of the regimen (Amt every II, with the
	// model's F, ALAG and rate) just before its dose, ending the infusions
	// running; 2 adds that steady state to the state. The record's own dose
	// and its ADDL doses follow, as NONMEM gives them. At equal times SS
	// records come before the other events.
	SS int
	// Source names the record in errors (e.g. "doses.csv line 4"; "":
	// "dose N").
	Source string
}

// name is how errors name the i-th record.
func (d Dose) name(i int) string {
	if d.Source != "" {
		return d.Source
	}
	return fmt.Sprintf("dose %d", i+1)
}

// RATE codes that take the infusion from the model.
const (
	RateModel = -1
	DurModel  = -2
)

// Path selects how Simulate solves the model.
type Path int

const (
	// Auto takes the exact path for a linear model and the Taylor path
	// otherwise.
	Auto Path = iota
	// Exact propagates dy/dt = K·y + r with matrix exponentials (linear
	// models only).
	Exact
	// TaylorPath integrates with ode.Taylor on the model's jet.
	TaylorPath
	// Dopri5Path integrates with ode.Dopri5.
	Dopri5Path
	// Radau5Path integrates with ode.Radau5 and the model's Jacobian (stiff).
	Radau5Path
)

// SimOptions control Simulate.
type SimOptions struct {
	Path       Path
	RTol, ATol float64 // defaults 1e-10, 1e-12
}

// event is a steady-state record (kind 0), a bolus (kind 2) or a change of
// an infusion rate (1: end, 3: start).
type event struct {
	t     float64
	kind  int
	idx   int
	amt   float64 // a bolus's amount after F; a steady state's AMT before F
	rate  float64
	order int
	inf   int // an infusion's start and end share it
	ss    int // kind 0: SS = 1 or 2
	ii    float64
	rec   int // kind 0: the record
}

// events expands the records: ADDL repeated, F and ALAG applied, RATE −1/−2
// resolved from the model; at equal times steady-state records come first,
// then infusions end, then boluses, then infusion starts (as physio/pk).
func (in *Instance) events(doses []Dose) ([]event, error) {
	var evs []event
	for i, d := range doses {
		idx := 0
		if d.Cmt != "" {
			if idx = in.M.StateIndex(d.Cmt); idx < 0 {
				var names []string
				for _, s := range in.M.Spec.States {
					names = append(names, s.Name)
				}
				return nil, fmt.Errorf("model %s: %s: no state %q%s", in.M.Spec.Name, d.name(i), d.Cmt, suggest(d.Cmt, names))
			}
		}
		switch {
		case !(d.Amt >= 0) || math.IsInf(d.Amt, 0) || math.IsNaN(d.Time) || math.IsInf(d.Time, 0):
			return nil, fmt.Errorf("model %s: %s: AMT must be >= 0 and TIME finite", in.M.Spec.Name, d.name(i))
		case d.ADDL < 0 || d.ADDL > 0 && !(d.II > 0):
			return nil, fmt.Errorf("model %s: %s: ADDL = %d needs II > 0 (got %v)", in.M.Spec.Name, d.name(i), d.ADDL, d.II)
		case d.Rate < 0 && d.Rate != RateModel && d.Rate != DurModel:
			return nil, fmt.Errorf("model %s: %s: RATE must be >= 0, -1 (the model's R) or -2 (its D), got %v", in.M.Spec.Name, d.name(i), d.Rate)
		case d.SS < 0 || d.SS > 2:
			return nil, fmt.Errorf("model %s: %s: SS must be 0, 1 or 2, got %d", in.M.Spec.Name, d.name(i), d.SS)
		}
		f, lag := in.bioavail(idx), in.lagTime(idx)
		amt := d.Amt * f
		rate := d.Rate
		switch rate {
		case RateModel, DurModel:
			k, name := DoseR, "R"
			if rate == DurModel {
				k, name = DoseD, "D"
			}
			v, ok := in.Dose(idx, k)
			if !ok || !(v > 0) {
				return nil, fmt.Errorf("model %s: %s: RATE = %v needs %s(%s) > 0 in the model, got %v", in.M.Spec.Name, d.name(i), d.Rate, name, in.M.Spec.States[idx].Name, v)
			}
			rate = v
			if k == DoseD {
				rate = amt / v
			}
		}
		if d.SS > 0 {
			evs = append(evs, event{t: d.Time, kind: 0, idx: idx, amt: d.Amt, rate: rate, order: len(evs), ss: d.SS, ii: d.II, rec: i})
		}
		for k := 0; k <= d.ADDL; k++ {
			t := d.Time + float64(k)*d.II + lag
			if rate > 0 {
				evs = append(evs, event{t: t, kind: 3, idx: idx, rate: rate, order: len(evs), inf: len(evs)},
					event{t: t + amt/rate, kind: 1, idx: idx, rate: rate, order: len(evs) + 1, inf: len(evs)})
			} else {
				evs = append(evs, event{t: t, kind: 2, idx: idx, amt: amt, order: len(evs)})
			}
		}
	}
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].t != evs[j].t {
			return evs[i].t < evs[j].t
		}
		if evs[i].kind != evs[j].kind {
			return evs[i].kind < evs[j].kind
		}
		return evs[i].order < evs[j].order
	})
	return evs, nil
}

// propagator advances the state over an interval without events.
type propagator interface {
	advance(y []float64, t0, t1 float64, outs []float64, emit func(i int, t float64, y []float64)) error
}

// Simulate solves the model from its initial state through the doses and
// calls emit(i, t, y) with the state at each output time (ascending; a dose
// at an output time is given before the output).
func (in *Instance) Simulate(doses []Dose, times []float64, o SimOptions, emit func(i int, t float64, y []float64)) error {
	return in.simulateFrom(nil, doses, times, o, emit)
}

// simulateFrom is Simulate from the state y0 at time 0 (nil: the model's
// initial state).
func (in *Instance) simulateFrom(y0 []float64, doses []Dose, times []float64, o SimOptions, emit func(i int, t float64, y []float64)) error {
	m := in.M
	for i := 1; i < len(times); i++ {
		if !(times[i] >= times[i-1]) {
			return fmt.Errorf("model %s: output times must be ascending (time %d is %v after %v)", m.Spec.Name, i+1, times[i], times[i-1])
		}
	}
	if o.RTol <= 0 {
		o.RTol = 1e-10
	}
	if o.ATol <= 0 {
		o.ATol = 1e-12
	}
	path := o.Path
	if path == Auto {
		path = TaylorPath
		if m.Linear() {
			path = Exact
		}
	}
	if path == Exact && !m.Linear() {
		return fmt.Errorf("model %s is not linear in its states with constant coefficients: the exact path does not apply", m.Spec.Name)
	}
	n := m.NumStates()
	r := make([]float64, n)
	in.SetRates(r)
	prop := in.propagator(path, o)
	evs, err := in.events(doses)
	if err != nil {
		return err
	}
	y := make([]float64, n)
	if y0 != nil {
		copy(y, y0)
	} else {
		in.Init(y)
	}
	t := 0.0
	if len(evs) > 0 && evs[0].t < t {
		t = evs[0].t
	}
	if len(times) > 0 && times[0] < t {
		t = times[0]
	}
	oi := 0
	emitAt := func(tt float64, st []float64) {
		for oi < len(times) && times[oi] == tt {
			emit(oi, tt, st)
			oi++
		}
	}
	advance := func(t1 float64) error {
		if t1 <= t {
			return nil
		}
		lo, hi := oi, oi
		for hi < len(times) && times[hi] < t1 {
			hi++
		}
		err := prop.advance(y, t, t1, times[lo:hi], func(i int, tt float64, st []float64) { emitAt(tt, st) })
		t0 := t
		t = t1
		if err != nil {
			var se *ode.SolveError
			if errors.As(err, &se) {
				t0 = se.T
			}
			if derr := in.diagnose(t0, t1, y); derr != nil {
				return derr
			}
			return fmt.Errorf("model %s: %w", m.Spec.Name, err)
		}
		return nil
	}
	// the infusions running (by inf) for a reset, as physio/pk
	var inf pk.Infusions
	for k, e := range evs {
		if err := advance(e.t); err != nil {
			return err
		}
		switch e.kind {
		case 0:
			ss, err := in.steadyState(e.idx, e.amt, e.rate, e.ii, path)
			if err != nil {
				return fmt.Errorf("%s (SS = %d): %w", doses[e.rec].name(e.rec), e.ss, err)
			}
			inf.SteadyState(e.ss, ss, y, r)
		case 1:
			if !inf.End(e.inf) {
				break
			}
			r[e.idx] -= e.rate
			if math.Abs(r[e.idx]) < 1e-12*e.rate {
				r[e.idx] = 0
			}
		case 2:
			y[e.idx] += e.amt
		case 3:
			inf.Start(e.inf)
			r[e.idx] += e.rate
		}
		in.SetRates(r)
		if k+1 == len(evs) || evs[k+1].t != e.t {
			emitAt(t, y)
		}
	}
	if len(times) > 0 {
		if err := advance(times[len(times)-1]); err != nil {
			return err
		}
		emitAt(t, y)
	}
	return nil
}

// propagator returns the instance's propagator for the path, made on first
// use and kept.
func (in *Instance) propagator(path Path, o SimOptions) propagator {
	n := in.M.NumStates()
	opts := ode.Options{RTol: o.RTol, ATol: o.ATol, MaxSteps: 1_000_000}
	switch path {
	case Exact:
		return newExactProp(in)
	case TaylorPath:
		s := ode.NewTaylor(in.Jet, n, 0, opts)
		return solverProp(func(t0 float64, y []float64) { s.Reset(t0, y) }, func(t1 float64, outs []float64, emit func(int, float64, []float64)) error {
			return s.Integrate(t1, outs, emit)
		}, s.Y)
	case Radau5Path:
		opts.Jac = in.Jacobian
		s := ode.NewRadau5(in.RHS, n, opts)
		return solverProp(s.Reset, s.Integrate, s.Y)
	default:
		s := ode.NewDopri5(in.RHS, n, opts)
		return solverProp(s.Reset, func(t1 float64, outs []float64, emit func(int, float64, []float64)) error {
			_, err := s.Integrate(t1, outs, emit, nil)
			return err
		}, s.Y)
	}
}

// odeProp restarts an integrator at each interval (every interval starts
// after a discontinuity).
type odeProp struct {
	reset     func(t0 float64, y []float64)
	integrate func(t1 float64, outs []float64, emit func(int, float64, []float64)) error
	state     []float64
}

func solverProp(reset func(float64, []float64), integrate func(float64, []float64, func(int, float64, []float64)) error, state []float64) *odeProp {
	return &odeProp{reset, integrate, state}
}

func (p *odeProp) advance(y []float64, t0, t1 float64, outs []float64, emit func(int, float64, []float64)) error {
	p.reset(t0, y)
	err := p.integrate(t1, outs, emit)
	copy(y, p.state)
	return err
}

// diagnose looks for the equation that made an integration fail at t0 with
// state y: the derivative at (t0, y), then along the Euler line
// y + (τ − t0)·f(t0, y) at times τ towards t1 (a derivative that turns NaN
// just ahead of the last accepted state, such as a square root of a state
// about to go negative). It returns CheckFinite's error for the first
// non-finite derivative, or nil.
func (in *Instance) diagnose(t0, t1 float64, y []float64) error {
	if err := in.CheckFinite(t0, y); err != nil {
		return err
	}
	n := len(y)
	f, z := make([]float64, n), make([]float64, n)
	in.RHS(t0, y, f)
	for k := 1; k <= 40; k++ {
		tau := t0 + (t1-t0)*math.Pow(2, float64(k-40))
		for i := range z {
			z[i] = y[i] + (tau-t0)*f[i]
		}
		if err := in.CheckFinite(tau, z); err != nil {
			return err
		}
	}
	return nil
}
