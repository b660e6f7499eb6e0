package engine

import (
	"errors"
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine/stats"
)

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

// ShrinkPolicy says what happens to busy units when capacity drops below the
// number in use (a shift ends while staff are busy).
type ShrinkPolicy uint8

const (
	// ShrinkFinish lets holders finish; no one new is served until in-use falls
	// below the new capacity.
	ShrinkFinish ShrinkPolicy = iota
	// ShrinkPreempt preempts the excess holders at once (lowest priority, then
	// most recently served first), who go back to the queue per the PreemptMode.
	ShrinkPreempt
)

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
)

func (s RequestState) String() string {
	return [...]string{"queued", "granted", "released", "reneged", "balked", "cancelled", "preempted"}[s]
}

var (
	// ErrReneged is returned to a process whose patience ran out in the queue.
	ErrReneged = errors.New("reneged: patience ran out while queued")
	// ErrBalked is returned when a request refuses to join a queue that is too long.
	ErrBalked = errors.New("balked: the queue was too long to join")
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

// RequestOpts are the terms of a request.
type RequestOpts struct {
	// Priority orders the queue: lower values are served first (as ESI 1 before
	// ESI 5); equal priorities are served first come, first served.
	Priority int
	// Preempt lets this request take a unit from a holder of strictly worse
	// (higher) priority when none is free.
	Preempt bool
	// Patience, if positive, is how long the request waits before it reneges.
	Patience float64
	// BalkAt, if positive, refuses to join when that many requests already queue.
	BalkAt int
	// NoWait refuses at once (ErrBalked) when no unit is free: the request never
	// queues (an emergency transferred elsewhere when the unit is full).
	NoWait bool
	// Entity identifies the requester in the event log (a process's ID is used
	// when zero).
	Entity int64
}

// Request is a claim on one unit of a Resource. Requests made with Acquire are
// recycled after Release: do not use one after releasing it.
type Request struct {
	res      *Resource
	opts     RequestOpts
	seq      uint64
	state    RequestState
	w        *Waiter // the waiting process (Go or Lua); nil for callback requests
	onGrant  func(*Request)
	requeue  bool // a preempted holder goes back to the queue (Use, ReleaseAfter)
	served   bool // granted at least once (waits are counted once)
	pooled   bool
	hidx     int
	uidx     int
	patience uint64
	release  uint64  // key of the scheduled release (ReleaseAfter)
	service  float64 // service time given to ReleaseAfter
	left     float64 // service left when preempted
	ev       *Event

	// ArrivedAt is when the request joined; GrantedAt when it was last granted.
	ArrivedAt, GrantedAt float64
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

// Resource is a pool of identical units (beds, nurses, scanners) with a queue.
type Resource struct {
	sim      *Sim
	Name     string
	capacity int
	inUse    int
	queue    []*Request // heap on (priority, seq)
	users    []*Request
	free     []*Request
	dispatch bool
	// Mode applies to preempted holders that are requeued.
	Mode PreemptMode
	// Shrink applies when capacity drops below the units in use.
	Shrink ShrinkPolicy

	busy, capTW, qlen  stats.TimeWeighted
	over               stats.TimeWeighted // units held beyond capacity (overtime)
	queueLimit         int                // -1: unlimited
	blocked            float64
	waits              stats.Tally
	arrivals, served   float64
	reneged, balked    float64
	preempted, release float64
}

// NewResource creates a resource with the given capacity (at least 1; a roster
// may later lower it to 0).
func (s *Sim) NewResource(name string, capacity int) (*Resource, error) {
	if capacity < 1 {
		return nil, fmt.Errorf("engine: NewResource %q: capacity must be at least 1, got %d", name, capacity)
	}
	if name == "" {
		return nil, fmt.Errorf("engine: NewResource: empty name")
	}
	for _, r := range s.resources {
		if r.Name == name {
			return nil, fmt.Errorf("engine: NewResource: a resource named %q already exists", name)
		}
	}
	r := &Resource{sim: s, Name: name, capacity: capacity, queueLimit: -1}
	r.busy = stats.NewTimeWeighted(s.now, 0)
	r.capTW = stats.NewTimeWeighted(s.now, float64(capacity))
	r.qlen = stats.NewTimeWeighted(s.now, 0)
	r.over = stats.NewTimeWeighted(s.now, 0)
	s.resources = append(s.resources, r)
	return r, nil
}

// ErrBlocked is returned when a request finds no free unit and a full queue
// (a loss system such as M/M/c/c, or a finite waiting room).
var ErrBlocked = errors.New("blocked: no free unit and the queue is full")

// SetQueueLimit limits the number of waiting requests (0: no waiting room, a
// loss system; -1: unlimited, the default). Arrivals that find no free unit and
// a full queue are blocked (ErrBlocked) and counted.
func (r *Resource) SetQueueLimit(n int) {
	if n < 0 {
		n = -1
	}
	r.queueLimit = n
}

// Capacity returns the current number of units.
func (r *Resource) Capacity() int { return r.capacity }

// InUse returns the number of units held.
func (r *Resource) InUse() int { return r.inUse }

// QueueLen returns the number of waiting requests.
func (r *Resource) QueueLen() int { return len(r.queue) }

func (r *Resource) trace(kind string, q *Request, v float64) {
	if !r.sim.opts.Trace {
		return
	}
	ent := q.opts.Entity
	if ent == 0 && q.w != nil && q.w.proc != nil {
		ent = int64(q.w.proc.id)
	}
	r.sim.log = append(r.sim.log, EventRow{Time: r.sim.now, Kind: kind, Entity: ent, Resource: r.Name, Value: v})
}

func (r *Resource) newRequest(o RequestOpts) (*Request, error) {
	if math.IsNaN(o.Patience) || o.Patience < 0 {
		return nil, fmt.Errorf("engine: request for %s: patience must be >= 0, got %g", r.Name, o.Patience)
	}
	var q *Request
	if n := len(r.free); n > 0 {
		q = r.free[n-1]
		r.free = r.free[:n-1]
		*q = Request{pooled: true}
	} else {
		q = &Request{}
	}
	r.sim.seq++
	q.res, q.opts, q.seq, q.hidx, q.uidx = r, o, r.sim.seq, -1, -1
	q.ArrivedAt = r.sim.now
	return q, nil
}

// Acquire asks for one unit for callback-style models: onGrant runs when the unit
// is granted (at once, if one is free). It returns ErrBalked if the request
// refused to queue. Acquire allocates nothing once requests are recycled.
func (r *Resource) Acquire(o RequestOpts, onGrant func(*Request)) (*Request, error) {
	q, err := r.newRequest(o)
	if err != nil {
		return nil, err
	}
	q.pooled = true
	q.onGrant = onGrant
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
	return r.requestFor(w, o, false)
}

// requestFor makes and places a process's request; a requeued one goes back to
// the queue when preempted (Use).
func (r *Resource) requestFor(w *Waiter, o RequestOpts, requeue bool) (*Request, error) {
	q, err := r.newRequest(o)
	if err != nil {
		return nil, err
	}
	// a process keeps its request after release (it may release it again, which
	// must be an error, not a release of whoever got the recycled request)
	q.pooled = false
	q.w = w
	q.requeue = requeue
	return q, r.arrive(q)
}

// arrive places a new request: granted, queued, or balked.
func (r *Resource) arrive(q *Request) error {
	r.arrivals++
	r.trace("arrive", q, float64(q.opts.Priority))
	if r.inUse < r.capacity && len(r.queue) == 0 {
		r.grant(q)
		return nil
	}
	if q.opts.Preempt && (len(r.queue) == 0 || q.opts.Priority < r.queue[0].opts.Priority) {
		// Preempt only if that lets q start: over capacity (a roster shrank
		// under ShrinkFinish) that takes more than one holder, and at capacity 0
		// no number of holders will do.
		if need := r.inUse - r.capacity + 1; r.capacity > 0 && r.victims(q.opts.Priority) >= need {
			for ; need > 0; need-- {
				r.preempt(r.victim(q.opts.Priority), q)
			}
			r.grant(q)
			return nil
		}
	}
	if q.opts.NoWait || r.queueLimit >= 0 && len(r.queue) >= r.queueLimit {
		if q.opts.NoWait {
			q.state = Balked
			r.balked++
			r.trace("balk", q, float64(len(r.queue)))
			return ErrBalked
		}
		q.state = Balked
		r.blocked++
		r.trace("block", q, float64(len(r.queue)))
		return ErrBlocked
	}
	if q.opts.BalkAt > 0 && len(r.queue) >= q.opts.BalkAt {
		q.state = Balked
		r.balked++
		r.trace("balk", q, float64(len(r.queue)))
		return ErrBalked
	}
	r.enqueue(q)
	if q.opts.Patience > 0 {
		q.patience = r.sim.push(r.sim.now+q.opts.Patience, PriorityNormal, q)
	}
	return nil
}

func (r *Resource) grant(q *Request) {
	s := r.sim
	q.state = Granted
	q.GrantedAt = s.now
	r.inUse++
	r.busy.Set(s.now, float64(r.inUse))
	r.setOver()
	q.uidx = len(r.users)
	r.users = append(r.users, q)
	if !q.served {
		q.served = true
		r.served++
		r.waits.Add(s.now - q.ArrivedAt)
	}
	r.trace("grant", q, s.now-q.ArrivedAt)
	if q.left > 0 { // a preempted ReleaseAfter holder resumes or restarts its service
		d := q.left
		q.left = 0
		q.release = s.push(s.now+d, PriorityNormal, q)
		return
	}
	switch {
	case q.w != nil:
		// a process granted inside its own request call is running, not
		// waiting: waking it would resume its next, unrelated wait
		if q.w.parked {
			q.w.deliverGrant(q)
		}
	case q.onGrant != nil:
		q.onGrant(q)
	}
	if q.ev != nil && !q.ev.Triggered() {
		q.ev.Succeed(q)
	}
}

// run grants queued requests while units are free. A grant callback that
// releases re-enters here; the flag turns that recursion into this loop.
func (r *Resource) run() {
	if r.dispatch {
		return
	}
	r.dispatch = true
	for r.inUse < r.capacity && len(r.queue) > 0 {
		r.grant(r.dequeue())
	}
	r.dispatch = false
}

// Release returns the unit held by q. Releasing a request that lost its unit to
// preemption does nothing (as leaving SimPy's `with` block after a preemption).
// Releasing any other request that does not hold a unit (released already,
// still queued, cancelled) is an error and changes nothing.
func (r *Resource) Release(q *Request) error {
	if q != nil && q.res == r && q.state == Preempted {
		return nil
	}
	if err := r.release1(q); err != nil {
		return err
	}
	r.recycle(q)
	r.run()
	return nil
}

func (r *Resource) release1(q *Request) error {
	if q == nil || q.res != r {
		return fmt.Errorf("engine: Release on %s: the request is not for this resource", r.Name)
	}
	if q.state != Granted {
		return fmt.Errorf("engine: Release on %s: the request is %s, not held", r.Name, q.state)
	}
	r.removeUser(q)
	q.state = Released
	q.release = 0
	r.release++
	r.trace("release", q, r.sim.now-q.GrantedAt)
	return nil
}

func (r *Resource) recycle(q *Request) {
	if q.pooled {
		r.free = append(r.free, q)
	}
}

// ReleaseAfter releases q's unit after dt seconds of service, then calls
// q.OnRelease. If q is preempted meanwhile it is requeued and serves the rest
// (PreemptResume) or all (PreemptRestart) of dt when granted again.
func (r *Resource) ReleaseAfter(q *Request, dt float64) error {
	if err := checkDelay("ReleaseAfter", dt); err != nil {
		return err
	}
	if q.state != Granted || q.res != r {
		return fmt.Errorf("engine: ReleaseAfter on %s: the request is %s, not held", r.Name, q.state)
	}
	q.requeue = true
	q.service = dt
	q.release = r.sim.push(r.sim.now+dt, PriorityNormal, q)
	return nil
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
		r.trace("cancel", q, r.sim.now-q.ArrivedAt)
	case q.state == Granted:
		r.removeUser(q)
		q.state = Cancelled
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

func (r *Resource) removeUser(q *Request) {
	i := q.uidx
	last := len(r.users) - 1
	r.users[i] = r.users[last]
	r.users[i].uidx = i
	r.users[last] = nil
	r.users = r.users[:last]
	q.uidx = -1
	r.inUse--
	r.busy.Set(r.sim.now, float64(r.inUse))
	r.setOver()
}

func (r *Resource) setOver() {
	o := float64(r.inUse - r.capacity)
	if o < 0 {
		o = 0
	}
	if o != r.over.Value() {
		r.over.Set(r.sim.now, o)
	}
}

// OvertimeHours returns the unit-hours held beyond capacity since the start (or
// warm-up): staff finishing their patients after their shift ended.
func (r *Resource) OvertimeHours() float64 { return r.over.Area(r.sim.now) / 3600 }

// SetCapacity changes the number of units now (a roster change). Growing serves
// waiting requests at once; shrinking below the units in use follows r.Shrink.
func (r *Resource) SetCapacity(n int) error {
	if n < 0 {
		return fmt.Errorf("engine: SetCapacity on %s: capacity must be >= 0, got %d", r.Name, n)
	}
	s := r.sim
	r.capacity = n
	r.capTW.Set(s.now, float64(n))
	r.setOver()
	if s.opts.Trace {
		s.log = append(s.log, EventRow{Time: s.now, Kind: "capacity", Resource: r.Name, Value: float64(n)})
	}
	if r.Shrink == ShrinkPreempt {
		for r.inUse > n {
			v := r.victim(math.MinInt)
			if v == nil {
				break
			}
			r.preempt(v, nil)
		}
	}
	r.run()
	return nil
}

// CapacityChange sets the capacity to Capacity at time At (seconds).
type CapacityChange struct {
	At       float64
	Capacity int
}

type rosterStep struct {
	r      *Resource
	c      CapacityChange
	period float64
}

func (st *rosterStep) Fire() {
	st.r.SetCapacity(st.c.Capacity)
	if st.period > 0 {
		st.r.sim.push(st.r.sim.now+st.period, PriorityUrgent, st)
	}
}

// Roster schedules capacity changes at the given times (strictly increasing, not
// before now), repeated every period seconds if period > 0 (then every time must
// lie in [0, period)). Changes take effect before other events at the same time.
func (r *Resource) Roster(changes []CapacityChange, period float64) error {
	if len(changes) == 0 {
		return fmt.Errorf("engine: Roster on %s: no changes", r.Name)
	}
	if math.IsNaN(period) || period < 0 {
		return fmt.Errorf("engine: Roster on %s: period must be >= 0, got %g", r.Name, period)
	}
	for i, c := range changes {
		switch {
		case c.Capacity < 0:
			return fmt.Errorf("engine: Roster on %s: change %d sets capacity %d, want >= 0", r.Name, i+1, c.Capacity)
		case math.IsNaN(c.At) || c.At < r.sim.now:
			return fmt.Errorf("engine: Roster on %s: change %d at %g s is in the past", r.Name, i+1, c.At)
		case i > 0 && c.At <= changes[i-1].At:
			return fmt.Errorf("engine: Roster on %s: change %d at %g s is not after change %d at %g s", r.Name, i+1, c.At, i, changes[i-1].At)
		case period > 0 && c.At >= r.sim.now+period:
			return fmt.Errorf("engine: Roster on %s: change %d at %g s is outside the period of %g s", r.Name, i+1, c.At, period)
		}
	}
	for _, c := range changes {
		r.sim.push(c.At, PriorityUrgent, &rosterStep{r: r, c: c, period: period})
	}
	return nil
}

// queue: a binary heap on (priority, seq) with positions kept in hidx.

func (a *Request) ahead(b *Request) bool {
	return a.opts.Priority < b.opts.Priority || a.opts.Priority == b.opts.Priority && a.seq < b.seq
}

func (r *Resource) enqueue(q *Request) {
	q.state = Queued
	q.hidx = len(r.queue)
	r.queue = append(r.queue, q)
	r.up(q.hidx)
	r.qlen.Set(r.sim.now, float64(len(r.queue)))
}

func (r *Resource) dequeue() *Request {
	q := r.queue[0]
	r.remove(q)
	return q
}

func (r *Resource) remove(q *Request) {
	i := q.hidx
	last := len(r.queue) - 1
	if i != last {
		r.queue[i] = r.queue[last]
		r.queue[i].hidx = i
	}
	r.queue[last] = nil
	r.queue = r.queue[:last]
	if i != last {
		r.down(i)
		r.up(i)
	}
	q.hidx = -1
	r.qlen.Set(r.sim.now, float64(len(r.queue)))
}

func (r *Resource) up(i int) {
	h := r.queue
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].ahead(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		h[i].hidx, h[p].hidx = i, p
		i = p
	}
}

func (r *Resource) down(i int) {
	h := r.queue
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if rr := l + 1; rr < n && h[rr].ahead(h[l]) {
			m = rr
		}
		if !h[m].ahead(h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		h[i].hidx, h[m].hidx = i, m
		i = m
	}
}

func (r *Resource) resetStats() {
	now := r.sim.now
	r.busy.Reset(now)
	r.capTW.Reset(now)
	r.qlen.Reset(now)
	r.over.Reset(now)
	r.waits.Reset()
	r.arrivals, r.served, r.reneged, r.balked, r.preempted, r.release, r.blocked = 0, 0, 0, 0, 0, 0, 0
}

// Utilisation returns busy unit-time over available unit-time since the start
// (or the end of warm-up).
func (r *Resource) Utilisation() float64 {
	now := r.sim.now
	c := r.capTW.Area(now)
	if c == 0 {
		return math.NaN()
	}
	return r.busy.Area(now) / c
}

// QueueMean returns the time-average queue length.
func (r *Resource) QueueMean() float64 { return r.qlen.Mean(r.sim.now) }

// BusyMean returns the time-average number of units in use.
func (r *Resource) BusyMean() float64 { return r.busy.Mean(r.sim.now) }

// Blocked returns the number of arrivals blocked by a full queue.
func (r *Resource) Blocked() float64 { return r.blocked }

// Served returns the number of requests granted (first grants only).
func (r *Resource) Served() float64 { return r.served }

// Arrivals returns the number of requests made.
func (r *Resource) Arrivals() float64 { return r.arrivals }

// WaitMean returns the mean wait (seconds) of requests granted since warm-up.
func (r *Resource) WaitMean() float64 { return r.waits.Mean() }

func (r *Resource) appendResults(out []KPIValue) []KPIValue {
	n := r.Name + "."
	return append(out,
		KPIValue{Name: n + "utilisation", Kind: KindGauge, Value: r.Utilisation(), N: 1},
		KPIValue{Name: n + "busy_mean", Kind: KindGauge, Value: r.BusyMean(), N: 1},
		KPIValue{Name: n + "queue_mean", Kind: KindGauge, Value: r.QueueMean(), N: 1},
		KPIValue{Name: n + "wait_mean_s", Kind: KindTally, Value: r.waits.Mean(), N: r.waits.N()},
		KPIValue{Name: n + "arrivals", Kind: KindCounter, Value: r.arrivals, N: 1},
		KPIValue{Name: n + "served", Kind: KindCounter, Value: r.served, N: 1},
		KPIValue{Name: n + "reneged", Kind: KindCounter, Value: r.reneged, N: 1},
		KPIValue{Name: n + "balked", Kind: KindCounter, Value: r.balked, N: 1},
		KPIValue{Name: n + "preempted", Kind: KindCounter, Value: r.preempted, N: 1},
		KPIValue{Name: n + "blocked", Kind: KindCounter, Value: r.blocked, N: 1},
		KPIValue{Name: n + "overtime_h", Kind: KindValue, Value: r.OvertimeHours(), N: 1},
		KPIValue{Name: n + "in_use_end", Kind: KindValue, Value: float64(r.inUse), N: 1},
		KPIValue{Name: n + "queued_end", Kind: KindValue, Value: float64(len(r.queue)), N: 1},
	)
}
