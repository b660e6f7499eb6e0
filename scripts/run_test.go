package scripts

import (
	"context"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/engine/verify"
	"github.com/medtwin/medtwin/physio/pk"
)

// Acceptance: scenarios/mmc.lua on its defaults reproduces Erlang C.
func TestMMcScenarioReproducesErlangC(t *testing.T) {
	sc, err := Load("../scenarios/mmc.lua", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(t, sc, 5*time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := engine.Summaries(res, 0.95)
	_, want := verify.ErlangC(10, 9, 1) // tested against the published 0.668732 in engine/verify
	for _, k := range s {
		if k.Name == "wait_h" {
			t.Logf("wait_h = %.4f [%.4f, %.4f] over %d replications; Erlang C %.6f", k.Mean, k.Low, k.High, k.N, want)
			if !k.Contains(want) {
				t.Fatalf("95%% CI [%v, %v] does not contain the Erlang C value %v", k.Low, k.High, want)
			}
			return
		}
	}
	t.Fatal("no wait_h KPI")
}

func writeScenarioRun(t *testing.T, sc *Scenario, dir string) {
	t.Helper()
	ctx := context.Background()
	rw, err := results.NewRunWriter(dir, results.Provenance{Scenario: "mmc.lua", Seed: sc.Seed, To: sc.Replications, Total: sc.Replications, Params: sc.Values()}, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Experiment(ctx, 0, sc.Replications).Run(ctx, rw.Add); err != nil {
		t.Fatal(err)
	}
	if _, err := rw.Close(); err != nil {
		t.Fatal(err)
	}
}

func smallMMc(t *testing.T) *Scenario {
	sc, err := Load("../scenarios/mmc.lua", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	sc.Replications, sc.Horizon, sc.Warmup, sc.SampleEvery, sc.Trace = 4, 86400*5, 86400, 3600, true
	return sc
}

// Same seed: identical bytes, with GOMAXPROCS 1 and 2.
func TestScenarioBytesIdenticalAcrossGOMAXPROCS(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	old := runtime.GOMAXPROCS(1)
	writeScenarioRun(t, smallMMc(t), a)
	runtime.GOMAXPROCS(2)
	writeScenarioRun(t, smallMMc(t), b)
	runtime.GOMAXPROCS(old)
	sameBytes(t, a, b, "GOMAXPROCS=1 and 2", "kpis.arrow", "events.arrow", "timeseries.arrow", "summary.arrow")
}

// Common random numbers: adding a server changes waits but not a single arrival time.
func TestSetDoesNotShiftArrivals(t *testing.T) {
	arrivals := func(servers string) []float64 {
		sc := smallMMc(t)
		if err := sc.Set("servers=" + servers); err != nil {
			t.Fatal(err)
		}
		res, err := runAll(t, sc, time.Minute, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ts []float64
		for _, e := range res[1].Events {
			if e.Kind == "arrive" {
				ts = append(ts, e.Time)
			}
		}
		return ts
	}
	a, b := arrivals("10"), arrivals("11")
	if len(a) < 1000 || !reflect.DeepEqual(a, b) {
		t.Fatalf("arrival times differ between servers=10 and 11 (%d vs %d arrivals)", len(a), len(b))
	}
}

// The Lua process API against timelines worked out by hand (as in the engine tests).
func TestLuaProcessAPI(t *testing.T) {
	src := wrapBuild(`
    -- preempt-resume: low needs 10 s from 0, high (preemptive) 3 s from 4: low ends at 13
    local ct = sim:resource("ct", 1)
    sim:process(function(proc)
      proc:use(ct, 10, { priority = 5 })
      sim:set("low_end", proc:now())
    end)
    sim:schedule(4, function()
      sim:process(function(proc)
        proc:use(ct, 3, { priority = 1, preempt = true })
        sim:set("high_end", proc:now())
      end)
    end)
    -- renege: a desk held 0..10, a patient arriving at 1 with patience 5 leaves at 6
    local desk = sim:resource("desk", 1)
    sim:process(function(proc) proc:use(desk, 10) end)
    sim:schedule(1, function()
      sim:process(function(proc)
        local req, why = proc:request(desk, { patience = 5 })
        if not req and why == "reneged" then sim:set("renege_at", proc:now()) end
      end)
    end)
    -- interrupt: a process sleeping 10 s is interrupted at 3, then sleeps 20 more: ends at 23
    local sleeper = sim:process(function(proc)
      local ok, why, cause = proc:timeout(10)
      if not ok then sim:set("interrupt_at", proc:now()); sim:set("cause", cause) end
      proc:timeout(20)
      sim:set("sleeper_end", proc:now())
    end)
    sim:schedule(3, function() sleeper:interrupt(7) end)
    -- events: wait on a timeout event, and a store hand-over
    local box = sim:store("box", 1)
    sim:process(function(proc)
      local item = proc:get(box)
      sim:set("got", item)
      sim:set("got_at", proc:now())
    end)
    sim:process(function(proc)
      proc:wait(sim:timeout(2))
      proc:put(box, 99)
    end)
    -- any_of: the earlier of two timeouts wins, at 2
    sim:process(function(proc)
      local slow, fast = sim:timeout(9), sim:timeout(2)
      local fired = proc:any_of(slow, fast)
      sim:set("any_n", #fired)
      sim:set("any_fast", fired[1] == fast and 1 or 0)
      sim:set("any_at", proc:now())
      proc:all_of(slow, fast)
      sim:set("all_at", proc:now())
    end)
    -- use with a function holds the unit while it runs
    local bed = sim:resource("bed", 1)
    sim:process(function(proc)
      proc:use(bed, function(req) proc:timeout(4) end)
      sim:set("bed_free_at", proc:now())
      sim:set("bed_in_use", bed:in_use())
    end)`)
	sc, err := Load(write(t, "api.lua", src), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(t, sc, time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"low_end": 13, "high_end": 7, "renege_at": 6, "interrupt_at": 3, "cause": 7,
		"sleeper_end": 23, "got": 99, "got_at": 2, "bed_free_at": 4, "bed_in_use": 0, "desk.reneged": 1, "ct.preempted": 1,
		"any_n": 1, "any_fast": 1, "any_at": 2, "all_at": 9}
	for name, v := range want {
		k, ok := kpi(res[0], name)
		if !ok || k.Value != v {
			t.Errorf("%s = %v (found %v), want %v", name, k.Value, ok, v)
		}
	}
	if k, _ := kpi(res[0], "in_system_end"); k.Value != 0 {
		t.Errorf("%v processes still in the system", k.Value)
	}
}

// A scenario doses a patient and reads concentrations: 100 mg IV into a 1-compartment
// model (CL 5 L/h, V 50 L) gives C = 2·e^{−0.1 t} mg/L after t hours.
func TestLuaPatient(t *testing.T) {
	src := wrapBuild(`
    local pt = sim:patient("pk", { cl = 5, v1 = 50 })
    sim:schedule(hours(1), function() pt:dose(100, { state = "central" }) end)
    sim:schedule(hours(4), function() sim:set("c3h", pt:conc()) end)
    sim:schedule(hours(11), function() sim:set("c10h", pt:output("conc_mg_l")); sim:set("amt", pt:state("central")) end)`)
	src = strings.Replace(src, "horizon = 100", "horizon = days(1)", 1)
	sc, err := Load(write(t, "pt.lua", src), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(t, sc, time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{"c3h": 2 * math.Exp(-0.3), "c10h": 2 * math.Exp(-1), "amt": 100 * math.Exp(-1)} {
		k, _ := kpi(res[0], name)
		if math.Abs(k.Value-want) > 1e-6*want {
			t.Errorf("%s = %v, want %v", name, k.Value, want)
		}
	}
	bad := wrapBuild(`    local pt = sim:patient("vanco")`)
	sc, _ = Load(write(t, "bad.lua", bad), time.Minute)
	if _, err := runAll(t, sc, time.Minute, 0); err == nil || !strings.Contains(err.Error(), "bad.lua:4:") || !strings.Contains(err.Error(), "vancomycin") {
		t.Fatalf("%v", err)
	}
}

// NONMEM-style records from a Lua table: 1000 mg over 1 h every 12 h (ADDL 2)
// into a 1-compartment model equal the exact PK path at 36 h; bad records name
// themselves.
func TestLuaRegimen(t *testing.T) {
	src := wrapBuild(`
    local pt = sim:patient("pk", { cl = 5, v1 = 50 })
    pt:regimen({ { time = 0, amt = 1000, rate = 1000, ii = 12, addl = 2, cmt = "central" } })
    sim:schedule(hours(36), function() sim:set("c36", pt:conc()) end)`)
	src = strings.Replace(src, "horizon = 100", "horizon = days(2)", 1)
	sc, err := Load(write(t, "reg.lua", src), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(t, sc, time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	m := pk.Model{NCmt: 1, P: pk.Params{CL: 5, V1: 50}}
	want, _ := m.Simulate([]pk.Dose{{Amt: 1000, Rate: 1000, II: 12, ADDL: 2, Cmt: 1}}, []float64{36}, pk.Exact)
	if k, _ := kpi(res[0], "c36"); math.Abs(k.Value-want[0]) > 1e-6*want[0] {
		t.Fatalf("c36 = %v, exact %v", k.Value, want[0])
	}
	for code, msg := range map[string]string{
		`{ { amt = 100, addl = 3 } }`:                 "dosing record 1: II = 0 with ADDL = 3",
		`{ { time = 0, amt = -5 } }`:                  "dosing record 1: AMT must be >= 0",
		`{ { amt = 1 }, { amt = 1, cmt = "liver" } }`: "dosing record 2",
		`{ { amt = 1, ss = 1 } }`:                     "dosing record 1: SS = 1 needs an interdose interval II > 0",
		`{ { amt = 1, adl = 3 } }`:                    "did you mean 'addl'",
	} {
		bad := wrapBuild(`    local pt = sim:patient("pk", { cl = 5, v1 = 50 })
    pt:regimen(` + code + `)`)
		sc, _ := Load(write(t, "bad.lua", bad), time.Minute)
		if _, err := runAll(t, sc, time.Minute, 0); err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), "bad.lua:5:") {
			t.Errorf("%s: %v, want %q at bad.lua:5", code, err, msg)
		}
	}
}
