package engine

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// A model made only of Go callbacks that never runs out of events stops when
// its context ends, with the context's cause (issue 18, High 2): before
// Options.Context nothing looked at the context between Go events.
func TestRunStopsWhenContextEnds(t *testing.T) {
	cause := errors.New("the run exceeded its time limit of 50ms (--timeout)")
	ctx, cancel := context.WithTimeoutCause(context.Background(), 50*time.Millisecond, cause)
	defer cancel()
	s := New(Options{Seed: 1, Context: ctx})
	var tick func()
	tick = func() { s.Schedule(1, tick) }
	s.Schedule(0, tick)
	done := make(chan error, 1)
	go func() { done <- s.Run(math.Inf(1)) }()
	select {
	case err := <-done:
		if !errors.Is(err, cause) || !strings.HasPrefix(err.Error(), "stopped: ") {
			t.Fatalf("Run returned %v, want the context's cause", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop within 10 s of its context's end")
	}
}

// Experiment.Run hands its context to every replication's Sim.
func TestExperimentStopsGoModel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	e := Experiment{Seed: 1, From: 0, To: 2, Workers: 1, Build: func(s *Sim) error {
		var tick func()
		tick = func() { s.Schedule(1, tick) }
		return s.Schedule(0, tick)
	}}
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx, func(RepResult) error { return nil }) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("Experiment.Run did not stop within 10 s of its context's end")
	}
}

// One event that schedules two million events fills the queue only up to
// MaxQueue: the run then fails with an error that names the flag, instead of
// holding every event first, and Schedule returns ErrQueueFull from the first
// event refused, so that the Lua loop behind sim:schedule stops there too
// (issue 18, Low 8).
func TestQueueCapWithinOneEvent(t *testing.T) {
	s := New(Options{MaxQueue: 1000})
	refusedAt := -1
	s.Schedule(0, func() {
		for i := 0; i < 2_000_000; i++ {
			if err := s.Schedule(1, func() {}); err != nil {
				refusedAt = i
				break
			}
		}
	})
	err := s.Run(math.Inf(1))
	if !errors.Is(err, ErrQueueFull) || !strings.Contains(err.Error(), "--max-queue") {
		t.Fatalf("got %v, want ErrQueueFull naming --max-queue", err)
	}
	if s.Pending() > 1000 {
		t.Fatalf("%d events pending with MaxQueue 1000", s.Pending())
	}
	// Schedule says so at the first event refused: a loop can stop there
	if refusedAt != 1000 {
		t.Fatalf("Schedule first refused event %d, want 1000 (the queue holds 1000)", refusedAt)
	}
}
