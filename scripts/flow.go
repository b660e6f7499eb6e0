package scripts

import (
	"math"

	"github.com/medtwin/medtwin/engine"
	lua "github.com/yuin/gopher-lua"
)

// flowKeys are the fields of sim:flow{...}; times are seconds, a missing
// interval is NaN in flow.arrow.
var flowKeys = []string{"entity", "source", "arrival", "finish", "acuity", "door_to_triage", "door_to_doctor", "disposition", "boarding", "wait"}

// luaFlow is sim:flow{entity=, arrival=, [finish=now], [source=], [acuity=],
// [door_to_triage=], [door_to_doctor=], [disposition=], [boarding=], [wait=]}:
// one row of flow.arrow for an entity of a generic Lua model (simmer's
// get_mon_arrivals), so that validate can compare it with observed visits.
// Called in the process of an entity that auto_flow tracks (for that entity:
// no entity= or its id), the row is that entity's only one: entity, source,
// arrival and wait default to what auto_flow tracked, and no automatic row
// follows when the process ends.
func luaFlow(h *host, L *lua.LState) int {
	c := newCfg(L, 2, "sim:flow", flowKeys...)
	// inside the process of an auto_flow entity, for that entity (no entity=,
	// or its id): this row replaces its automatic one, and what is not given
	// comes from what auto_flow tracked
	var ent *entityFlow
	var id int64
	if p := h.running; p != nil && p.th == L && p.flow != nil {
		id = int64(p.id)
		if !c.has("entity") || int64(c.num("entity", 0)) == id {
			ent = p.flow
		}
	}
	if !c.has("arrival") && ent == nil {
		L.RaiseError("sim:flow: arrival (the entity's arrival time, seconds) is required")
	}
	str := func(key, def string) string {
		v := c.t.RawGetString(key)
		if v == lua.LNil {
			return def
		}
		s, ok := v.(lua.LString)
		if !ok {
			L.RaiseError("sim:flow: %s must be a string, got %s", key, v.Type())
		}
		return string(s)
	}
	nan := math.NaN()
	entity, source, arrival, wait := int64(c.num("entity", 0)), "entity", 0.0, nan
	if ent != nil {
		_, waited := ent.rows(nil, id, h.sim.Now())
		entity, source, arrival, wait = id, ent.source, ent.arrival, waited
	}
	r := engine.FlowRow{Entity: entity, Source: str("source", source), Arrival: c.num("arrival", arrival),
		End: c.num("finish", h.sim.Now()), Acuity: int32(c.num("acuity", 0)), DoorTriage: c.num("door_to_triage", nan),
		DoorDoctor: c.num("door_to_doctor", nan), Disposition: str("disposition", "left"), Boarding: c.num("boarding", nan),
		Wait: c.num("wait", wait)}
	if math.IsNaN(r.Arrival) || r.Arrival > h.sim.Now() || !(r.End >= r.Arrival) {
		L.RaiseError("sim:flow: want arrival <= finish and arrival <= now (%g), got arrival %g, finish %g", h.sim.Now(), r.Arrival, r.End)
	}
	if r.End == 0 {
		r.End = math.SmallestNonzeroFloat64 // Sim.Flow reads 0 as now
	}
	if ent != nil {
		ent.recorded = true
	}
	h.sim.Flow(r)
	return 0
}
