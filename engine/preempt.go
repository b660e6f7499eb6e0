package engine

import (
	"fmt"
	"math"
)

// Preemption: a better-priority request (or a capacity drop) takes a holder's
// unit; the holder is requeued per the resource's PreemptMode.

// PreemptMode says what happens to the service of a holder that is preempted
// (simmer's restart flag).
type PreemptMode uint8

const (
	// PreemptResume puts the holder back at the head of its priority class; when
	// served again it continues with the service time it had left.
	PreemptResume PreemptMode = iota
	// PreemptRestart puts the holder back at the head of its priority class; when
	// served again it starts its whole service time over.
	PreemptRestart
)

// Preemption is the error a process holding a resource receives when a request
// of better priority (or a capacity drop) takes its unit.
type Preemption struct {
	Resource *Resource
	Request  *Request // the request that lost its unit
	By       *Request // the request that took it; nil for a capacity drop
	Since    float64  // when the lost unit had been granted
}

func (e *Preemption) Error() string {
	return fmt.Sprintf("preempted from %s (held since %g s)", e.Resource.Name, e.Since)
}

// victims counts the holders a request of priority prio may preempt.
func (r *Resource) victims(prio int) int {
	n := 0
	for _, u := range r.users {
		if u.opts.Priority > prio && !r.activeHolds(u) {
			n++
		}
	}
	return n
}

// activeHolds reports whether u is held by the Go process that is running (the
// one asking: it does not preempt itself).
func (r *Resource) activeHolds(u *Request) bool {
	a := r.sim.active
	return a != nil && u.w == &a.wt
}

// victim returns the holder to preempt for a request of priority prio: the one
// with the worst priority, the most recently granted among equals, if strictly
// worse than prio.
func (r *Resource) victim(prio int) *Request {
	var v *Request
	for _, u := range r.users {
		if r.activeHolds(u) {
			continue
		}
		if v == nil || u.opts.Priority > v.opts.Priority ||
			u.opts.Priority == v.opts.Priority && u.GrantedAt >= v.GrantedAt {
			v = u
		}
	}
	if v == nil || v.opts.Priority <= prio {
		return nil
	}
	return v
}

// preempt takes v's unit; by is the request that takes it (nil for a capacity drop).
func (r *Resource) preempt(v, by *Request) {
	s := r.sim
	r.removeUser(v)
	r.preempted++
	r.trace("preempt", v, s.now-v.GrantedAt)
	if v.release != 0 { // a ReleaseAfter service: requeue with what is left
		v.left = v.service
		if r.Mode == PreemptResume {
			v.left = v.service - (s.now - v.GrantedAt)
			v.service = v.left
		}
		if v.left <= 0 {
			v.left = math.SmallestNonzeroFloat64
		}
		v.release = 0
		r.enqueue(v)
		return
	}
	if v.requeue {
		r.enqueue(v)
	} else {
		v.state = Preempted
		v.EndedAt = s.now
	}
	if by != nil {
		by.pooled = false // the victim may keep e.By: never recycled under it
	}
	e := &Preemption{Resource: r, Request: v, By: by, Since: v.GrantedAt}
	switch {
	case v.w != nil:
		if v.w.on == v {
			// granted and preempted before the process ran: the preemption
			// is its result, nothing to withdraw
			v.w.on = nil
		}
		v.w.Wake(e)
	case v.OnPreempt != nil:
		v.OnPreempt(v)
	}
}
