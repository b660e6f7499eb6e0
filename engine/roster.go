package engine

import (
	"fmt"
	"math"
)

// Capacity over time: shift rosters, capacity changes and what happens to busy
// units when capacity drops (ShrinkPolicy), and the overtime they cause.

// ShrinkPolicy says what happens to busy units when capacity drops below the
// number in use (a shift ends while staff are busy).
type ShrinkPolicy uint8

const (
	// ShrinkFinish lets holders finish; no one new is served until in-use falls
	// below the new capacity.
	ShrinkFinish ShrinkPolicy = iota
	// ShrinkPreempt preempts the excess holders at once (lowest priority, then
	// most recently served first), who go back to the queue per the PreemptMode.
	ShrinkPreempt
)

func (r *Resource) setOver() {
	o := float64(r.inUse - r.capacity)
	if o < 0 {
		o = 0
	}
	if o != r.over.Value() {
		r.over.Set(r.sim.now, o)
	}
}

// OvertimeHours returns the unit-hours held beyond capacity since the start (or
// warm-up): staff finishing their patients after their shift ended.
func (r *Resource) OvertimeHours() float64 { return r.over.Area(r.sim.now) / 3600 }

// SetCapacity changes the number of units now (a roster change). Growing serves
// waiting requests at once; shrinking below the units in use follows r.Shrink.
func (r *Resource) SetCapacity(n int) error {
	if n < 0 {
		return fmt.Errorf("engine: SetCapacity on %s: capacity must be >= 0, got %d", r.Name, n)
	}
	s := r.sim
	r.capacity = n
	r.capTW.Set(s.now, float64(n))
	r.setOver()
	if s.opts.Trace {
		s.log = append(s.log, EventRow{Time: s.now, Kind: "capacity", Resource: r.Name, Value: float64(n)})
	}
	if r.Shrink == ShrinkPreempt {
		for r.inUse > n {
			v := r.victim(math.MinInt)
			if v == nil {
				break
			}
			r.preempt(v, nil)
		}
	}
	r.run()
	return nil
}

// CapacityChange sets the capacity to Capacity at time At (seconds).
type CapacityChange struct {
	At       float64
	Capacity int
}

type rosterStep struct {
	r      *Resource
	c      CapacityChange
	period float64
}

func (st *rosterStep) Fire() {
	st.r.SetCapacity(st.c.Capacity)
	if st.period > 0 {
		st.r.sim.push(st.r.sim.now+st.period, PriorityUrgent, st)
	}
}

// Roster schedules capacity changes at the given times (strictly increasing, not
// before now), repeated every period seconds if period > 0 (then every time must
// lie in [0, period)). Changes take effect before other events at the same time.
func (r *Resource) Roster(changes []CapacityChange, period float64) error {
	if len(changes) == 0 {
		return fmt.Errorf("engine: Roster on %s: no changes", r.Name)
	}
	if math.IsNaN(period) || period < 0 {
		return fmt.Errorf("engine: Roster on %s: period must be >= 0, got %g", r.Name, period)
	}
	for i, c := range changes {
		switch {
		case c.Capacity < 0:
			return fmt.Errorf("engine: Roster on %s: change %d sets capacity %d, want >= 0", r.Name, i+1, c.Capacity)
		case math.IsNaN(c.At) || c.At < r.sim.now:
			return fmt.Errorf("engine: Roster on %s: change %d at %g s is in the past", r.Name, i+1, c.At)
		case i > 0 && c.At <= changes[i-1].At:
			return fmt.Errorf("engine: Roster on %s: change %d at %g s is not after change %d at %g s", r.Name, i+1, c.At, i, changes[i-1].At)
		case period > 0 && c.At >= r.sim.now+period:
			return fmt.Errorf("engine: Roster on %s: change %d at %g s is outside the period of %g s", r.Name, i+1, c.At, period)
		}
	}
	for _, c := range changes {
		r.sim.push(c.At, PriorityUrgent, &rosterStep{r: r, c: c, period: period})
	}
	return nil
}
