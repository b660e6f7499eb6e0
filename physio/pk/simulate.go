package pk

import (
	"fmt"
	"math"
	"sort"
)

// Path selects how a model is solved.
type Path int

const (
	// Exact propagates with matrix exponentials (the transition-matrix path;
	// linear models only).
	Exact Path = iota
	// ODE integrates the system with the model's integrator (Model.Integrator).
	ODE
)

// NaturalPath is the path a model is solved on by default: the exact
// transition-matrix path when it is linear, the ODE path (its Integrator and
// tolerances) with Michaelis–Menten elimination.
func (m Model) NaturalPath() Path {
	if m.Linear() {
		return Exact
	}
	return ODE
}

// event is one change of the inputs: a bolus, or a change of an infusion rate,
// or a steady-state marker.
type event struct {
	t     float64
	kind  int // 0 steady state, 1 infusion end, 2 bolus, 3 infusion start
	idx   int // state index
	amt   float64
	rate  float64
	order int
	ss    *Dose // for kind 0
	ssIdx int
}

// apply gives a bolus or changes an infusion rate (not a steady-state marker).
func (e event) apply(a, r []float64) {
	switch e.kind {
	case 1:
		r[e.idx] -= e.rate
		if math.Abs(r[e.idx]) < 1e-12*e.rate {
			r[e.idx] = 0 // the sum of starts and ends cancels to rounding
		}
	case 2:
		a[e.idx] += e.amt
	case 3:
		r[e.idx] += e.rate
	}
}

// propagator advances the state over an interval with constant infusion rates.
type propagator interface {
	// advance moves a from t0 to t1 under rates r; for each output time in outs
	// within (t0, t1] it calls emit with the state at that time.
	advance(a []float64, t0, t1 float64, r []float64, outs []float64, emit func(t float64, a []float64)) error
}

// events expands records into input events (ADDL repeated, lag and F applied).
func (m Model) events(doses []Dose) ([]event, error) {
	var evs []event
	order := 0
	for i, d := range doses {
		if err := d.check(m, i); err != nil {
			return nil, err
		}
		idx := m.cmtIndex(d.Cmt)
		if d.SS > 0 {
			dd := d
			evs = append(evs, event{t: d.Time, kind: 0, ss: &dd, ssIdx: i, order: order})
			order++
		}
		f, lag := m.bioavail(idx), m.lag(idx)
		for k := 0; k <= d.ADDL; k++ {
			t := d.Time + float64(k)*d.II + lag
			amt := d.Amt * f
			if d.Rate > 0 {
				dur := amt / d.Rate
				evs = append(evs, event{t: t, kind: 3, idx: idx, rate: d.Rate, order: order},
					event{t: t + dur, kind: 1, idx: idx, rate: d.Rate, order: order})
			} else {
				evs = append(evs, event{t: t, kind: 2, idx: idx, amt: amt, order: order})
			}
			order++
		}
	}
	sortEvents(evs)
	return evs, nil
}

// sortEvents orders events by time; at equal times steady state first, then
// infusions that end, then doses, each in record order.
func sortEvents(evs []event) {
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].t != evs[j].t {
			return evs[i].t < evs[j].t
		}
		if evs[i].kind != evs[j].kind {
			return evs[i].kind < evs[j].kind
		}
		return evs[i].order < evs[j].order
	})
}

// Simulate returns the central concentration (mg/L) at each time in times
// (ascending, hours). A dose at the same time as an output is given first.
func (m Model) Simulate(doses []Dose, times []float64, path Path) ([]float64, error) {
	out := make([]float64, len(times))
	err := m.SimulateStates(doses, times, path, func(i int, a []float64) { out[i] = m.Conc(a) })
	return out, err
}

// SimulateStates is Simulate reporting the whole state (amounts, mg) at each time.
func (m Model) SimulateStates(doses []Dose, times []float64, path Path, emit func(i int, a []float64)) error {
	if err := m.Validate(); err != nil {
		return err
	}
	for i := 1; i < len(times); i++ {
		if !(times[i] >= times[i-1]) {
			return fmt.Errorf("pk: output times must be ascending (time %d is %v after %v)", i+1, times[i], times[i-1])
		}
	}
	if path == Exact && !m.Linear() {
		return fmt.Errorf("pk: Michaelis–Menten elimination (VMax = %g mg/h) is nonlinear: the exact path does not apply; use the ODE path", m.P.VMax)
	}
	var prop propagator
	if path == ODE {
		prop = newODEProp(m)
	} else {
		prop = newExactProp(m)
	}
	evs, err := m.events(doses)
	if err != nil {
		return err
	}
	return m.run(prop, evs, times, emit)
}

func (m Model) run(prop propagator, evs []event, times []float64, emit func(i int, a []float64)) error {
	n := m.N()
	a := make([]float64, n)
	r := make([]float64, n)
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
			emit(oi, st)
			oi++
		}
	}
	advance := func(t1 float64) error {
		if t1 <= t {
			return nil
		}
		lo := oi
		hi := lo
		for hi < len(times) && times[hi] <= t1 {
			hi++
		}
		// outputs strictly inside (t, t1], except those at t1 are emitted after
		// the events at t1 (doses come first)
		inner := hi
		for inner > lo && times[inner-1] == t1 {
			inner--
		}
		err := prop.advance(a, t, t1, r, times[lo:inner], func(tt float64, st []float64) { emitAt(tt, st) })
		t = t1
		return err
	}
	// the infusions running (by event order) for a reset
	var inf Infusions
	for k := 0; k < len(evs); k++ {
		e := evs[k]
		if err := advance(e.t); err != nil {
			return err
		}
		switch e.kind {
		case 0:
			ss, err := m.steadyState(prop, *e.ss)
			if err != nil {
				return err
			}
			inf.SteadyState(e.ss.SS, ss, a, r)
		case 1:
			if inf.End(e.order) {
				e.apply(a, r)
			}
		case 3:
			inf.Start(e.order)
			e.apply(a, r)
		default:
			e.apply(a, r)
		}
		if k+1 == len(evs) || evs[k+1].t != e.t {
			emitAt(t, a)
		}
	}
	if len(times) > 0 {
		if err := advance(times[len(times)-1]); err != nil {
			return err
		}
		emitAt(t, a)
	}
	return nil
}

// oneInterval propagates state a over one dosing interval of the regimen d
// (a single dose at the interval's start, given after its lag).
func (m Model) oneInterval(prop propagator, d Dose, a []float64) error {
	single := d
	single.ADDL, single.SS, single.Time = 0, 0, 0
	evs, err := m.events([]Dose{single})
	if err != nil {
		return err
	}
	n := m.N()
	r := make([]float64, n)
	t := 0.0
	for _, e := range evs {
		if e.t > t {
			if err := prop.advance(a, t, e.t, r, nil, nil); err != nil {
				return err
			}
			t = e.t
		}
		e.apply(a, r)
	}
	if d.II > t {
		return prop.advance(a, t, d.II, r, nil, nil)
	}
	return nil
}

// steadyState returns the state at a dose time of regimen d in steady state,
// just before that dose is given.
func (m Model) steadyState(prop propagator, d Dose) ([]float64, error) {
	if ep, ok := prop.(*exactProp); ok {
		return ep.steadyState(m, d)
	}
	// ODE path: Newton's method on one interval's map (FixedPoint)
	if !m.Linear() && m.P.CL == 0 {
		// elimination saturates at VMax: a regimen that gives more reaches no
		// steady state (the amount grows without bound)
		in := d.Amt * m.bioavail(m.cmtIndex(d.Cmt)) / d.II
		if in >= m.P.VMax {
			return nil, fmt.Errorf("pk: %s: no steady state: the regimen gives %.4g mg/h on average and Michaelis–Menten elimination removes at most VMax = %.4g mg/h", d.name(0), in, m.P.VMax)
		}
	}
	_, atol := m.odeTolerances()
	phi := func(y, out []float64) error {
		copy(out, y)
		return m.oneInterval(prop, d, out)
	}
	ss, err := FixedPoint(m.N(), phi, FixedPointOptions{ATol: atol, Dosed: d.Amt * m.bioavail(m.cmtIndex(d.Cmt))})
	if nf, ok := err.(*NoFixedPoint); ok {
		return nil, fmt.Errorf("pk: %s: no steady state: %s", d.name(0), nf.Why)
	}
	return ss, err
}
