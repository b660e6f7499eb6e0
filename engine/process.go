package engine

import (
	"fmt"
	"iter"
	"sync"
)

// Proc is a simulation process: sequential code that waits for simulated time,
// resources and events. Its body runs on a coroutine (iter.Pull) taken from a
// pool: a finished body hands its coroutine to the next process, so starting a
// process costs a switch, not a goroutine.
type Proc struct {
	wt     Waiter // the waiting state, the same as a Lua process's
	w      *worker
	id     uint64
	name   string
	body   func(*Proc)
	doneEv *Event
	// Value carries user data with the process (the entity it represents).
	Value any
	// req is the memory of the process's first request (Request,
	// RequestWith), made with the Proc in one allocation; taken for good once
	// it is made (req.res is set): a process's request is never reused. (No
	// flag beside it: 352 bytes, one size class less than with it.)
	req Request
}

// worker is a pooled coroutine that runs process bodies one after another.
type worker struct {
	proc  *Proc
	next  func() (struct{}, bool)
	stop  func()
	yield func(struct{}) bool
	// exit asks the body parked in a wait to unwind (Close); unwound says it
	// did and the coroutine is parked between bodies again, reusable
	exit, unwound bool
}

// idle keeps parked coroutines of closed simulations for the next ones: a
// replication then starts its processes on coroutines whose goroutines exist
// and whose stacks have grown, instead of making (iter.Pull) and growing them
// again. Replications run in parallel, hence the lock; taken once per
// coroutine a replication needs, not per process.
var idle workerPool

// idleMax bounds the coroutines kept (each holds a goroutine and its stack):
// enough for the processes alive at once in a few replications of a busy
// model in parallel.
const idleMax = 1024

type workerPool struct {
	mu sync.Mutex
	ws []*worker
}

func (p *workerPool) get() *worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.ws)
	if n == 0 {
		return nil
	}
	w := p.ws[n-1]
	p.ws[n-1] = nil
	p.ws = p.ws[:n-1]
	return w
}

// put keeps the parked coroutines ws, stopping those beyond idleMax.
func (p *workerPool) put(ws []*worker) {
	p.mu.Lock()
	keep := min(len(ws), idleMax-len(p.ws))
	p.ws = append(p.ws, ws[:keep]...)
	p.mu.Unlock()
	for _, w := range ws[keep:] {
		w.stop()
	}
}

// procExit unwinds a process body when the simulation is closed while it waits.
type procExit struct{}

// unwind ends the body of a process that waits when its simulation is closed:
// the body unwinds (its deferred calls run) and the coroutine parks, ready for
// another body, which it reports; one that did not (a body that caught the
// unwinding and went on waiting) is stopped.
func (w *worker) unwind() bool {
	p := w.proc
	s := p.wt.sim
	prev := s.active
	s.active = p // as resume does: a wait in a deferred call is the body's
	defer func() { s.active = prev }()
	w.exit, w.unwound = true, false
	_, ok := w.next()
	w.exit = false
	if !ok || !w.unwound {
		w.stop()
		return false
	}
	w.proc.w = nil
	w.proc = nil
	return true
}

// Process starts fn as a new process at the current time and returns it. The
// body runs at once until its first wait.
func (s *Sim) Process(name string, fn func(p *Proc)) *Proc {
	if fn == nil {
		panic("engine: Process: nil body")
	}
	var w *worker
	if n := len(s.pool); n > 0 {
		w = s.pool[n-1]
		s.pool = s.pool[:n-1]
	} else {
		w = idle.get()
		if w == nil {
			w = &worker{}
			w.next, w.stop = iter.Pull(w.loop)
		}
		s.workers = append(s.workers, w)
	}
	s.nextID++
	p := &Proc{w: w, id: s.nextID, name: name, body: fn}
	p.wt = Waiter{sim: s, proc: p}
	w.proc = p
	s.live++
	p.resume()
	return p
}

// loop is the coroutine: it runs one body after another, parking in between.
func (w *worker) loop(yield func(struct{}) bool) {
	w.yield = yield
	for w.run() {
		if !yield(struct{}{}) { // parked after an unwound body
			return
		}
	}
}

// run executes bodies, parking after each, until the coroutine is stopped
// (it reports false) or a body is unwound by Close (exit), which leaves the
// coroutine alive (true; loop parks it): the deferred recover is set up once
// for the bodies a coroutine runs, not once per body.
func (w *worker) run() (alive bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(procExit); ok {
				alive, w.unwound = w.exit, w.exit
				return
			}
			panic(r)
		}
	}()
	for {
		p := w.proc
		p.body(p)
		p.finish()
		if !w.yield(struct{}{}) {
			return false
		}
	}
}

func (p *Proc) finish() {
	p.wt.ended = true
	p.body = nil
	p.wt.sim.live--
	if p.doneEv != nil {
		p.doneEv.Succeed(p.Value)
	}
}

// resume switches to the process until it waits or ends.
func (p *Proc) resume() {
	s := p.wt.sim
	prev := s.active
	s.active = p
	w := p.w
	w.next()
	s.active = prev
	if p.wt.ended && p.w != nil {
		p.w = nil
		w.proc = nil
		s.pool = append(s.pool, w)
	}
}

// park suspends the process until a wake-up; it returns the error the wake-up
// carries (an interrupt, a preemption, a renege), nil otherwise.
func (p *Proc) park() error {
	if p.wt.sim.active != p {
		panic(fmt.Sprintf("engine: process %q: a wait was called from outside its own body", p.name))
	}
	if err := p.wt.Suspend(); err != nil {
		return err
	}
	if !p.w.yield(struct{}{}) || p.w.exit {
		panic(procExit{})
	}
	return p.wt.Resumed()
}

// ID returns the process's unique number within its replication (1, 2, ...).
func (p *Proc) ID() uint64 { return p.id }

// Name returns the name given to Process.
func (p *Proc) Name() string { return p.name }

// Sim returns the simulation the process runs in.
func (p *Proc) Sim() *Sim { return p.wt.sim }

// Now returns the current simulation time.
func (p *Proc) Now() float64 { return p.wt.sim.now }

// Timeout waits dt seconds. It returns an *Interrupt (or *Preemption) if the
// process is interrupted first, and an error for a negative or NaN delay.
func (p *Proc) Timeout(dt float64) error {
	if err := checkDelay("Timeout", dt); err != nil {
		return err
	}
	if err := p.wt.Interrupted(); err != nil {
		return err
	}
	p.wt.Sleep(dt)
	return p.park()
}

// Interrupt is the error a waiting process receives when another part of the
// model interrupts it (SimPy's Interrupt).
type Interrupt struct {
	Cause any
}

func (e *Interrupt) Error() string { return fmt.Sprintf("interrupted: %v", e.Cause) }

// Interrupt wakes the process now with an *Interrupt carrying cause, withdrawing
// it from whatever it waited for; a unit granted to it that it has not yet seen
// is given back. A process that is running when interrupted (it started the
// process that interrupts it) receives the interrupt from its next wait, at once;
// so does a process interrupted twice in one instant, for the second interrupt
// (SimPy's semantics). Interrupting a finished process, or itself, is an error.
func (p *Proc) Interrupt(cause any) error {
	if p.wt.ended {
		return fmt.Errorf("engine: Interrupt: process %q has finished", p.name)
	}
	if p.wt.sim.active == p {
		return fmt.Errorf("engine: Interrupt: process %q cannot interrupt itself", p.name)
	}
	p.wt.Interrupt(cause)
	return nil
}

// Ended reports whether the process body has returned.
func (p *Proc) Ended() bool { return p.wt.ended }

// Done returns an event that succeeds (with the process's Value) when the
// process finishes.
func (p *Proc) Done() *Event {
	if p.doneEv == nil {
		p.doneEv = p.wt.sim.NewEvent()
		if p.wt.ended {
			p.doneEv.Succeed(p.Value)
		}
	}
	return p.doneEv
}

// Wait waits until ev is processed and returns its value and error. An interrupt
// while waiting returns the *Interrupt and withdraws the process from ev.
func (p *Proc) Wait(ev *Event) (any, error) {
	if ev.sim != p.wt.sim {
		panic("engine: Wait: event belongs to another simulation")
	}
	if err := p.wt.Interrupted(); err != nil {
		return nil, err
	}
	if ev.state == eventProcessed {
		return ev.Value, ev.Err
	}
	ev.waiters = append(ev.waiters, &p.wt)
	p.wt.on = ev
	if err := p.park(); err != nil {
		return nil, err
	}
	return ev.Value, ev.Err
}
