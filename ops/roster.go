package ops

import (
	"fmt"
	"math"
	"sort"

	"github.com/medtwin/medtwin/engine"
)

// Shift is one period of a daily roster: Staff on duty from hour From to hour To
// (hours of the day, To may be past 24 for a night shift, e.g. 19 to 31 = 7 am),
// with breaks: every Break.Every hours into the shift, Break.Staff of them are
// away for Break.Minutes.
type Shift struct {
	From, To float64
	Staff    int
	Breaks   []Break
}

// Break takes some staff off duty for a while during a shift.
type Break struct {
	AfterHours float64 // hours after the shift start
	Minutes    float64
	Staff      int
}

// Roster is a staff pool's daily schedule; the shifts must not overlap (one
// entry per period of the day) and together cover the day or leave gaps with no
// staff.
type Roster struct {
	Name   string
	Shifts []Shift
	// Policy says who finishes what at the end of a shift.
	Policy engine.ShrinkPolicy
}

// Changes validates the roster and returns the capacity changes over one day,
// for engine.Resource.Roster with a period of one day.
func (r Roster) Changes() ([]engine.CapacityChange, error) {
	if len(r.Shifts) == 0 {
		return nil, fmt.Errorf("ops: roster %s has no shifts", r.Name)
	}
	// staff on duty as a step function of the minute of the day (2 days for
	// shifts past midnight, folded back)
	const minutes = 24 * 60
	level := make([]int, minutes)
	cover := make([]int, minutes)
	for i, s := range r.Shifts {
		if s.Staff < 0 || math.IsNaN(s.From) || math.IsNaN(s.To) || s.From < 0 || s.From >= 24 || s.To <= s.From || s.To-s.From > 24 {
			return nil, fmt.Errorf("ops: roster %s, shift %d: want 0 <= from < 24, from < to <= from + 24 and staff >= 0; got from %v, to %v, staff %d", r.Name, i+1, s.From, s.To, s.Staff)
		}
		a, b := int(math.Round(s.From*60)), int(math.Round(s.To*60))
		for m := a; m < b; m++ {
			k := m % minutes
			if cover[k] != 0 {
				return nil, fmt.Errorf("ops: roster %s: shift %d overlaps shift %d at %02d:%02d", r.Name, i+1, cover[k], k/60, k%60)
			}
			cover[k] = i + 1
			level[k] += s.Staff
		}
		for j, br := range s.Breaks {
			if br.Staff < 0 || br.Staff > s.Staff || br.Minutes <= 0 || br.AfterHours < 0 || br.AfterHours*60+br.Minutes > float64(b-a) {
				return nil, fmt.Errorf("ops: roster %s, shift %d, break %d: must lie within the shift and take 0..%d staff", r.Name, i+1, j+1, s.Staff)
			}
			ba := a + int(math.Round(br.AfterHours*60))
			for m := ba; m < ba+int(math.Round(br.Minutes)); m++ {
				level[m%minutes] -= br.Staff
			}
		}
	}
	var ch []engine.CapacityChange
	for m := 0; m < minutes; m++ {
		if m == 0 || level[m] != level[m-1] {
			ch = append(ch, engine.CapacityChange{At: float64(m) * 60, Capacity: level[m]})
		}
	}
	sort.Slice(ch, func(i, j int) bool { return ch[i].At < ch[j].At })
	return ch, nil
}

// MaxStaff returns the most staff on duty at any time (the resource's initial
// capacity must be at least 1).
func (r Roster) MaxStaff() int {
	ch, err := r.Changes()
	if err != nil {
		return 1
	}
	m := 1
	for _, c := range ch {
		if c.Capacity > m {
			m = c.Capacity
		}
	}
	return m
}

// StaffHoursPerDay returns the paid staff-hours per day (breaks are paid).
func (r Roster) StaffHoursPerDay() float64 {
	h := 0.0
	for _, s := range r.Shifts {
		h += float64(s.Staff) * (s.To - s.From)
	}
	return h
}

// Apply creates the staff resource named r.Name in s, following the roster
// every day from time 0.
func (r Roster) Apply(s *engine.Sim) (*engine.Resource, error) {
	ch, err := r.Changes()
	if err != nil {
		return nil, err
	}
	res, err := s.NewResource(r.Name, r.MaxStaff())
	if err != nil {
		return nil, err
	}
	res.Shrink = r.Policy
	if err := res.Roster(ch, 86400); err != nil {
		return nil, err
	}
	return res, nil
}
