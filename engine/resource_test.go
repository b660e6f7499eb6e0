package engine

import (
	"errors"
	"math"
	"testing"
)

func mustRes(t *testing.T, s *Sim, name string, c int) *Resource {
	t.Helper()
	r, err := s.NewResource(name, c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPriorityQueue(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "doctor", 1)
	var order []string
	job := func(name string, at float64, prio int) {
		s.Schedule(at, func() {
			s.Process(name, func(p *Proc) {
				q, _ := p.RequestWith(r, RequestOpts{Priority: prio})
				order = append(order, name)
				p.Timeout(10)
				p.Release(q)
			})
		})
	}
	job("first", 0, 3)
	job("esi5", 1, 5)
	job("esi1", 2, 1)
	job("esi5b", 3, 5)
	s.Run(math.Inf(1))
	want := []string{"first", "esi1", "esi5", "esi5b"}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
}

// Capacity 1: a priority-5 job needs 10 s from t=0; a priority-1 preemptive job
// arrives at t=4 and needs 3 s. Resume: the first job continues at 7 with 6 s
// left and ends at 13. Restart: it starts its 10 s over at 7 and ends at 17.
func TestPreemptResumeAndRestart(t *testing.T) {
	for _, c := range []struct {
		mode PreemptMode
		end  float64
	}{{PreemptResume, 13}, {PreemptRestart, 17}} {
		s := New(Options{})
		r := mustRes(t, s, "ct", 1)
		r.Mode = c.mode
		var lowEnd, highEnd float64
		s.Process("low", func(p *Proc) {
			if err := p.Use(r, 10, RequestOpts{Priority: 5}); err != nil {
				t.Error(err)
			}
			lowEnd = p.Now()
		})
		s.Schedule(4, func() {
			s.Process("high", func(p *Proc) {
				p.Use(r, 3, RequestOpts{Priority: 1, Preempt: true})
				highEnd = p.Now()
			})
		})
		s.Run(math.Inf(1))
		if highEnd != 7 || lowEnd != c.end {
			t.Errorf("mode %v: high ended %v (want 7), low ended %v (want %v)", c.mode, highEnd, lowEnd, c.end)
		}
		if r.preempted != 1 || r.served != 2 {
			t.Errorf("mode %v: preempted %v served %v", c.mode, r.preempted, r.served)
		}
	}
}

// The same scenario in callback style with ReleaseAfter.
func TestPreemptCallbackStyle(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "ct", 1)
	var lowEnd float64
	low, _ := r.Acquire(RequestOpts{Priority: 5}, func(q *Request) {
		q.OnRelease = func(*Request) { lowEnd = s.Now() }
		r.ReleaseAfter(q, 10)
	})
	_ = low
	s.Schedule(4, func() {
		r.Acquire(RequestOpts{Priority: 1, Preempt: true}, func(q *Request) { r.ReleaseAfter(q, 3) })
	})
	s.Run(math.Inf(1))
	if lowEnd != 13 {
		t.Fatalf("low ended %v, want 13", lowEnd)
	}
}

// A raw holder (Request + Timeout) learns of the preemption as an error.
func TestPreemptionErrorToRawHolder(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "bed", 1)
	var got error
	s.Process("holder", func(p *Proc) {
		p.RequestWith(r, RequestOpts{Priority: 2})
		got = p.Timeout(100)
	})
	s.Schedule(1, func() { r.Acquire(RequestOpts{Priority: 1, Preempt: true}, func(*Request) {}) })
	s.Run(math.Inf(1))
	var pe *Preemption
	if !errors.As(got, &pe) || pe.Since != 0 {
		t.Fatalf("got %v, want a Preemption", got)
	}
}

func TestRenege(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "triage", 1)
	s.Process("holder", func(p *Proc) { p.Use(r, 10, RequestOpts{}) })
	var got error
	var at float64
	s.Schedule(1, func() {
		s.Process("impatient", func(p *Proc) {
			_, got = p.RequestWith(r, RequestOpts{Patience: 5})
			at = p.Now()
		})
	})
	s.Run(math.Inf(1))
	if got != ErrReneged || at != 6 || r.reneged != 1 || r.QueueLen() != 0 {
		t.Fatalf("got %v at %v, reneged %v, queue %d", got, at, r.reneged, r.QueueLen())
	}
}

func TestBalk(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "desk", 1)
	var errs []error
	for i := 0; i < 3; i++ {
		s.Process("c", func(p *Proc) {
			_, err := p.RequestWith(r, RequestOpts{BalkAt: 1})
			errs = append(errs, err)
			if err == nil {
				p.Timeout(5)
			}
		})
	}
	s.Run(0)
	// First served, second queues, third finds one waiting and balks.
	if len(errs) != 2 || errs[0] != nil || errs[1] != ErrBalked || r.balked != 1 {
		t.Fatalf("errs %v balked %v", errs, r.balked)
	}
}

func TestReleaseErrors(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "bed", 1)
	other := mustRes(t, s, "other", 1)
	if _, err := s.NewResource("zero", 0); err == nil {
		t.Error("zero capacity accepted")
	}
	if _, err := s.NewResource("bed", 2); err == nil {
		t.Error("duplicate name accepted")
	}
	s.Process("p", func(p *Proc) {
		q, _ := p.Request(r)
		if err := other.Release(q); err == nil {
			t.Error("release on the wrong resource accepted")
		}
		if err := p.Release(q); err != nil {
			t.Error(err)
		}
		if err := p.Release(q); err == nil {
			t.Error("double release accepted")
		}
	})
	s.Run(math.Inf(1))
	if r.InUse() != 0 {
		t.Fatalf("in use %d after bad releases", r.InUse())
	}
}

// One unit of two busy for [0,5) over a horizon of 10: utilisation 5/20.
func TestUtilisation(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "bed", 2)
	s.Process("p", func(p *Proc) { p.Use(r, 5, RequestOpts{}) })
	s.Run(10)
	if u := r.Utilisation(); math.Abs(u-0.25) > 1e-12 {
		t.Fatalf("utilisation %v, want 0.25", u)
	}
}

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

// Regression: a request granted at once must not leave a wake-up behind that
// resumes the process's next wait (a second, queued request) early.
func TestImmediateGrantLeavesNoStaleWakeup(t *testing.T) {
	s := New(Options{})
	bed := mustRes(t, s, "bed", 1)
	doc := mustRes(t, s, "doc", 1)
	s.Process("busy doctor", func(p *Proc) { p.Use(doc, 5, RequestOpts{}) })
	var gotDoc float64
	s.Process("patient", func(p *Proc) {
		b, _ := p.Request(bed) // granted at once
		d, _ := p.Request(doc) // queued until 5
		gotDoc = p.Now()
		if d.State() != Granted {
			t.Errorf("resumed with the doctor request %s", d.State())
		}
		p.Release(d)
		p.Release(b)
	})
	s.Run(math.Inf(1))
	if gotDoc != 5 || doc.InUse() != 0 || bed.InUse() != 0 {
		t.Fatalf("doctor at %v (want 5); in use: doc %d bed %d", gotDoc, doc.InUse(), bed.InUse())
	}
}

func TestNoWait(t *testing.T) {
	s := New(Options{})
	r := mustRes(t, s, "icu", 1)
	var errs []error
	for i := 0; i < 2; i++ {
		s.Process("p", func(p *Proc) {
			_, err := p.RequestWith(r, RequestOpts{NoWait: true})
			errs = append(errs, err)
			if err == nil {
				p.Timeout(10)
			}
		})
	}
	s.Run(math.Inf(1))
	if len(errs) != 2 || errs[0] != nil || errs[1] != ErrBalked || r.QueueLen() != 0 {
		t.Fatalf("%v", errs)
	}
}
