package engine

import (
	"errors"
	"math"
)

// Request waits for one unit of r (first come, first served, priority 0).
func (p *Proc) Request(r *Resource) (*Request, error) {
	return p.request(r, RequestOpts{}, false)
}

// RequestWith waits for one unit of r on the given terms. It returns the granted
// request; ErrBalked if the request refused to queue (BalkAt); ErrBlocked if it
// had no room to wait (a full waiting room, or NoWait); ErrReneged if patience ran
// out; an *Interrupt if the process was interrupted while queued, or granted in
// the same instant but before it ran (the request is then withdrawn; a unit
// granted goes to the next in line). A process's request is never reused:
// releasing it a second time is an error.
func (p *Proc) RequestWith(r *Resource, o RequestOpts) (*Request, error) {
	return p.request(r, o, false)
}

// request makes and places the process's request. Use's request (requeue) is
// internal to Use: it is taken from the resource's free list and recycled when
// Use releases it. Any other is the process's to keep; the first is made in
// the Proc's own memory (a customer that makes one request costs one
// allocation, not two).
func (p *Proc) request(r *Resource, o RequestOpts, requeue bool) (*Request, error) {
	if r.sim != p.wt.sim {
		panic("engine: Request: resource belongs to another simulation")
	}
	if err := p.wt.Interrupted(); err != nil {
		return nil, err
	}
	var mem *Request
	if !requeue && p.req.res == nil { // a request made in p.req has its res
		mem = &p.req
	}
	q, err := r.requestFor(&p.wt, o, requeue, mem, requeue)
	if q == nil || err != nil || q.state == Granted {
		return q, err
	}
	p.wt.on = q
	if err := p.park(); err != nil {
		return q, err
	}
	return q, nil
}

// Release returns the unit held by q.
func (p *Proc) Release(q *Request) error { return q.res.Release(q) }

// Use requests a unit of r, holds it for service seconds and releases it: the
// seize–delay–release of simmer and SimPy's `with request`. If a better request
// (or a capacity drop) preempts the process, it goes back to the head of its
// priority class and, when served again, continues with the service it had left
// (PreemptResume) or starts over (PreemptRestart), per r.Mode. It returns
// ErrBalked, ErrBlocked or ErrReneged if the process did not join or left the
// queue, or an *Interrupt (with the unit released) if it was interrupted.
func (p *Proc) Use(r *Resource, service float64, o RequestOpts) error {
	if err := checkDelay("Use", service); err != nil {
		return err
	}
	q, err := p.request(r, o, true)
	if q == nil {
		return err
	}
	left := service
	for {
		served := 0.0   // service time given since the last grant
		if err == nil { // q is granted: serve what is left
			start := p.wt.sim.now
			if err = p.Timeout(left); err == nil {
				return r.Release(q)
			}
			served = p.wt.sim.now - start
		}
		var pe *Preemption
		if !errors.As(err, &pe) || pe.Request != q {
			if q.state == Granted {
				r.Release(q)
			} else if q.state == Queued {
				q.abandon(&p.wt)
			}
			return err
		}
		if r.Mode == PreemptResume {
			// clamped: preempted as the service ends, rounding can make the
			// service given exceed what was left by an ulp
			left = math.Max(0, left-served)
		} else {
			left = service
		}
		// q is back in the queue (or already granted again): wait to be granted.
		err = nil
		if q.state == Queued {
			p.wt.on = q
			err = p.park()
		}
	}
}
