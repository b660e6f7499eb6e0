package engine

import (
	"errors"
	"fmt"

	"github.com/medtwin/medtwin/engine/stats"
)

// Resource is a pool of identical units (beds, nurses, scanners) with a queue.
type Resource struct {
	sim      *Sim
	Name     string
	capacity int
	inUse    int
	queue    []*Request // waiting requests: sorted from qhead, or a heap (request_queue.go)
	qhead    int
	heap     bool
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
func (r *Resource) QueueLen() int { return r.queued() }

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

// arrive places a new request: granted, queued, blocked or balked.
func (r *Resource) arrive(q *Request) error {
	r.arrivals++
	r.trace("arrive", q, float64(q.opts.Priority))
	if r.inUse < r.capacity && r.queued() == 0 {
		r.grant(q)
		return nil
	}
	if q.opts.Preempt && (r.queued() == 0 || q.opts.Priority < r.first().opts.Priority) {
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
	// No room to wait (a full waiting room, or a request that may not wait) is
	// blocking, simmer's "rejected"; balking below is a request that could
	// queue choosing not to.
	if q.opts.NoWait || r.queueLimit >= 0 && r.queued() >= r.queueLimit {
		q.state = Blocked
		r.blocked++
		r.trace("block", q, float64(r.queued()))
		return ErrBlocked
	}
	if q.opts.BalkAt > 0 && r.queued() >= q.opts.BalkAt {
		q.state = Balked
		r.balked++
		r.trace("balk", q, float64(r.queued()))
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
	case q.granter != nil:
		q.granter.Granted(q)
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
	for r.inUse < r.capacity && r.queued() > 0 {
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
	q.EndedAt = r.sim.now
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
