// Package engine is medtwin's deterministic discrete-event kernel.
//
// Time is a float64 in seconds since the start of the scenario. Events are ordered
// by (time, priority, insertion sequence), so ties are broken the same way on every
// run. Behaviour is written in two first-class styles:
//
//   - callbacks: Sim.Schedule(dt, fn) runs fn at now+dt. This is the fastest path:
//     no allocation per event when fn is a function value created once.
//   - processes: Sim.Process(fn) runs fn as a coroutine (iter.Pull, pooled) that can
//     wait: Proc.Timeout, Proc.Request, Proc.Wait on an Event, AnyOf/AllOf, and be
//     interrupted. There is no goroutine per process and no channel hand-off.
//     Every process waits through one primitive, Waiter, which Lua processes
//     (package scripts) use too: waking, withdrawing on an interrupt and handing
//     over a granted unit are written once for both.
//
// Resources (capacity, priority queues, preemption, reneging, balking, rosters),
// stores and containers are built on that loop, as is the collection of
// time-weighted statistics. Replications (Experiment) run on all cores and are
// merged in replication order, so results do not depend on GOMAXPROCS.
//
// Semantics at one instant, compared with SimPy 3: Run(until) fires the events
// before until and stops; events scheduled for exactly until do not run (SimPy's
// run(until=T)). A request that can be granted at once is granted inside the
// call, before other events already scheduled for the same instant (in SimPy the
// process resumes only when the request event is processed, after them). An
// interrupt reaches a waiting process now, withdrawing what it waited for (a
// unit granted but not yet seen by the process goes back); a process interrupted
// while it runs gets the interrupt from its next wait, at once. Releasing a
// request that lost its unit to preemption does nothing, as leaving SimPy's
// `with` block.
//
// Programmer errors (a nil callback, a Request used after release) panic with a
// message naming the call; bad input from a user (a negative delay, a capacity
// below one) is returned as an error and leaves the simulation unchanged.
package engine
