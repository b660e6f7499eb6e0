package scripts

import (
	"context"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
)

// TestPcallKeepsProcessUpvaluesOpen: a process that catches an error with
// pcall and then updates a local that a closure reads. By Lua 5.1's semantics
// (the manual's §2.6: a closure sees its enclosing local's current value) the
// closure sees 3; gopher-lua closed every open upvalue of the thread at the
// error, so it reported 1 while the local said 3 (gopher-lua patch 18).
func TestPcallKeepsProcessUpvaluesOpen(t *testing.T) {
	src := `return scenario {
  name = "pcall_upvalue", replications = 1, horizon = 10,
  build = function(sim, p)
    sim:process(function(proc)
      local served = 0
      local function report() return served end
      for i = 1, 3 do
        pcall(function() if i == 2 then error("bad input") end end)
        served = served + 1
        proc:timeout(1)
      end
      sim:record("seen_by_closure", report())
      sim:record("served", served)
    end)
  end,
}
`
	sc, err := LoadSource("pcall_upvalue.lua", []byte(src), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e := sc.Experiment(ctx, 0, sc.Replications)
	var out []engine.RepResult
	if err := e.Run(ctx, func(r engine.RepResult) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"seen_by_closure", "served"} {
		if k, _ := kpi(out[0], name); k.Value != 3 {
			t.Errorf("%s = %v, want 3", name, k.Value)
		}
	}
}
