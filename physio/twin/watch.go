package twin

import (
	"fmt"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/physio/ode"
)

var _ engine.Continuous = (*Patient)(nil)

// Threshold is a level of a model output whose crossing is an event: damage
// rising through 2, a concentration falling below a trough target.
type Threshold struct {
	Output    string
	Level     float64
	Direction int // +1 rising, −1 falling, 0 either
	// Lookahead is how far ahead (seconds) a crossing is looked for after each
	// discontinuity (default 14 days).
	Lookahead float64
}

type watch struct {
	th    Threshold
	fn    func(tSec float64)
	timer *engine.Timer
	done  bool
}

// Watch calls fn once, at the simulation time the output crosses the level. The
// crossing is predicted now by integrating a copy of the patient ahead and
// locating the root on the dense output, and scheduled as a kernel event; every
// discontinuity (dose, infusion, Set) cancels it and predicts again.
func (p *Patient) Watch(s *engine.Sim, th Threshold, fn func(tSec float64)) error {
	if _, err := p.Model.Output(th.Output, p.t, p.s.Y); err != nil {
		return err
	}
	if th.Lookahead <= 0 {
		th.Lookahead = 14 * 86400
	}
	p.sim = s
	w := &watch{th: th, fn: fn}
	p.watches = append(p.watches, w)
	return p.predict(w)
}

// repredict re-schedules every pending watch after a discontinuity.
func (p *Patient) repredict() error {
	for _, w := range p.watches {
		if w.done {
			continue
		}
		if w.timer != nil {
			w.timer.Cancel()
			w.timer = nil
		}
		if err := p.predict(w); err != nil {
			return err
		}
	}
	return nil
}

// predict integrates a copy of the patient from now up to the lookahead,
// through the pending infusion breakpoints, and schedules the first crossing.
func (p *Patient) predict(w *watch) error {
	if p.sim == nil {
		return nil
	}
	defer timed()()
	c := &Patient{Model: p.Model, info: p.info, scale: p.scale, t: p.t, rates: append([]float64(nil), p.rates...),
		inf: append([]infusion(nil), p.inf...), states: p.states}
	g := func(t float64, y []float64) float64 {
		v, _ := p.Model.Output(w.th.Output, t, y)
		return v - w.th.Level
	}
	c.s = ode.NewDopri5(c.deriv, len(p.s.Y), ode.Options{RTol: p.s.Opts.RTol, ATol: p.s.Opts.ATol, MaxSteps: 10_000_000,
		Events: []ode.Event{{G: g, Direction: w.th.Direction, Terminal: true}}})
	c.s.Reset(p.t, p.s.Y)
	end := p.t + w.th.Lookahead/p.scale
	for _, b := range append(c.breakpoints(c.t, end), end) {
		cr, err := c.s.Integrate(b, nil, nil, nil)
		p.predictStats.Add(c.s.Stats)
		c.s.Stats = ode.Stats{}
		if err != nil {
			return fmt.Errorf("twin: predicting %s crossing %g: %w", w.th.Output, w.th.Level, err)
		}
		if cr != nil {
			at := cr.T * p.scale
			if at < p.sim.Now() {
				at = p.sim.Now()
			}
			w.timer, err = p.sim.After(at-p.sim.Now(), func() {
				if w.done {
					return
				}
				w.done = true
				if err := p.AdvanceTo(at); err != nil {
					p.sim.Fail(err)
					return
				}
				w.fn(at)
			})
			return err
		}
		c.t = b
		c.setRates(b)
		c.s.Reset(b, c.s.Y)
	}
	return nil
}

// PredictionStats returns the solver work spent predicting crossings (apart
// from Stats, the work of advancing the patient).
func (p *Patient) PredictionStats() ode.Stats { return p.predictStats }
