package scripts

import (
	"math"

	"github.com/medtwin/medtwin/engine"
)

// entityFlow is what auto_flow = true keeps of an entity of a sim:source while
// its process runs: one pointer per process and one per proc:request, nothing
// when auto_flow is off.
type entityFlow struct {
	source  string
	arrival float64
	reqs    []*engine.Request // proc:request's requests (never recycled by the kernel)
	wait    float64           // proc:use_for's waits, added when granted
}

// row is the entity's flow.arrow row when its process ends at now: entity (the
// process id), source (the source's name), arrival (the process start), finish
// (now), wait (the sum of its waits in resource queues: grant minus request
// for each granted request; for one never granted, reneged or withdrawn, the
// time from the request to the process's end, an upper bound) and disposition
// "done", or "reneged" if one of its requests reneged. The hospital intervals
// (door-to-doctor, boarding) do not apply to a generic entity and are NaN.
func (f *entityFlow) row(id int64, now float64) engine.FlowRow {
	r := engine.FlowRow{Entity: id, Source: f.source, Arrival: f.arrival, End: now, DoorTriage: math.NaN(),
		DoorDoctor: math.NaN(), Disposition: "done", Boarding: math.NaN(), Wait: f.wait}
	if r.End == 0 {
		r.End = math.SmallestNonzeroFloat64 // Sim.Flow reads 0 as now
	}
	for _, q := range f.reqs {
		switch q.State() {
		case engine.Granted, engine.Released:
			r.Wait += q.GrantedAt - q.ArrivedAt
		case engine.Reneged:
			r.Disposition = "reneged"
			r.Wait += now - q.ArrivedAt
		default:
			r.Wait += now - q.ArrivedAt
		}
	}
	return r
}
