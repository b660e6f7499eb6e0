package engine

import (
	"math"
	"testing"
)

// A roster changes capacity at exact times, repeating daily.
func TestRosterFollowsSchedule(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "nurses", 2)
	err := r.Roster([]CapacityChange{{At: 7 * 3600, Capacity: 5}, {At: 19 * 3600, Capacity: 2}}, 86400)
	if err != nil {
		t.Fatal(err)
	}
	type obs struct {
		t float64
		c int
	}
	var seen []obs
	for _, at := range []float64{7*3600 - 1, 7 * 3600, 19*3600 - 1, 19 * 3600, 86400 + 7*3600} {
		s.ScheduleAt(at, func() { seen = append(seen, obs{s.Now(), r.Capacity()}) })
	}
	s.Run(2 * 86400)
	want := []int{2, 5, 5, 2, 5}
	for i, o := range seen {
		if o.c != want[i] {
			t.Fatalf("at %v capacity %d, want %d", o.t, o.c, want[i])
		}
	}
	// Capacity-time: 2 on 10 h, 5 on 12 h, 2 on 2 h per day.
	wantArea := 2 * (2*10*3600 + 5*12*3600 + 2*2*3600.0)
	if a := r.capTW.Area(s.Now()); math.Abs(a-wantArea) > 1e-6 {
		t.Fatalf("capacity-time %v, want %v", a, wantArea)
	}
}

func TestRosterBadInput(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "nurses", 2)
	for name, ch := range map[string][]CapacityChange{
		"overlapping": {{At: 10, Capacity: 3}, {At: 10, Capacity: 2}},
		"unsorted":    {{At: 20, Capacity: 3}, {At: 10, Capacity: 2}},
		"negative":    {{At: 10, Capacity: -1}},
		"outside":     {{At: 90000, Capacity: 1}},
	} {
		if err := r.Roster(ch, 86400); err == nil {
			t.Errorf("%s roster accepted", name)
		}
	}
}

// Entities are conserved across shift changes under both policies: every arrival
// is either served exactly once or still in the system, and nobody is served
// twice. With ShrinkPreempt, preempted patients resume.
func TestShiftChangeConservation(t *testing.T) {
	for _, pol := range []ShrinkPolicy{ShrinkFinish, ShrinkPreempt} {
		s := New(Options{Seed: 5})
		r := mustRes(t, s, "nurses", 3)
		r.Shrink = pol
		r.Roster([]CapacityChange{{At: 0, Capacity: 3}, {At: 8 * 3600, Capacity: 1}, {At: 16 * 3600, Capacity: 0}}, 86400)
		arr, svc := s.RNG("arrivals"), s.RNG("service")
		arrived, finished := 0, 0
		servedBy := map[uint64]int{}
		var arrive func()
		arrive = func() {
			arrived++
			s.Process("patient", func(p *Proc) {
				if err := p.Use(r, svc.Exp(1/1800.0), RequestOpts{}); err != nil {
					t.Error(err)
				}
				servedBy[p.ID()]++
				finished++
			})
			s.Schedule(arr.Exp(1/1200.0), arrive)
		}
		s.Schedule(0, arrive)
		s.Run(10 * 86400)
		if arrived != finished+s.Live() {
			t.Errorf("policy %v: %d in, %d out, %d in system", pol, arrived, finished, s.Live())
		}
		if r.InUse()+r.QueueLen() != s.Live() {
			t.Errorf("policy %v: %d in use + %d queued != %d live", pol, r.InUse(), r.QueueLen(), s.Live())
		}
		for id, n := range servedBy {
			if n != 1 {
				t.Fatalf("policy %v: entity %d served %d times", pol, id, n)
			}
		}
		if pol == ShrinkPreempt && r.preempted == 0 {
			t.Errorf("no preemption happened at shift change")
		}
		if pol == ShrinkFinish && r.preempted != 0 {
			t.Errorf("ShrinkFinish preempted %v holders", r.preempted)
		}
		s.Close()
	}
}
