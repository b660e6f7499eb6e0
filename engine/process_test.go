package engine

import (
	"errors"
	"math"
	"testing"
)

func TestProcessTimeouts(t *testing.T) {
	s := New(Options{})
	var times []float64
	s.Process("p", func(p *Proc) {
		for _, d := range []float64{1, 2, 3} {
			p.Timeout(d)
			times = append(times, p.Now())
		}
	})
	s.Run(math.Inf(1))
	if len(times) != 3 || times[0] != 1 || times[1] != 3 || times[2] != 6 {
		t.Fatalf("times %v, want [1 3 6]", times)
	}
	if s.Live() != 0 {
		t.Fatalf("%d processes still live", s.Live())
	}
}

func TestInterruptSupersedesTimeout(t *testing.T) {
	s := New(Options{})
	var errAt, endAt float64
	var got error
	victim := s.Process("victim", func(p *Proc) {
		got = p.Timeout(10)
		errAt = p.Now()
		p.Timeout(20)
		endAt = p.Now()
	})
	s.Schedule(3, func() { victim.Interrupt("shift change") })
	s.Run(math.Inf(1))
	var in *Interrupt
	if !errors.As(got, &in) || in.Cause != "shift change" {
		t.Fatalf("got %v, want an Interrupt with the cause", got)
	}
	// Interrupted at 3; the stale wake-up at 10 must not cut the next wait short.
	if errAt != 3 || endAt != 23 {
		t.Fatalf("interrupted at %v, ended at %v; want 3 and 23", errAt, endAt)
	}
	if err := victim.Interrupt("again"); err == nil {
		t.Fatal("interrupting a finished process should be an error")
	}
}

func TestAnyOfAllOf(t *testing.T) {
	s := New(Options{})
	var anyAt, allAt float64
	var first []*Event
	s.Process("p", func(p *Proc) {
		a, _ := s.Timeout(5)
		b, _ := s.Timeout(3)
		v, _ := p.Wait(s.AnyOf(a, b))
		first = v.([]*Event)
		anyAt = p.Now()
		p.Wait(s.AllOf(a, b))
		allAt = p.Now()
		if first[0] != b {
			t.Error("AnyOf should report the event that finished")
		}
	})
	s.Run(math.Inf(1))
	if anyAt != 3 || allAt != 5 || len(first) != 1 {
		t.Fatalf("AnyOf at %v (%d events), AllOf at %v; want 3 (1), 5", anyAt, len(first), allAt)
	}
}

func TestEventFailureReachesWaiter(t *testing.T) {
	s := New(Options{})
	ev := s.NewEvent()
	boom := errors.New("lab analyser down")
	var got error
	s.Process("w", func(p *Proc) { _, got = p.Wait(ev) })
	s.Schedule(2, func() { ev.Fail(boom) })
	s.Run(math.Inf(1))
	if got != boom {
		t.Fatalf("got %v", got)
	}
	if ev.Succeed(1) == nil {
		t.Fatal("triggering twice should be an error")
	}
}

func TestProcessDoneEvent(t *testing.T) {
	s := New(Options{})
	var joined float64
	child := s.Process("child", func(p *Proc) { p.Timeout(4) })
	s.Process("parent", func(p *Proc) {
		p.Wait(child.Done())
		joined = p.Now()
	})
	s.Run(math.Inf(1))
	if joined != 4 {
		t.Fatalf("joined at %v, want 4", joined)
	}
}

// Processes still waiting at the horizon are reported, and Close unwinds them.
func TestEntitiesInSystemReported(t *testing.T) {
	s := New(Options{})
	for i := 0; i < 5; i++ {
		s.Process("long", func(p *Proc) { p.Timeout(100) })
	}
	s.Process("short", func(p *Proc) { p.Timeout(1) })
	s.Run(50)
	var inSystem float64 = -1
	for _, k := range s.Results() {
		if k.Name == "in_system_end" {
			inSystem = k.Value
		}
	}
	if inSystem != 5 {
		t.Fatalf("in_system_end = %v, want 5", inSystem)
	}
	s.Close()
}

// Close unwinds a process that waits (its deferred calls run) and keeps its
// coroutine for other simulations: processes of the next Sim run on it as on a
// new one. A body that catches the unwinding and waits again is stopped
// instead, without hanging Close.
func TestCloseUnwindsAndReusesCoroutines(t *testing.T) {
	for round := 0; round < 3; round++ {
		idle.mu.Lock()
		before := len(idle.ws)
		idle.mu.Unlock()
		s := New(Options{})
		var unwound, stubborn int
		for i := 0; i < 50; i++ {
			s.Process("waiter", func(p *Proc) {
				defer func() { unwound++ }()
				p.Timeout(1e9)
				t.Error("a waiter ran past its wait")
			})
		}
		s.Process("stubborn", func(p *Proc) {
			defer func() {
				recover()
				stubborn++
				p.Timeout(1) // waits again while being unwound
			}()
			p.Timeout(1e9)
		})
		var done []float64
		for i := 1; i <= 20; i++ {
			d := float64(i)
			s.Process("worker", func(p *Proc) {
				p.Timeout(d)
				done = append(done, p.Now())
			})
		}
		idle.mu.Lock()
		after := len(idle.ws)
		idle.mu.Unlock()
		// 70 came back from the last round (the stubborn one was stopped)
		if want := min(71, before); round > 0 && (before < 70 || before-after != want) {
			t.Fatalf("round %d: %d coroutines taken from the idle pool of %d for 71 processes, want %d", round, before-after, before, want)
		}
		if err := s.Run(100); err != nil {
			t.Fatal(err)
		}
		if len(done) != 20 || done[0] != 1 || done[19] != 20 {
			t.Fatalf("round %d: workers finished at %v, want 1..20", round, done)
		}
		s.Close()
		if unwound != 50 || stubborn != 1 {
			t.Fatalf("round %d: %d waiters unwound, want 50; stubborn body unwound %d times, want 1", round, unwound, stubborn)
		}
	}
}
