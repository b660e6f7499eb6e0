package scripts

import (
	"math"
	"testing"
	"time"
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

// BenchmarkAutoFlow reports the cost of auto_flow: a Lua M/M/2 (ρ = 0.8) of
// 10,000 customers per replication on one worker, without and with a flow row
// per customer, in customers per second.
func BenchmarkAutoFlow(b *testing.B) {
	for _, auto := range []string{"false", "true"} {
		b.Run("auto_flow="+auto, func(b *testing.B) {
			sc, err := LoadSource("mm2.lua", []byte(`return scenario { name = "mm2", horizon = 1e9, auto_flow = `+auto+`,
  build = function(sim, p)
    local servers, arr, svc = sim:resource("servers", 2), sim:rng("arrivals"), sim:rng("service")
    sim:source("customers", function() return arr:exp(1.6) end, function(proc)
      local req = proc:request(servers)
      proc:timeout(svc:exp(1))
      proc:release(req)
    end, { limit = 10000 })
  end }`), time.Minute)
			benchReplications(b, sc, err)
			b.ReportMetric(float64(b.N)*10000/b.Elapsed().Seconds(), "customers/s")
		})
	}
}
