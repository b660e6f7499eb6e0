package scripts

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
)

// hostReuseScenario uses what a host keeps per replication: the KPI cache of
// names written in the script (sim:count("starts")), the empirical cache
// (r:empirical), auto_flow's entities still in the system at the horizon, the
// waits scratch, the sim userdata, and processes left waiting (their threads).
const hostReuseScenario = `
return scenario {
  name = "hostreuse", replications = 6, horizon = 60, auto_flow = true,
  build = function(sim, p)
    local r = sim:rng("a")
    local desk = sim:resource("desk", 1)
    local vals, w = { 1, 2, 3 }, { 1, 1, 2 }
    sim:count("starts")
    sim:set("rep", sim:replication())
    sim:source("c", function() return r:exp(0.2) end, function(proc)
      sim:record("draw", r:empirical(vals, w))
      proc:use(desk, function() proc:timeout(r:exp(0.1)) end)
      sim:count("done")
    end)
  end,
}
`

// Issue 25: the replications a worker runs one after another reuse its host
// (bind): each gives exactly what it gives when it is the first replication
// of a new worker, KPIs, flow and waits rows alike.
func TestReusedHostEqualsFresh(t *testing.T) {
	sc, err := LoadSource("hostreuse.lua", []byte(hostReuseScenario), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run := func(from, to int) []string {
		e := sc.Experiment(ctx, from, to)
		e.Workers = 1
		var out []string
		if err := e.Run(ctx, func(r engine.RepResult) error {
			out = append(out, fmt.Sprint(r))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	reused := run(0, sc.Replications)
	for rep := range sc.Replications {
		fresh := run(rep, rep+1)
		if len(fresh) != 1 || reused[rep] != fresh[0] {
			t.Errorf("replication %d after others on one worker:\n%s\nalone:\n%v", rep, reused[rep], fresh)
		}
	}
}
