package engine

import (
	"slices"
	"testing"
)

// Callbacks run in the order they were added, whether given as functions
// (OnDone) or values (OnDoneBy), and one added after the event was processed
// runs at once.
func TestEventCallbacksInOrder(t *testing.T) {
	s := New(Options{})
	e := s.NewEvent()
	var got []string
	rec := func(name string) func(*Event) { return func(*Event) { got = append(got, name) } }
	e.OnDone(rec("f1"))
	e.OnDoneBy(recorder{&got, "h1"})
	e.OnDone(rec("f2"))
	e.OnDoneBy(recorder{&got, "h2"})
	e.Succeed(1)
	s.Run(1)
	e.OnDoneBy(recorder{&got, "late"})
	if want := []string{"f1", "h1", "f2", "h2", "late"}; !slices.Equal(got, want) {
		t.Errorf("callbacks ran %v, want %v", got, want)
	}
}

// An event's first callback is kept in the event itself (most events have
// one: a condition's, a process's wait): registering it allocates nothing,
// and it still runs first, before those added after it.
func TestEventFirstCallbackAllocatesNothing(t *testing.T) {
	s := New(Options{})
	var ev Event
	h := &countDone{}
	if n := testing.AllocsPerRun(100, func() {
		s.InitEvent(&ev)
		ev.OnDoneBy(h)
	}); n != 0 {
		t.Errorf("OnDoneBy of the first callback: %v allocations, want 0", n)
	}
	var got []string
	ev.OnDoneBy(recorder{&got, "second"})
	ev.Succeed(nil)
	s.Run(1)
	if h.n != 1 || !slices.Equal(got, []string{"second"}) {
		t.Errorf("first callback ran %d times (want 1), then %v (want [second])", h.n, got)
	}
	ev.Fire() // processed: nothing runs again
	if h.n != 1 || len(got) != 1 {
		t.Errorf("a processed event ran its callbacks again: %d, %v", h.n, got)
	}
}

type countDone struct{ n int }

func (c *countDone) EventDone(*Event) { c.n++ }

type recorder struct {
	got  *[]string
	name string
}

func (r recorder) EventDone(*Event) { *r.got = append(*r.got, r.name) }

// AnyOf and AllOf of more events than a condition keeps in itself (4): the
// values list the processed events in the order given, at the right time.
func TestConditionsOfManyEvents(t *testing.T) {
	s := New(Options{})
	var evs []*Event
	for i := range 7 {
		ev, _ := s.Timeout(float64(10 - i)) // the last given happens first
		evs = append(evs, ev)
	}
	same, _ := s.Timeout(4) // at 4 too, processed after evs[6] (made later)
	anyOf := s.AnyOf(append(slices.Clone(evs), same)...)
	allOf := s.AllOf(evs...)
	var anyAt, allAt float64
	anyOf.OnDone(func(*Event) { anyAt = s.Now() })
	allOf.OnDone(func(*Event) { allAt = s.Now() })
	s.Run(100)
	if anyAt != 4 || allAt != 10 {
		t.Errorf("AnyOf at %v, AllOf at %v; want 4 and 10", anyAt, allAt)
	}
	// the events processed by the time AnyOf is decided (SimPy's Condition
	// value): evs[6] alone; the other timeout at 4 is processed after it
	if got := anyOf.Value.([]*Event); !slices.Equal(got, []*Event{evs[6]}) {
		t.Errorf("AnyOf's value has %d events, want evs[6] alone", len(got))
	}
	if got := allOf.Value.([]*Event); !slices.Equal(got, evs) {
		t.Errorf("AllOf's value is not the 7 events in the order given")
	}
}

// AnyOf of events all processed already decides at once, and its value lists
// every one of them (more than the 4 a condition keeps in itself).
func TestAnyOfOfProcessedEvents(t *testing.T) {
	s := New(Options{})
	var evs []*Event
	for range 6 {
		ev := s.NewEvent()
		ev.Succeed(nil)
		evs = append(evs, ev)
	}
	s.Run(1)
	c := s.AnyOf(evs...)
	s.Run(2)
	if got, ok := c.Value.([]*Event); !c.Processed() || !ok || !slices.Equal(got, evs) {
		t.Errorf("AnyOf of 6 processed events: processed %v, value %v; want all 6", c.Processed(), c.Value)
	}
}
