package twin

import (
	"fmt"
	"math"

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
	// Lookahead is how far ahead (seconds) a crossing is looked for at a time
	// (default 14 days): after each discontinuity, and again at the end of each
	// window without one.
	Lookahead float64
}

type watch struct {
	th    Threshold
	fn    func(tSec float64)
	timer *engine.Timer // the crossing, or the next look-ahead window
	done  bool
}

// Watch calls fn once, at the simulation time the output crosses the level. The
// crossing is predicted now by integrating a copy of the patient ahead, one
// look-ahead window at a time, and locating the root on the dense output, and
// scheduled as a kernel event; every discontinuity (dose, infusion, Set)
// cancels it and predicts again. A window without a crossing schedules the next
// one at its end, so a crossing later than the look-ahead is still found when
// nothing happens in between; the search stops when the copy ends a window in
// the state it began it (within the tolerances) with no infusion pending: at
// rest, or on a cycle it repeats, the level cannot be crossed until the next
// discontinuity.
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

// predict starts the look-ahead of w from the patient's present state on a
// copy of the patient.
func (p *Patient) predict(w *watch) error {
	if p.sim == nil {
		return nil
	}
	c := &Patient{Model: p.Model, info: p.info, scale: p.scale, t: p.t, rates: append([]float64(nil), p.rates...),
		inf: append([]infusion(nil), p.inf...), states: p.states}
	g := func(t float64, y []float64) float64 {
		v, _ := p.Model.Output(w.th.Output, t, y)
		return v - w.th.Level
	}
	c.s = ode.NewDopri5(c.deriv, len(p.s.Y), ode.Options{RTol: p.s.Opts.RTol, ATol: p.s.Opts.ATol, MaxSteps: 10_000_000,
		Events: []ode.Event{{G: g, Direction: w.th.Direction, Terminal: true}}})
	c.s.Reset(p.t, p.s.Y)
	return p.lookAhead(w, c)
}

// lookAhead integrates the copy c one look-ahead window on from its time,
// through the pending infusion breakpoints, and schedules the first crossing,
// or else the next window at this one's end unless c is at rest.
func (p *Patient) lookAhead(w *watch, c *Patient) error {
	defer timed()()
	y0 := append([]float64(nil), c.s.Y...)
	end := c.t + w.th.Lookahead/p.scale
	for _, b := range append(c.breakpoints(c.t, end), end) {
		cr, err := c.s.Integrate(b, nil, nil, nil)
		p.predictStats.Add(c.s.Stats)
		c.s.Stats = ode.Stats{}
		if err != nil {
			return fmt.Errorf("twin: predicting %s crossing %g: %w", w.th.Output, w.th.Level, err)
		}
		if cr != nil {
			at := max(cr.T*p.scale, p.sim.Now())
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
	if len(c.inf) == 0 && c.unchangedSince(y0) {
		return nil
	}
	var err error
	w.timer, err = p.sim.After(max(end*p.scale-p.sim.Now(), 0), func() {
		if w.done {
			return
		}
		w.timer = nil
		if err := p.lookAhead(w, c); err != nil {
			p.sim.Fail(err)
		}
	})
	return err
}

// unchangedSince reports whether the state is y0 within the integration
// tolerances (atol + rtol·|y| in every component).
func (p *Patient) unchangedSince(y0 []float64) bool {
	o := p.s.Opts
	for i, v := range p.s.Y {
		if math.Abs(v-y0[i]) > o.ATol+o.RTol*math.Max(math.Abs(v), math.Abs(y0[i])) {
			return false
		}
	}
	return true
}

// PredictionStats returns the solver work spent predicting crossings (apart
// from Stats, the work of advancing the patient).
func (p *Patient) PredictionStats() ode.Stats { return p.predictStats }
