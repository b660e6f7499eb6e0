package engine

import (
	"errors"
	"fmt"
	"math"
)

// A Request's life: created, queued or granted, and then released, reneged,
// balked, blocked, cancelled or preempted.

// RequestState is where a request is in its life.
type RequestState uint8

// Request states.
const (
	Queued RequestState = iota
	Granted
	Released
	Reneged
	Balked
	Cancelled
	Preempted
	// Blocked: refused at once, with no free unit and no room to wait (a full
	// waiting room, or RequestOpts.NoWait).
	Blocked
)

func (s RequestState) String() string {
	return [...]string{"queued", "granted", "released", "reneged", "balked", "cancelled", "preempted", "blocked"}[s]
}

var (
	// ErrReneged is returned to a process whose patience ran out in the queue.
	ErrReneged = errors.New("reneged: patience ran out while queued")
	// ErrBalked is returned when a request refuses to join a queue that is too long.
	ErrBalked = errors.New("balked: the queue was too long to join")
)

// RequestOpts are the terms of a request.
type RequestOpts struct {
	// Priority orders the queue: lower values are served first (as ESI 1 before
	// ESI 5); equal priorities are served first come, first served.
	Priority int
	// Patience, if positive, is how long the request waits before it reneges.
	Patience float64
	// BalkAt, if positive, refuses to join (ErrBalked) when that many requests
	// already wait. It counts waiting requests only, not those in service: with
	// 2 units busy and nobody waiting, BalkAt 1 joins; with one waiting, it balks.
	BalkAt int
	// Entity identifies the requester in the event log (a process's ID is used
	// when zero).
	Entity int64
	// Preempt lets this request take a unit from a holder of strictly worse
	// (higher) priority when none is free.
	Preempt bool
	// NoWait refuses at once (ErrBlocked, counted as blocked) when no unit is
	// free: the request never queues (an emergency transferred elsewhere when the
	// unit is full).
	NoWait bool
	// (the flags last: no padding between the words, 40 bytes, not 48)
}

// Request is a claim on one unit of a Resource. Requests made with Acquire are
// recycled after Release: do not use one after releasing it.
type Request struct {
	res      *Resource
	opts     RequestOpts
	seq      uint64
	w        *Waiter      // the waiting process (Go or Lua); nil for callback requests
	granter  GrantHandler // a callback request's (Acquire's function as a grantFunc)
	state    RequestState // (the small fields together: one word, no padding)
	requeue  bool         // a preempted holder goes back to the queue (Use, ReleaseAfter)
	served   bool         // granted at least once (waits are counted once)
	pooled   bool
	hidx     int
	uidx     int
	patience uint64
	release  uint64  // key of the scheduled release (ReleaseAfter)
	service  float64 // service time given to ReleaseAfter
	left     float64 // service left when preempted
	ev       *Event

	// ArrivedAt is when the request joined; GrantedAt when it was last granted;
	// EndedAt when it was last released, reneged, cancelled or preempted (0
	// while it has not ended).
	ArrivedAt, GrantedAt, EndedAt float64
	// OnPreempt is called when a callback holder loses its unit.
	OnPreempt func(*Request)
	// OnRenege is called when a callback request reneges.
	OnRenege func(*Request)
	// OnRelease is called after ReleaseAfter releases the unit.
	OnRelease func(*Request)
	// Value carries user data (the entity).
	Value any
}

// State returns the request's state.
func (q *Request) State() RequestState { return q.state }

// Priority returns the request's priority.
func (q *Request) Priority() int { return q.opts.Priority }

// Resource returns the resource the request is for.
func (q *Request) Resource() *Resource { return q.res }

// Served reports whether the request was granted a unit at least once.
func (q *Request) Served() bool { return q.served }

func (r *Resource) newRequest(o RequestOpts) (*Request, error) {
	return r.newRequestIn(o, nil)
}

// newRequestIn is newRequest in the caller's memory q (nil: a recycled or new
// request).
func (r *Resource) newRequestIn(o RequestOpts, q *Request) (*Request, error) {
	if math.IsNaN(o.Patience) || o.Patience < 0 {
		return nil, fmt.Errorf("engine: request for %s: patience must be >= 0, got %g", r.Name, o.Patience)
	}
	if q != nil {
		*q = Request{}
	} else if n := len(r.free); n > 0 {
		q = r.free[n-1]
		r.free = r.free[:n-1]
		*q = Request{} // zeroed in place (with pooled in the literal, it is copied from a template)
		q.pooled = true
	} else {
		q = &Request{}
	}
	r.sim.seq++
	q.res, q.opts, q.seq, q.hidx, q.uidx = r, o, r.sim.seq, -1, -1
	q.ArrivedAt = r.sim.now
	return q, nil
}

// Acquire asks for one unit for callback-style models: onGrant runs when the
// unit is granted (at once, if one is free). It returns ErrBalked if the
// request refused to queue (BalkAt), ErrBlocked if it had no room to wait.
// Acquire allocates nothing once requests are recycled: the request is reused
// after its release, so it must not be used after it (AcquireIn makes one that
// is never reused).
func (r *Resource) Acquire(o RequestOpts, onGrant func(*Request)) (*Request, error) {
	q, err := r.newRequest(o)
	if err != nil {
		return nil, err
	}
	q.pooled = true
	q.granter = grantHandler(onGrant)
	return q, r.arrive(q)
}

// GrantHandler is the grant callback of a callback request given as a value
// (AcquireByIn): a host that keeps the request's state in a struct registers
// the struct itself, without the allocation of a closure.
type GrantHandler interface {
	// Granted is called when q is granted its unit.
	Granted(q *Request)
}

// grantFunc is Acquire's function as a GrantHandler (a func value is one
// word: no allocation).
type grantFunc func(*Request)

func (f grantFunc) Granted(q *Request) { f(q) }

// grantHandler is onGrant as a GrantHandler, nil for nil.
func grantHandler(onGrant func(*Request)) GrantHandler {
	if onGrant == nil {
		return nil
	}
	return grantFunc(onGrant)
}

// AcquireIn is Acquire in memory the caller owns: q becomes the request (what
// it held is overwritten) and is never recycled, so a caller that hands the
// request on (a Lua script keeps it in a variable) gets an error from a second
// Release, never the release of whichever request would have reused a
// recycled one.
func (r *Resource) AcquireIn(o RequestOpts, onGrant func(*Request), q *Request) (*Request, error) {
	return r.AcquireByIn(o, grantHandler(onGrant), q)
}

// AcquireByIn is AcquireIn with the grant callback given as a value: g.Granted
// is called when the unit is granted (nil: nothing is called).
func (r *Resource) AcquireByIn(o RequestOpts, g GrantHandler, q *Request) (*Request, error) {
	if q == nil {
		panic("engine: AcquireIn: nil request")
	}
	q, err := r.newRequestIn(o, q)
	if err != nil {
		return nil, err
	}
	q.granter = g
	return q, r.arrive(q)
}

// RequestFor asks for one unit on behalf of a process that is not a Proc (a Lua
// process), which waits through w. The request is granted at once (its State
// is Granted), refused (ErrBalked, ErrBlocked), or queued: the process then
// records it with w.WaitIn and suspends, and is woken with a nil error when it is
// granted, ErrReneged when its patience runs out, an *Interrupt if interrupted
// (the request is withdrawn), a *Preemption if it later loses the unit. The
// request is never recycled: releasing it twice is an error, never a release of
// another request.
func (r *Resource) RequestFor(w *Waiter, o RequestOpts) (*Request, error) {
	if w == nil || w.sim != r.sim {
		panic("engine: RequestFor: the waiter belongs to another simulation")
	}
	return r.requestFor(w, o, false, nil, false)
}

// RequestForIn is RequestFor in memory the caller owns: q becomes the request
// (what it held is overwritten) and is returned as RequestFor returns its
// own. A Lua request keeps its Request beside its userdata, one allocation
// for both.
func (r *Resource) RequestForIn(w *Waiter, o RequestOpts, q *Request) (*Request, error) {
	if w == nil || w.sim != r.sim {
		panic("engine: RequestForIn: the waiter belongs to another simulation")
	}
	if q == nil {
		panic("engine: RequestForIn: nil request")
	}
	return r.requestFor(w, o, false, q, false)
}

// requestFor makes and places a process's request (in mem, if not nil); a
// requeued one goes back to the queue when preempted (Use). A pooled one is
// taken from and given back to the resource's free list: only for a request
// the process never sees (Use's), since a process keeps the request it is
// given after release (it may release it again, which must be an error, not a
// release of whoever got the recycled request).
func (r *Resource) requestFor(w *Waiter, o RequestOpts, requeue bool, mem *Request, pooled bool) (*Request, error) {
	q, err := r.newRequestIn(o, mem)
	if err != nil {
		return nil, err
	}
	q.pooled = pooled
	q.w = w
	q.requeue = requeue
	return q, r.arrive(q)
}

// Fire handles a request's own timers: the end of a ReleaseAfter service and the
// end of its patience.
func (q *Request) Fire() {
	r, k := q.res, q.res.sim.firing
	switch {
	case q.state == Granted && k == q.release:
		r.release1(q)
		r.run()
		if q.OnRelease != nil {
			q.OnRelease(q)
		}
		r.recycle(q)
	case q.state == Queued && k == q.patience && q.hidx >= 0:
		r.remove(q)
		q.state = Reneged
		q.EndedAt = r.sim.now
		r.reneged++
		r.trace("renege", q, r.sim.now-q.ArrivedAt)
		switch {
		case q.w != nil:
			q.w.on = nil
			q.w.Wake(ErrReneged)
		case q.OnRenege != nil:
			q.OnRenege(q)
		}
		if q.ev != nil && !q.ev.Triggered() {
			q.ev.Fail(ErrReneged)
		}
		if q.w == nil {
			r.recycle(q)
		}
	}
}

// Cancel withdraws a queued request. It is an error for a request that holds a
// unit (use Release).
func (q *Request) Cancel() error {
	if q.state != Queued {
		return fmt.Errorf("engine: Cancel on %s: the request is %s, not queued", q.res.Name, q.state)
	}
	q.abandon(nil)
	return nil
}

// abandon withdraws q for its process: from the queue, or, if q was granted and
// the process has not run since (it was interrupted in the same instant), from
// its unit, which goes to the next in line.
func (q *Request) abandon(*Waiter) {
	r := q.res
	switch {
	case q.state == Queued && q.hidx >= 0:
		r.remove(q)
		q.state = Cancelled
		q.EndedAt = r.sim.now
		r.trace("cancel", q, r.sim.now-q.ArrivedAt)
	case q.state == Granted:
		r.removeUser(q)
		q.state = Cancelled
		q.EndedAt = r.sim.now
		r.trace("cancel", q, r.sim.now-q.ArrivedAt)
		r.run()
	}
}

// Granted returns an event that succeeds when the request is granted (fails if
// it reneges), for use with AnyOf/AllOf.
func (q *Request) Granted() *Event {
	if q.ev == nil {
		q.ev = q.res.sim.NewEvent()
		if q.state == Granted {
			q.ev.Succeed(q)
		}
	}
	return q.ev
}
