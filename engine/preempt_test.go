package engine

import (
	"errors"
	"math"
	"testing"
)

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
