package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The event queue fires events in (time, priority, insertion) order, whether
// an event went to the heap or to a lane of events at the current time. The
// reference is a plain list scanned for its least element in that order; the
// events schedule more events at the current time (with the lanes'
// priorities and others), at ties with queued events, and later.
func TestQueueOrderAgainstListScan(t *testing.T) {
	type pend struct {
		t      float64
		prio   int
		n, id  int
		popped bool
	}
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		s := New(Options{})
		var ref []*pend
		inserted := 0
		fired := 0
		var schedule func(dt float64, prio int)
		schedule = func(dt float64, prio int) {
			inserted++
			p := &pend{t: s.Now() + dt, prio: prio, n: inserted, id: inserted}
			ref = append(ref, p)
			if _, err := s.ScheduleAction(dt, prio, Func(func() {
				// the least pending entry of the reference must be this one
				var least *pend
				for _, q := range ref {
					if q.popped {
						continue
					}
					if least == nil || q.t < least.t || q.t == least.t && (q.prio < least.prio || q.prio == least.prio && q.n < least.n) {
						least = q
					}
				}
				if least != p {
					t.Fatalf("seed %d: fired entry %d (t %g, prio %d), want %d (t %g, prio %d)", seed, p.id, p.t, p.prio, least.id, least.t, least.prio)
				}
				p.popped = true
				fired++
				if inserted < 3000 {
					for k := r.IntN(3); k >= 0; k-- {
						dt := [...]float64{0, 0, 0, 1, 2, r.Float64() * 5}[r.IntN(6)]
						schedule(dt, [...]int{PriorityUrgent, PriorityNormal, PriorityNormal, 3, -7}[r.IntN(5)])
					}
				}
			})); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 20; i++ {
			schedule(float64(r.IntN(3)), [...]int{PriorityUrgent, PriorityNormal, 2}[r.IntN(3)])
		}
		if err := s.Run(math.Inf(1)); err != nil {
			t.Fatal(err)
		}
		if fired != inserted || s.Pending() != 0 {
			t.Fatalf("seed %d: fired %d of %d, %d pending", seed, fired, inserted, s.Pending())
		}
	}
}

// Events at the current time scheduled after a Run that stopped at a horizon
// (the clock at the horizon, past the last event fired) keep their order with
// those queued earlier for the same time.
func TestQueueOrderAfterHorizon(t *testing.T) {
	s := New(Options{})
	var got []int
	add := func(i int) func() { return func() { got = append(got, i) } }
	s.Schedule(5, add(1))
	s.Schedule(2, add(0))
	s.Run(5) // fires 0; the clock stands at 5 with 1 queued for 5
	s.ScheduleAction(0, PriorityUrgent, Func(add(2)))
	s.Schedule(0, add(3))
	s.Run(math.Inf(1))
	want := []int{0, 2, 1, 3}
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}
