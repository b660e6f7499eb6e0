package scripts

import (
	"math"
	"testing"
)

// auto_flow = true: every entity of a source gets a flow row without sim:flow.
// One server, an arrival every 10 s, service 15 s: entity k (k = 1, 2, ...)
// arrives at 10k, starts at 10 + 15(k-1) and waits 5(k-1) s (closed form of
// this D/D/1 queue), leaving at 25 + 15(k-1). proc:use_for waits count too.
// Without auto_flow the same model writes no row.
func TestAutoFlowRows(t *testing.T) {
	model := func(auto string) string {
		return `return scenario {
  name = "dd1", replications = 1, horizon = 100, ` + auto + `
  build = function(sim, p)
    local server = sim:resource("server", 1)
    local other = sim:resource("other", 1)
    sim:source("customers", function() return 10 end, function(proc)
      local req = proc:request(server)
      proc:timeout(15)
      proc:release(req)
    end, { limit = 5 })
    sim:source("jobs", function() return 10 end, function(proc)
      proc:use_for(other, 15)
    end, { limit = 3 })
  end,
}`
	}
	rows := runLua(t, "auto.lua", model("auto_flow = true,"))[0].Flow
	if len(rows) != 8 {
		t.Fatalf("%d flow rows, want 8 (5 customers, 3 jobs): %+v", len(rows), rows)
	}
	k := map[string]float64{}
	for _, r := range rows {
		k[r.Source]++
		n := k[r.Source]
		want := 5 * (n - 1)
		if r.Arrival != 10*n || r.Wait != want || r.End != 25+15*(n-1) || r.Disposition != "done" || !math.IsNaN(r.DoorDoctor) {
			t.Errorf("%s %v: %+v, want arrival %v, wait %v, end %v", r.Source, n, r, 10*n, want, 25+15*(n-1))
		}
	}
	if k["customers"] != 5 || k["jobs"] != 3 {
		t.Errorf("rows by source %v", k)
	}
	if rows := runLua(t, "noauto.lua", model(""))[0].Flow; len(rows) != 0 {
		t.Errorf("without auto_flow: %d rows", len(rows))
	}
}
