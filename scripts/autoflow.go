package scripts

import (
	"math"
	"slices"

	"github.com/medtwin/medtwin/engine"
)

// entityFlow is what auto_flow = true keeps of an entity of a sim:source while
// its process runs: one pointer per process and one per request, nothing when
// auto_flow is off.
type entityFlow struct {
	source  string
	arrival float64
	visits  []*visit // its requests, in the order it made them
	// recorded: sim:flow wrote the entity's flow row from inside its process,
	// so no automatic one is written (its waits.arrow rows still are)
	recorded bool
}

// visit is one request of an entity for a resource. A proc:request's request
// is never recycled by the kernel and is read when the row is written;
// proc:use_for's is recycled once it ends, so its callbacks note what
// happened here and drop it.
type visit struct {
	q        *engine.Request // the request while it may be read
	resource string
	request  float64
	grant    float64 // the first grant, if served
	end      float64 // when it ended (released, reneged, cancelled, preempted)
	state    engine.RequestState
	served   bool
}

// track starts the visit of request q (nil if it was refused) for resource res,
// made now.
func (f *entityFlow) track(q *engine.Request, res string, now float64) *visit {
	v := &visit{q: q, resource: res, request: now, state: engine.Balked}
	f.visits = append(f.visits, v)
	return v
}

// granted notes a proc:use_for grant (the first one counts: a holder preempted
// and requeued waits again, as the kernel's resource wait does not count).
func (v *visit) granted(now float64) {
	if !v.served {
		v.served, v.grant = true, now
	}
}

// ended notes that a proc:use_for request ended now in state st; the kernel
// may recycle it from here on.
func (v *visit) ended(st engine.RequestState, now float64) {
	if v.q != nil && v.q.Served() {
		v.granted(v.q.GrantedAt)
	}
	v.q, v.state, v.end = nil, st, now
}

// row is the visit's waits.arrow row, written at now (the entity's end, or the
// horizon for an entity still in the system).
func (v *visit) row(id int64, source string, now float64) engine.WaitRow {
	if q := v.q; q != nil {
		v.state, v.end = q.State(), q.EndedAt
		if q.Served() {
			v.granted(q.GrantedAt)
		}
	}
	nan := math.NaN()
	r := engine.WaitRow{Entity: id, Source: source, Resource: v.resource, Request: v.request, Grant: nan, Release: nan,
		Wait: now - v.request, Outcome: v.state.String()}
	if v.served {
		r.Grant, r.Wait = v.grant, v.grant-v.request
	}
	switch v.state {
	case engine.Granted:
		r.Outcome = "held"
	case engine.Released, engine.Preempted:
		r.Release = v.end
	case engine.Cancelled, engine.Reneged:
		if v.served {
			r.Release = v.end
		} else {
			r.Wait = v.end - v.request
		}
	case engine.Balked, engine.Blocked: // refused at once: no wait
		r.Wait = 0
	}
	return r
}

// rows appends the entity's waits.arrow rows at now to dst and returns them
// with their total wait.
func (f *entityFlow) rows(dst []engine.WaitRow, id int64, now float64) ([]engine.WaitRow, float64) {
	total := 0.0
	for _, v := range f.visits {
		r := v.row(id, f.source, now)
		total += r.Wait
		dst = append(dst, r)
	}
	return dst, total
}

// row is the entity's flow.arrow row at now, after rows: entity (the process
// id), source (the source's name), arrival (the process start), end (now, or
// NaN with disposition in_system for an entity still in the system at the
// horizon), wait (the sum of its waits.arrow waits) and disposition "done", or
// "reneged" if one of its requests reneged. The hospital intervals
// (door-to-doctor, boarding) do not apply to a generic entity and are NaN.
func (f *entityFlow) row(id int64, now, wait float64, inSystem bool) engine.FlowRow {
	r := engine.FlowRow{Entity: id, Source: f.source, Arrival: f.arrival, End: now, DoorTriage: math.NaN(),
		DoorDoctor: math.NaN(), Disposition: "done", Boarding: math.NaN(), Wait: wait}
	for _, v := range f.visits {
		if v.state == engine.Reneged {
			r.Disposition = "reneged"
		}
	}
	switch {
	case inSystem:
		r.End, r.Disposition = math.NaN(), "in_system"
	case r.End == 0:
		r.End = math.SmallestNonzeroFloat64 // Sim.Flow reads 0 as now
	}
	return r
}

// record writes the entity's flow row (unless sim:flow wrote it) and its
// waits rows at now.
func (f *entityFlow) record(h *host, id int64, inSystem bool) {
	s := h.sim
	var wait float64
	h.waitRows, wait = f.rows(h.waitRows[:0], id, s.Now())
	if !f.recorded {
		s.Flow(f.row(id, s.Now(), wait, inSystem))
	}
	if len(h.waitRows) > 0 {
		s.Waits(f.arrival, h.waitRows) // copies them
	}
}

// flowInSystem records the entities of auto_flow still in the system at the
// end of the replication, in id order (simmer's unfinished arrivals).
func (h *host) flowInSystem() {
	ids := make([]uint64, 0, len(h.inSystem))
	for id := range h.inSystem {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		h.inSystem[id].record(h, int64(id), true)
	}
}
