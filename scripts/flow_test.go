package scripts

import (
	"math"
	"strings"
	"testing"
	"time"
)

// sim:flow writes one flow row per call with the given fields, NaN for the
// intervals not given, finish defaulting to now; a bad call names the problem.
func TestLuaFlowRows(t *testing.T) {
	res := runLua(t, "flow.lua", `return scenario {
  name = "flow", replications = 1, horizon = 100,
  build = function(sim, p)
    local server = sim:resource("server", 1)
    sim:source("customers", function() return 10 end, function(proc)
      local t0 = proc:now()
      proc:use(server, function() proc:timeout(15) end)
      sim:flow{ entity = proc:id(), source = "customer", arrival = t0, wait = 0, disposition = "discharged" }
    end)
  end,
}`)
	rows := res[0].Flow
	if len(rows) < 5 {
		t.Fatalf("%d flow rows", len(rows))
	}
	r := rows[1]
	if r.Source != "customer" || r.Disposition != "discharged" || r.End-r.Arrival < 15 || !math.IsNaN(r.DoorDoctor) || r.Wait != 0 {
		t.Errorf("row %+v", r)
	}
	sc, err := Load(write(t, "bad.lua", `return scenario { name = "b", replications = 1, horizon = 10,
  build = function(sim, p) sim:flow{ arrival = 1, colour = "red" } end }`), time.Minute)
	if err == nil {
		_, err = runAll(t, sc, time.Minute, 0)
	}
	if err == nil || !strings.Contains(err.Error(), "unknown key 'colour'") {
		t.Errorf("bad key: %v", err)
	}
}
