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
func luaFlow(h *host, L *lua.LState) int {
	c := newCfg(L, 2, "sim:flow", flowKeys...)
	if !c.has("arrival") {
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
	r := engine.FlowRow{Entity: int64(c.num("entity", 0)), Source: str("source", "entity"), Arrival: c.num("arrival", 0),
		End: c.num("finish", h.sim.Now()), Acuity: int32(c.num("acuity", 0)), DoorTriage: c.num("door_to_triage", nan),
		DoorDoctor: c.num("door_to_doctor", nan), Disposition: str("disposition", "left"), Boarding: c.num("boarding", nan),
		Wait: c.num("wait", nan)}
	if math.IsNaN(r.Arrival) || r.Arrival > h.sim.Now() || !(r.End >= r.Arrival) {
		L.RaiseError("sim:flow: want arrival <= finish and arrival <= now (%g), got arrival %g, finish %g", h.sim.Now(), r.Arrival, r.End)
	}
	if r.End == 0 {
		r.End = math.SmallestNonzeroFloat64 // Sim.Flow reads 0 as now
	}
	h.sim.Flow(r)
	return 0
}
