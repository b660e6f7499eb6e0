package engine

// Waiter is the kernel's one waiting primitive, under Go processes (a Proc holds
// one) and Lua processes (scripts) alike: a process that waits for one thing at a
// time. The kernel wakes it with a result, withdraws it from what it waited in
// when the wait ends another way (an interrupt, a preemption), and hands it a
// unit granted to its request; interrupts that come while the process runs are
// kept for its next wait. Interrupt, grant, preemption, reneging and
// cancellation are written once, here and in Resource, for both kinds of process.
//
// The process's own code suspends and continues it: before suspending it calls
// Suspend (which may end the wait at once), and when continued, Resumed gives
// the wait's result. A Waiter is an Action: the kernel fires it to continue the
// process.
type Waiter struct {
	sim    *Sim
	proc   *Proc     // the Go process, continued by a coroutine switch; nil for others
	cont   Continuer // continues a process that is not a Proc
	key    uint64    // key of the scheduled wake-up
	err    error     // the result the wake-up carries
	on     abandoner // what to withdraw from if the wait ends another way
	waking bool      // a wake-up is scheduled
	intr   bool      // ... and it delivers an interrupt
	parked bool      // suspended in a wait
	held   bool      // interrupts wait in sim.pending for its next waits
	ended  bool
}

// abandoner is something a process waits in (a resource queue, an event's waiter
// list, a store) and must be withdrawn from when the wait ends another way.
type abandoner interface{ abandon(w *Waiter) }

// withdrawFunc is an abandoner given by a process outside the engine.
type withdrawFunc func()

func (f withdrawFunc) abandon(*Waiter) { f() }

// NewWaiter returns the waiting state of a process that is not a Proc (a Lua
// process): cont continues it after a wake-up.
func (s *Sim) NewWaiter(cont func()) *Waiter {
	if cont == nil {
		panic("engine: NewWaiter: nil continuation")
	}
	return &Waiter{sim: s, cont: contFunc(cont)}
}

// Continuer is a process that is not a Proc (a Lua process), continued by its
// Waiter after a wake-up.
type Continuer interface{ Continue() }

// contFunc is the Continuer of NewWaiter's function.
type contFunc func()

func (f contFunc) Continue() { f() }

// InitWaiter makes *w the waiting state of c, as NewWaiter does, in memory the
// caller owns: a Lua process embeds its Waiter and is its own Continuer, one
// allocation per process where a Waiter and a method value made two more.
func (s *Sim) InitWaiter(w *Waiter, c Continuer) {
	if c == nil {
		panic("engine: InitWaiter: nil continuation")
	}
	*w = Waiter{sim: s, cont: c}
}

// Fire continues the process when the firing event is the wake-up it waits for;
// superseded wake-ups (a timeout after an interrupt) are ignored.
func (w *Waiter) Fire() {
	if w.sim.firing != w.key || !w.waking || w.ended {
		return
	}
	w.waking = false
	w.key = 0
	w.resume()
}

func (w *Waiter) resume() {
	if w.proc != nil {
		w.proc.resume()
		return
	}
	w.cont.Continue()
}

// Sleep schedules the wake-up of a timeout after dt seconds (checked by the
// caller); the process then suspends.
func (w *Waiter) Sleep(dt float64) {
	w.key = w.sim.push(w.sim.now+dt, PriorityNormal, w)
	w.waking = true
}

// Wake schedules the process to continue now with err as the result of its
// wait. A process that is running, not waiting, gets a non-nil err from its next
// wait instead, and nothing for a nil one (its wait was satisfied at once).
func (w *Waiter) Wake(err error) {
	if !w.parked {
		if err != nil {
			w.queue(err)
		}
		return
	}
	if w.on != nil {
		w.on.abandon(w)
		w.on = nil
	}
	w.err, w.intr = err, false
	w.key = w.sim.push(w.sim.now, PriorityUrgent, w)
	w.waking = true
}

// WakeNow continues a waiting process at once, its wait done, inside the event
// being fired (an event's waiters, the end of a service) rather than in a
// wake-up of its own.
func (w *Waiter) WakeNow() {
	w.on = nil
	w.waking = false
	w.err, w.intr = nil, false
	w.resume()
}

// deliverGrant schedules a process that waits in q's queue to continue now with
// q granted. q stays what the process waits on until it runs, so that an
// interrupt in between withdraws the grant (the unit goes to the next in line)
// instead of leaving the unit held by a process that was told it was
// interrupted. A wake-up already scheduled with an error (a preemption just
// before this grant) is kept: the process sees the error and finds q granted.
func (w *Waiter) deliverGrant(q *Request) {
	if w.waking && w.err != nil {
		return
	}
	w.on = q
	w.err, w.intr = nil, false
	w.key = w.sim.push(w.sim.now, PriorityUrgent, w)
	w.waking = true
}

// Interrupt ends the process's wait now with an *Interrupt carrying cause,
// withdrawing it from what it waited for (a unit granted to it that it has not
// yet seen is given back). A process that is running, or already being woken by
// an interrupt, gets it from its next wait, at once (SimPy's semantics). The
// caller checks that the process has not finished and is not interrupting
// itself.
func (w *Waiter) Interrupt(cause any) {
	in := &Interrupt{Cause: cause}
	if w.parked && w.waking && w.intr {
		w.queue(in) // the first one is on its way
		return
	}
	w.Wake(in)
	w.intr = w.parked
}

// Interrupted takes the oldest interrupt that came while the process ran; its
// next wait returns it at once instead of waiting. Nil if there is none.
func (w *Waiter) Interrupted() error {
	if !w.held {
		return nil
	}
	q := w.sim.pending[w]
	err := q[0]
	if len(q) == 1 {
		delete(w.sim.pending, w)
		w.held = false
	} else {
		w.sim.pending[w] = q[1:]
	}
	return err
}

// HasInterrupt reports whether an interrupt came while the process ran
// (Interrupted would return it): a check cheap enough to inline before every
// wait.
func (w *Waiter) HasInterrupt() bool { return w.held }

// queue keeps err for the process's next wait. Rare (an interrupt of a running
// process), so kept in the Sim rather than in every process.
func (w *Waiter) queue(err error) {
	if w.sim.pending == nil {
		w.sim.pending = map[*Waiter][]error{}
	}
	w.sim.pending[w] = append(w.sim.pending[w], err)
	w.held = true
}

// WaitIn records that the process waits in a request's queue (an interrupt
// withdraws the request).
func (w *Waiter) WaitIn(q *Request) { w.on = q }

// OnWithdraw records how to withdraw the process from what it waits for if the
// wait ends another way (an interrupt).
func (w *Waiter) OnWithdraw(fn func()) { w.on = withdrawFunc(fn) }

// Suspend is called just before the process suspends. If an interrupt came
// while it ran, Suspend withdraws the wait and returns the interrupt: the
// process does not suspend but returns it. Otherwise the process is parked.
func (w *Waiter) Suspend() error {
	if w.held { // small enough to inline: the interrupted path is apart
		return w.suspendInterrupted()
	}
	w.parked = true
	return nil
}

// suspendInterrupted is Suspend when an interrupt came while the process ran.
func (w *Waiter) suspendInterrupted() error {
	err := w.Interrupted()
	w.withdraw()
	return err
}

// Resumed is called when the process continues; it returns the result of the
// wait: nil, or why it ended (an *Interrupt, a *Preemption, ErrReneged).
func (w *Waiter) Resumed() error {
	w.parked = false
	err := w.err
	w.err, w.on, w.intr = nil, nil, false
	return err
}

// withdraw ends the current wait without waiting: it leaves what the process
// waited in and makes any scheduled wake-up stale.
func (w *Waiter) withdraw() {
	if w.on != nil {
		w.on.abandon(w)
		w.on = nil
	}
	w.waking, w.key, w.err, w.intr = false, 0, nil, false
}

// End marks the process finished: later wake-ups are ignored.
func (w *Waiter) End() { w.ended = true }

// Ended reports whether the process has finished.
func (w *Waiter) Ended() bool { return w.ended }

// Parked reports whether the process is suspended in a wait (false while it runs).
func (w *Waiter) Parked() bool { return w.parked }
