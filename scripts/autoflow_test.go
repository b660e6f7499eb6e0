package scripts

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine/results"
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

// chainModel is a deterministic two-resource chain: an entity every 10 s
// (from t = 10, 7 of them) holds A for 15 s (proc:request, the process's own
// timeout and release), then B for 20 s (proc:use_for), horizon 99 s.
const chainModel = `return scenario {
  name = "chain", replications = 1, horizon = 99, auto_flow = true,
  build = function(sim, p)
    local a, b = sim:resource("A", 1), sim:resource("B", 1)
    sim:source("patients", function() return 10 end, function(proc)
      local req = proc:request(a)
      proc:timeout(15)
      proc:release(req)
      proc:use_for(b, 20)
    end, { limit = 7 })
  end,
}`

// Acceptance (issue 23 item 1): waits.arrow gives each entity's request,
// grant, release and wait per resource, against the closed form of the
// deterministic chain (chainModel). A is D/D/1 with gap 10 and service 15:
// entity k (arriving at 10k) is granted A at 10 + 15(k-1), releases it at
// 25 + 15(k-1) and waits 5(k-1). B sees arrivals every 15 s (A's releases)
// and serves 20 s: k is granted B at 25 + 20(k-1), waiting 5(k-1), and leaves
// at 45 + 20(k-1). By the horizon (99 s) entities 1-3 have left (45, 65, 85);
// 4 holds B (granted 85), 5 queues for B since 85 (censored wait 99 - 85), 6
// holds A (granted 85), 7 queues for A since 70 (censored wait 29).
//
// Item 2: the four still in the system get a flow row each after those that
// left, in id order, with no end time and disposition in_system (simmer's
// finished = FALSE) and as wait the sum of their waits above; their count is
// the in_system_end KPI.
func TestAutoFlowWaitsPerResource(t *testing.T) {
	res := runLua(t, "chain.lua", chainModel)[0]
	nan := math.NaN()
	type w struct {
		entity                int64
		resource              string
		req, grant, rel, wait float64
		outcome               string
	}
	want := []w{
		{1, "A", 10, 10, 25, 0, "released"}, {1, "B", 25, 25, 45, 0, "released"},
		{2, "A", 20, 25, 40, 5, "released"}, {2, "B", 40, 45, 65, 5, "released"},
		{3, "A", 30, 40, 55, 10, "released"}, {3, "B", 55, 65, 85, 10, "released"},
		{4, "A", 40, 55, 70, 15, "released"}, {4, "B", 70, 85, nan, 15, "held"},
		{5, "A", 50, 70, 85, 20, "released"}, {5, "B", 85, nan, nan, 14, "queued"},
		{6, "A", 60, 85, nan, 25, "held"},
		{7, "A", 70, nan, nan, 29, "queued"},
	}
	same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	if len(res.Waits) != len(want) {
		t.Fatalf("%d waits rows, want %d: %+v", len(res.Waits), len(want), res.Waits)
	}
	for i, g := range res.Waits {
		e := want[i]
		if g.Entity != e.entity || g.Resource != e.resource || g.Source != "patients" || !same(g.Request, e.req) ||
			!same(g.Grant, e.grant) || !same(g.Release, e.rel) || !same(g.Wait, e.wait) || g.Outcome != e.outcome {
			t.Errorf("waits row %d: %+v, want %+v", i, g, e)
		}
	}
	type f struct {
		entity    int64
		end, wait float64
		disp      string
	}
	flows := []f{{1, 45, 0, "done"}, {2, 65, 10, "done"}, {3, 85, 20, "done"},
		{4, nan, 30, "in_system"}, {5, nan, 34, "in_system"}, {6, nan, 25, "in_system"}, {7, nan, 29, "in_system"}}
	if len(res.Flow) != len(flows) {
		t.Fatalf("%d flow rows, want %d: %+v", len(res.Flow), len(flows), res.Flow)
	}
	for i, g := range res.Flow {
		e := flows[i]
		if g.Entity != e.entity || g.Arrival != float64(10*e.entity) || !same(g.End, e.end) || g.Wait != e.wait || g.Disposition != e.disp {
			t.Errorf("flow row %d: %+v, want %+v", i, g, e)
		}
	}
	if k, _ := kpi(res, "in_system_end"); k.Value != 4 {
		t.Errorf("in_system_end = %v, want the 4 in_system rows", k.Value)
	}
}

// How a request ends when it is not simply released. C is held 0-50 by a
// process that is no entity (process 1), so the entities (processes 2-5,
// arriving at 10, 20, 30, 40) all queue: 2 asks with patience 5 and reneges at
// 15 having waited 5 (its flow row's wait is that 5, not the 25 s to its end
// at 35); 3 asks through use_for with patience 3 and reneges at 23; 4 queues
// and is interrupted at 45 (its request cancelled after 15 s); 5 finds 4 in
// the queue and balks (balk_at = 1), waiting 0.
func TestAutoFlowWaitOutcomes(t *testing.T) {
	res := runLua(t, "outcomes.lua", `return scenario {
  name = "outcomes", replications = 1, horizon = 100, auto_flow = true,
  build = function(sim, p)
    local c, d = sim:resource("C", 1), sim:resource("D", 1)
    sim:process(function(proc) proc:use_for(c, 50) end)
    sim:process(function(proc) proc:use_for(d, 100) end)
    local third
    sim:source("e", function() return 10 end, function(proc, n)
      if n == 1 then
        proc:request(c, { patience = 5 })
        proc:timeout(20)
      elseif n == 2 then
        proc:use_for(c, 5, { patience = 3 })
      elseif n == 3 then
        third = proc
        proc:request(c)
      elseif n == 4 then
        proc:request(c, { balk_at = 1 })
      else
        proc:request(d, { wait = false })
        proc:timeout(5)
      end
    end, { limit = 5 })
    sim:schedule(45, function() third:interrupt("stop") end)
  end,
}`)[0]
	type w struct {
		entity  int64
		wait    float64
		outcome string
	}
	want := []w{{3, 0, "balked"}, {2, 3, "reneged"}, {4, 0, "balked"}}
	_ = want
	got := map[int64]string{}
	for _, r := range res.Waits {
		got[r.Entity] = fmt.Sprintf("%s %g %g %v %v", r.Outcome, r.Request, r.Wait, r.Grant, r.Release)
	}
	wantRows := map[int64]string{
		3: "reneged 10 5 NaN NaN",
		4: "reneged 20 3 NaN NaN",
		5: "cancelled 30 15 NaN NaN",
		6: "balked 40 0 NaN NaN",
		7: "blocked 50 0 NaN NaN", // wait = false on a busy resource: refused at once
	}
	for id, s := range wantRows {
		if got[id] != s {
			t.Errorf("entity %d: %q, want %q", id, got[id], s)
		}
	}
	if len(res.Waits) != 5 {
		t.Errorf("%d waits rows, want 5: %+v", len(res.Waits), res.Waits)
	}
	for _, r := range res.Flow {
		if r.Entity == 3 && (r.Wait != 5 || r.End != 35 || r.Disposition != "reneged") {
			t.Errorf("entity 3's flow row %+v, want wait 5 (reneged at 15), end 35, reneged", r)
		}
	}
}

// Issue 23 item 3: sim:flow inside the process of an entity that auto_flow
// tracks is that entity's row, not a second one: one row per entity, whose
// entity, source, arrival and wait default to the tracked ones (the D/D/1 of
// TestAutoFlowRows: entity k arrives at 10k and waits 5(k-1)). A sim:flow row
// for another entity (entity = 1000 + n) is a row of its own.
func TestAutoFlowWithSimFlowOneRowPerEntity(t *testing.T) {
	rows := runLua(t, "both.lua", `return scenario {
  name = "both", replications = 1, horizon = 1000, auto_flow = true,
  build = function(sim, p)
    local server = sim:resource("server", 1)
    sim:source("customers", function() return 10 end, function(proc, n)
      local t0 = proc:now()
      local req = proc:request(server)
      proc:timeout(15)
      proc:release(req)
      sim:flow{ arrival = t0, disposition = "discharged" }
      if n == 2 then sim:flow{ entity = 1000 + n, arrival = t0, disposition = "other" } end
    end, { limit = 4 })
  end,
}`)[0].Flow
	if len(rows) != 5 {
		t.Fatalf("%d flow rows, want 4 entities + 1 other: %+v", len(rows), rows)
	}
	for _, r := range rows {
		if r.Entity == 1002 {
			if r.Disposition != "other" || !math.IsNaN(r.Wait) {
				t.Errorf("the other entity's row %+v", r)
			}
			continue
		}
		k := float64(r.Entity)
		if r.Source != "customers" || r.Disposition != "discharged" || r.Arrival != 10*k || r.Wait != 5*(k-1) || r.End != 25+15*(k-1) {
			t.Errorf("row %+v, want entity %v of customers, discharged, arrival %v, wait %v, end %v", r, k, 10*k, 5*(k-1), 25+15*(k-1))
		}
	}
}

// flowMM2 is an auto_flow M/M/2 whose customers are impatient (patience
// exponential, mean 2 min) and hold a second resource after the first, cut by
// the horizon with customers still in the system: every outcome of
// waits.arrow and the in_system rows of flow.arrow occur.
const flowMM2 = `return scenario {
  name = "flowmm2", replications = 6, horizon = hours(8), warmup = hours(1), auto_flow = true,
  build = function(sim, p)
    local desk, bed = sim:resource("desk", 2), sim:resource("bed", 3)
    local arr, svc = sim:rng("arrivals"), sim:rng("service")
    sim:source("patients", function() return minutes(arr:exp(1 / 2)) end, function(proc)
      local req = proc:request(desk, { patience = minutes(svc:exp(1 / 2)) })
      if not req then return end
      proc:timeout(minutes(svc:exp(1 / 3.5)))
      proc:release(req)
      proc:use_for(bed, minutes(svc:exp(1 / 6)))
    end)
  end,
}`

// writeFlowRun writes replications [from, to) of flowMM2 as shard (of 6) with
// the given workers.
func writeFlowRun(t *testing.T, dir string, from, to, workers int, shard string) {
	t.Helper()
	sc, err := LoadSource("flowmm2.lua", []byte(flowMM2), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rw, err := results.NewRunWriter(dir, results.Provenance{Scenario: "flowmm2.lua", Seed: sc.Seed, From: from, To: to, Total: 6, Shard: shard}, false, false)
	if err != nil {
		t.Fatal(err)
	}
	e := sc.Experiment(ctx, from, to)
	e.Workers = workers
	if err := e.Run(ctx, rw.Add); err != nil {
		t.Fatal(err)
	}
	if _, err := rw.Close(); err != nil {
		t.Fatal(err)
	}
}

// flow.arrow and waits.arrow of auto_flow are byte-identical with GOMAXPROCS
// 1 and 2, one worker or several, and as two shards merged; and waits.arrow
// has rows of every kind the model makes.
func TestAutoFlowBytesIdentical(t *testing.T) {
	one, all, merged := t.TempDir(), t.TempDir(), t.TempDir()
	old := runtime.GOMAXPROCS(1)
	writeFlowRun(t, one, 0, 6, 1, "")
	runtime.GOMAXPROCS(2)
	writeFlowRun(t, all, 0, 6, 0, "")
	parts := []string{t.TempDir(), t.TempDir()}
	writeFlowRun(t, parts[0], 0, 3, 0, "1/2")
	writeFlowRun(t, parts[1], 3, 6, 2, "2/2")
	runtime.GOMAXPROCS(old)
	if _, _, err := results.MergeRuns(merged, parts); err != nil {
		t.Fatal(err)
	}
	files := []string{"flow.arrow", "waits.arrow", "kpis.arrow", "summary.arrow"}
	sameBytes(t, one, all, "GOMAXPROCS=1, 1 worker and GOMAXPROCS=2, all workers", files...)
	sameBytes(t, one, merged, "one run and 2 shards merged", files...)
	tab, err := results.Read(filepath.Join(one, "waits.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Release()
	seen := map[string]int{}
	for _, r := range tab.Rows(-1) {
		seen[r[8]]++
	}
	for _, o := range []string{"released", "reneged", "held", "queued"} {
		if seen[o] == 0 {
			t.Errorf("no %s row in waits.arrow: %v", o, seen)
		}
	}
}

// Preemption. D: entity 1 (t = 10, priority 5) holds D through proc:request
// until entity 2 (t = 20, priority 1, preemptive) takes it, so 1's request
// ends preempted at 20; 2 releases at 25. E (proc:use_for, resumed after a
// preemption): entity 3 (t = 30, priority 5) serves 10 s, is preempted at 32
// by entity 4 (3 s, to 35) and serves its 8 s left from 35 to 43: one row
// granted at 30 (its first grant, wait 0) released at 43.
func TestAutoFlowWaitPreempted(t *testing.T) {
	res := runLua(t, "preempt.lua", `return scenario {
  name = "preempt", replications = 1, horizon = 100, auto_flow = true,
  build = function(sim, p)
    local d, e = sim:resource("D", 1), sim:resource("E", 1)
    local gaps, i = { 10, 10, 10, 2 }, 0
    sim:source("e", function() i = i + 1; return gaps[i] or 1000 end, function(proc, n)
      if n == 1 then
        local req = proc:request(d, { priority = 5 })
        proc:timeout(30)
        proc:release(req)
      elseif n == 2 then
        local req = proc:request(d, { priority = 1, preempt = true })
        proc:timeout(5)
        proc:release(req)
      elseif n == 3 then
        proc:use_for(e, 10, { priority = 5 })
      else
        proc:use_for(e, 3, { priority = 1, preempt = true })
      end
    end, { limit = 4 })
  end,
}`)[0]
	want := map[int64]string{
		1: "D preempted 10 10 20 0",
		2: "D released 20 20 25 0",
		3: "E released 30 30 43 0",
		4: "E released 32 32 35 0",
	}
	if len(res.Waits) != 4 {
		t.Fatalf("%d waits rows, want 4: %+v", len(res.Waits), res.Waits)
	}
	for _, r := range res.Waits {
		if g := fmt.Sprintf("%s %s %g %g %g %g", r.Resource, r.Outcome, r.Request, r.Grant, r.Release, r.Wait); g != want[r.Entity] {
			t.Errorf("entity %d: %q, want %q", r.Entity, g, want[r.Entity])
		}
	}
}
