// Package twin runs a patient model next to the discrete-event simulation: the
// model's state advances lazily, only to the time the simulation looks at it, and
// a dose, a bolus or a change of treatment is a discontinuity after which the
// integrator restarts (DESIGN.md, "Hybrid runs").
package twin

import (
	"fmt"
	"math"
	"sort"
	"sync/atomic"
	"time"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/physio/models"
	"github.com/medtwin/medtwin/physio/ode"
)

// SecondsPer converts a model time unit to seconds.
func SecondsPer(unit string) (float64, error) {
	switch unit {
	case "s":
		return 1, nil
	case "min":
		return 60, nil
	case "h":
		return 3600, nil
	}
	return 0, fmt.Errorf("twin: unknown time unit %q", unit)
}

// infusion is a zero-order input into one state over [start, end) (model time).
type infusion struct {
	state      int
	rate       float64
	start, end float64
}

// Patient is one patient's continuous model. Times given to its methods are
// simulation seconds; inside, the model runs in its own unit.
type Patient struct {
	Model  models.Model
	info   models.Info
	scale  float64 // seconds per model time unit
	s      *ode.Dopri5
	t      float64 // model time of the state
	inf    []infusion
	rates  []float64
	Stats  ode.Stats
	states map[string]int

	sim          *engine.Sim
	watches      []*watch
	predictStats ode.Stats
}

// New creates a patient at simulation time t0 (seconds) in the model's initial
// state, integrated with tolerance rtol (0: 1e-8).
func New(m models.Model, t0Sec, rtol float64) (*Patient, error) {
	info := m.Info()
	scale, err := SecondsPer(info.TimeUnit)
	if err != nil {
		return nil, err
	}
	if rtol <= 0 {
		rtol = 1e-8
	}
	p := &Patient{Model: m, info: info, scale: scale, t: t0Sec / scale, rates: make([]float64, len(info.States)), states: map[string]int{}}
	for i, st := range info.States {
		p.states[st.Name] = i
	}
	p.s = ode.NewDopri5(p.deriv, len(info.States), ode.Options{RTol: rtol, ATol: 1e-12, MaxSteps: 10_000_000})
	p.s.Reset(p.t, models.Init(m))
	return p, nil
}

func (p *Patient) deriv(t float64, y, dy []float64) {
	p.Model.Deriv(t, y, dy)
	for i, r := range p.rates {
		dy[i] += r
	}
}

// StateIndex returns the index of a named state.
func (p *Patient) StateIndex(name string) (int, error) {
	i, ok := p.states[name]
	if !ok {
		names := make([]string, len(p.info.States))
		for k, s := range p.info.States {
			names[k] = s.Name
		}
		return 0, fmt.Errorf("twin: %s has no state %q (states: %v)", p.info.Name, name, names)
	}
	return i, nil
}

// breakpoints returns the infusion starts and ends in (from, to].
func (p *Patient) breakpoints(from, to float64) []float64 {
	var bs []float64
	for _, f := range p.inf {
		for _, b := range []float64{f.start, f.end} {
			if b > from && b <= to {
				bs = append(bs, b)
			}
		}
	}
	sort.Float64s(bs)
	return bs
}

func (p *Patient) setRates(t float64) {
	for i := range p.rates {
		p.rates[i] = 0
	}
	kept := p.inf[:0]
	for _, f := range p.inf {
		if f.start <= t && t < f.end {
			p.rates[f.state] += f.rate
		}
		if f.end > t {
			kept = append(kept, f)
		}
	}
	p.inf = kept
}

// PhysiologyNanos accumulates the wall time spent integrating patients (advancing
// and predicting crossings) when Timing is on: the cost of the physiology apart
// from the discrete-event simulation, for benchmarks.
var (
	Timing          atomic.Bool
	PhysiologyNanos atomic.Int64
)

func timed() func() {
	if !Timing.Load() {
		return func() {}
	}
	t0 := time.Now()
	return func() { PhysiologyNanos.Add(int64(time.Since(t0))) }
}

// AdvanceTo integrates the model to simulation time tSec (no-op if already there).
func (p *Patient) AdvanceTo(tSec float64) error {
	defer timed()()
	to := tSec / p.scale
	if to < p.t {
		return fmt.Errorf("twin: cannot go back from %g s to %g s", p.t*p.scale, tSec)
	}
	for _, b := range append(p.breakpoints(p.t, to), to) {
		if b > p.s.T {
			if _, err := p.s.Integrate(b, nil, nil, nil); err != nil {
				return err
			}
		}
		p.t = b
		if b < to || p.hasBreak(b) {
			p.setRates(b)
			p.s.Reset(b, p.s.Y) // an infusion starts or stops: restart the integrator
		}
	}
	p.t = to
	p.Stats = p.s.Stats
	return nil
}

func (p *Patient) hasBreak(t float64) bool {
	for _, f := range p.inf {
		if f.start == t || f.end == t {
			return true
		}
	}
	return false
}

// State returns the state vector at the current time (do not modify).
func (p *Patient) State() []float64 { return p.s.Y }

// Output advances to tSec and computes a named model output.
func (p *Patient) Output(name string, tSec float64) (float64, error) {
	if err := p.AdvanceTo(tSec); err != nil {
		return 0, err
	}
	return p.Model.Output(name, p.t, p.s.Y)
}

// Bolus adds amount to a state now (tSec): a discontinuity.
func (p *Patient) Bolus(state string, amount, tSec float64) error {
	i, err := p.StateIndex(state)
	if err != nil {
		return err
	}
	if math.IsNaN(amount) || amount < 0 {
		return fmt.Errorf("twin: dose amount must be >= 0, got %v", amount)
	}
	if err := p.AdvanceTo(tSec); err != nil {
		return err
	}
	y := append([]float64(nil), p.s.Y...)
	y[i] += amount
	p.s.Reset(p.t, y)
	return p.repredict()
}

// Infuse gives amount into a state at rate (per model time unit) from now (tSec).
func (p *Patient) Infuse(state string, amount, rate, tSec float64) error {
	i, err := p.StateIndex(state)
	if err != nil {
		return err
	}
	if !(amount > 0) || !(rate > 0) {
		return fmt.Errorf("twin: an infusion needs amount > 0 and rate > 0, got %v and %v", amount, rate)
	}
	if err := p.AdvanceTo(tSec); err != nil {
		return err
	}
	p.inf = append(p.inf, infusion{state: i, rate: rate, start: p.t, end: p.t + amount/rate})
	p.setRates(p.t)
	p.s.Reset(p.t, p.s.Y)
	return p.repredict()
}

// Set changes a model parameter now (tSec): a discontinuity.
func (p *Patient) Set(name string, v, tSec float64) error {
	if err := p.AdvanceTo(tSec); err != nil {
		return err
	}
	if err := p.Model.Set(name, v); err != nil {
		return err
	}
	p.s.Reset(p.t, p.s.Y)
	return p.repredict()
}
