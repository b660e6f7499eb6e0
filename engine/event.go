package engine

import (
	"errors"
	"fmt"
)

type eventState uint8

const (
	eventPending   eventState = iota // not triggered yet
	eventTriggered                   // succeeded or failed; callbacks not yet run
	eventProcessed                   // callbacks run, waiters woken
)

// Event is something processes wait for and callbacks hang on: it succeeds with a
// value or fails with an error once, and is processed at the time it was
// triggered, after the event being fired (SimPy's Event).
type Event struct {
	sim       *Sim
	state     eventState
	isTimeout bool
	// Value is the value given to Succeed; Err the error given to Fail.
	Value any
	Err   error
	// the callbacks, the first in cb0 (most events have one: an AnyOf's
	// condition, a process's wait), so that it needs no slice of its own
	cb0       EventHandler
	callbacks []EventHandler
	waiters   []*Waiter
}

// NewEvent returns a pending event.
func (s *Sim) NewEvent() *Event { return &Event{sim: s} }

// InitEvent makes *e a pending event of s, as NewEvent does, in memory the
// caller owns: a Lua event embeds its Event beside its userdata, one
// allocation where NewEvent and the userdata made two.
func (s *Sim) InitEvent(e *Event) { *e = Event{sim: s} }

// Timeout returns an event that succeeds after dt seconds (for AnyOf/AllOf).
func (s *Sim) Timeout(dt float64) (*Event, error) {
	if err := checkDelay("Timeout", dt); err != nil {
		return nil, err
	}
	e := &Event{sim: s, isTimeout: true}
	s.push(s.now+dt, PriorityNormal, e)
	return e, nil
}

// ErrAlreadyTriggered is returned when an event is triggered twice.
var ErrAlreadyTriggered = errors.New("engine: event already triggered")

// Triggered reports whether the event has succeeded or failed.
func (e *Event) Triggered() bool { return e.state != eventPending }

// Processed reports whether the event's callbacks have run.
func (e *Event) Processed() bool { return e.state == eventProcessed }

// Succeed triggers the event with value v.
func (e *Event) Succeed(v any) error {
	if e.state != eventPending {
		return ErrAlreadyTriggered
	}
	e.state, e.Value = eventTriggered, v
	e.sim.push(e.sim.now, PriorityNormal, e)
	return nil
}

// Fail triggers the event with an error; processes waiting on it receive err.
func (e *Event) Fail(err error) error {
	if err == nil {
		panic("engine: Event.Fail: nil error")
	}
	if e.state != eventPending {
		return ErrAlreadyTriggered
	}
	e.state, e.Err = eventTriggered, err
	e.sim.push(e.sim.now, PriorityNormal, e)
	return nil
}

// OnDone calls fn when the event is processed (at once if it already has been).
func (e *Event) OnDone(fn func(*Event)) { e.OnDoneBy(handlerFunc(fn)) }

// EventHandler is a callback of an event given as a value (OnDoneBy): a host
// that keeps a wait's state in a struct registers the struct itself, without
// the allocation of a method value.
type EventHandler interface {
	// EventDone is called when the event is processed.
	EventDone(e *Event)
}

// handlerFunc is OnDone's function as an EventHandler (a func value is one
// word: no allocation).
type handlerFunc func(*Event)

func (f handlerFunc) EventDone(e *Event) { f(e) }

// OnDoneBy calls h.EventDone when the event is processed (at once if it
// already has been), in the order of OnDone and OnDoneBy calls.
func (e *Event) OnDoneBy(h EventHandler) {
	if e.state == eventProcessed {
		h.EventDone(e)
		return
	}
	if e.cb0 == nil {
		e.cb0 = h // nil only while there is no callback: cb0 is the first
		return
	}
	e.callbacks = append(e.callbacks, h)
}

// Fire processes the event: callbacks in the order added, then waiting processes
// in the order they started waiting.
func (e *Event) Fire() {
	if e.state == eventPending {
		if !e.isTimeout {
			return
		}
		e.state = eventTriggered
	}
	if e.state != eventTriggered {
		return
	}
	e.state = eventProcessed
	cb0, cbs, ws := e.cb0, e.callbacks, e.waiters
	e.cb0, e.callbacks, e.waiters = nil, nil, nil
	if cb0 != nil {
		cb0.EventDone(e)
	}
	for _, h := range cbs {
		h.EventDone(e)
	}
	for _, w := range ws {
		if w.on != e {
			continue // withdrawn by an interrupt
		}
		w.WakeNow()
	}
}

func (e *Event) abandon(p *Waiter) {
	for i, w := range e.waiters {
		if w == p {
			e.waiters = append(e.waiters[:i], e.waiters[i+1:]...)
			return
		}
	}
}

// AnyOf returns an event that succeeds as soon as one of evs is processed; its
// Value is the []*Event of those processed by then, in the order given. It fails
// if the first event to finish failed.
func (s *Sim) AnyOf(evs ...*Event) *Event { return s.condition("AnyOf", evs, false) }

// AllOf returns an event that succeeds when every one of evs is processed; its
// Value is evs. It fails as soon as one of them fails.
func (s *Sim) AllOf(evs ...*Event) *Event { return s.condition("AllOf", evs, true) }

func (s *Sim) condition(name string, evs []*Event, all bool) *Event {
	if len(evs) == 0 {
		c := s.NewEvent()
		c.Succeed([]*Event{})
		return c
	}
	c := &condition{name: name, left: len(evs), all: all}
	c.ev.sim = s
	c.evs = append(c.evBuf[:0], evs...)
	for _, ev := range c.evs {
		if ev.sim != s {
			panic("engine: " + name + ": event belongs to another simulation")
		}
		ev.OnDoneBy(c)
	}
	return &c.ev
}

// condition is the state of an AnyOf or AllOf: its event, what it waits for
// (the first 4 in itself), how many are left and, for AnyOf, its value: one
// allocation where a copy of evs, a closure, its captured variables and the
// value made five.
type condition struct {
	ev      Event
	name    string
	evs     []*Event
	left    int
	all     bool
	evBuf   [4]*Event
	doneBuf [4]*Event
}

// EventDone is called when one of c.evs is processed.
func (c *condition) EventDone(ev *Event) {
	if c.ev.state != eventPending {
		return
	}
	if ev.Err != nil {
		c.ev.Fail(fmt.Errorf("%s: %w", c.name, ev.Err))
		return
	}
	c.left--
	if c.all && c.left > 0 {
		return
	}
	if c.all {
		c.ev.Succeed(c.evs)
		return
	}
	done := c.doneBuf[:0]
	for _, x := range c.evs {
		if x.state == eventProcessed {
			done = append(done, x)
		}
	}
	c.ev.Succeed(done)
}

// Timer is a cancellable callback made by After.
type Timer struct {
	fn        func()
	cancelled bool
	fired     bool
}

// After runs fn after dt seconds unless the returned timer is cancelled first.
func (s *Sim) After(dt float64, fn func()) (*Timer, error) {
	if err := checkDelay("After", dt); err != nil {
		return nil, err
	}
	if fn == nil {
		panic("engine: After: nil callback")
	}
	t := &Timer{fn: fn}
	s.push(s.now+dt, PriorityNormal, t)
	return t, nil
}

// Cancel stops the timer; it reports whether the callback was still pending.
func (t *Timer) Cancel() bool {
	if t.fired || t.cancelled {
		return false
	}
	t.cancelled = true
	return true
}

// Fire runs the callback unless cancelled.
func (t *Timer) Fire() {
	if t.cancelled || t.fired {
		return
	}
	t.fired = true
	t.fn()
}
