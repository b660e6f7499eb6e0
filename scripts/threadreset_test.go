package scripts

import (
	"context"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
)

// waitingAtEnd leaves processes waiting when each replication ends: a
// controller that never finishes, customers queueing for a busy server, one
// holding a closure over its locals; the KPIs depend on every process's state.
const waitingAtEnd = `
return scenario {
  name = "waiting", replications = 100, horizon = 50,
  build = function(sim, p)
    local server = sim:resource("server", 1)
    local gaps = sim:rng("gaps")
    sim:process(function(proc)
      local n = 0
      while true do
        n = n + 1
        sim:set("ticks", n)
        proc:timeout(7)
      end
    end)
    sim:source("customers", function() return gaps:exp(0.5) end, function(proc)
      local t0 = proc:now()
      local seen = function() return proc:now() - t0 end
      local req = proc:request(server)
      sim:record("wait", seen())
      proc:timeout(gaps:exp(0.2))
      proc:release(req)
      sim:count("served")
    end)
  end,
}
`

// Issue 25: the threads of processes still waiting at a replication's end are
// reset and used again (resetThread) instead of a new thread each, and the
// replications give what fresh states give.
func TestThreadsOfWaitingProcessesAreReused(t *testing.T) {
	sc, err := LoadSource("waiting.lua", []byte(waitingAtEnd), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e := sc.Experiment(ctx, 0, sc.Replications)
	e.Workers = 1
	before := threadsMade.Load()
	var reused []engine.RepResult
	if err := e.Run(ctx, func(r engine.RepResult) error { reused = append(reused, r); return nil }); err != nil {
		t.Fatal(err)
	}
	made := threadsMade.Load() - before
	// fresh: every replication in a new state (Scenario.Build)
	fresh := engine.Experiment{Seed: sc.Seed, To: sc.Replications, Horizon: sc.Horizon, Workers: 1,
		Build: func(s *engine.Sim) error { return sc.Build(ctx, s) }}
	i := 0
	err = fresh.Run(ctx, func(r engine.RepResult) error {
		if len(r.KPIs) != len(reused[i].KPIs) {
			t.Fatalf("replication %d: %d KPIs, fresh state %d", i, len(reused[i].KPIs), len(r.KPIs))
		}
		for j, k := range r.KPIs {
			if k != reused[i].KPIs[j] {
				t.Errorf("replication %d: %+v with reused threads, %+v in a fresh state", i, reused[i].KPIs[j], k)
			}
		}
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// each replication leaves the controller and a queue (about 15) waiting:
	// without the reset that is that many new threads per replication, with it
	// as many as the most processes at once in one replication (about 30)
	if made > 60 {
		t.Errorf("%d replications made %d threads: the threads of waiting processes are not reused", sc.Replications, made)
	}
}
