package scripts

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
)

// FuzzScenario feeds arbitrary scripts to the host: loading and a short run may
// fail, but must never panic or hang (the limits stop runaway scripts).
func FuzzScenario(f *testing.F) {
	f.Add(wrapBuild(`    local r = sim:resource("r", 2)
    sim:source("s", function() return 1 end, function(proc) proc:use(r, 3) end)`))
	f.Add(wrapBuild(`    sim:schedule(1, function() sim:record("x", 1/0) end)`))
	f.Add(`return scenario { name = "x", params = { a = param({1,2}, { len = 2 }) }, build = function(sim, p) end }`)
	f.Add(`return scenario { name = 1, build = 2 }`)
	f.Add(`while true do end`)
	f.Add(wrapBuild(`    local e = sim:event(); sim:process(function(proc) proc:wait(e); proc:any_of(sim:timeout(1)) end); e:succeed(3)`))
	f.Add(wrapBuild(`    local pt = sim:patient("inflammation", { kpg = 2 }); sim:schedule(1, function() pt:dose(1, { state = "pathogen" }) end)`))
	// issue 18, Low 8: one library call building gigabytes (refused before it
	// allocates: 2 to 3 GiB against the 1 GiB limit below), a loop filling the
	// event queue; Low 11: numbers past int64 where an integer is wanted
	f.Add(wrapBuild(`    local s = string.rep("a", 2^24); local t = {}; for i = 1, 128 do t[i] = s end; local x = table.concat(t)`))
	f.Add(wrapBuild(`    local x = string.rep("a", 256):gsub("a", string.rep("b", 2^23))`))
	f.Add(wrapBuild(`    local x = string.rep("a", 200000):gsub("a", "b")`))
	f.Add(wrapBuild(`    local r = string.rep("b", 2^23); local x = string.rep("a", 256):gsub("a", function() return r end)`))
	f.Add(wrapBuild(`    local s = string.rep("a", 2^24); local t = {}; for i = 1, 200 do t[i] = s end; local x = string.format(string.rep("%s", 200), unpack(t))`))
	f.Add(wrapBuild(`    for i = 1, 2000000 do sim:schedule(1, function() end) end`))
	f.Add(wrapBuild(`    sim:resource("r", 1e19)`))
	f.Add(wrapBuild(`    sim:store("s", 1e19); sim:rng("x"):int(0, 1e19)`))
	f.Add(wrapBuild(`    sim:resource("r", 1):roster({{at = 0, capacity = -1e300}})`))
	f.Fuzz(func(t *testing.T, src string) {
		sc, err := LoadSource("fuzz.lua", []byte(src), 200*time.Millisecond)
		if err != nil {
			return
		}
		sc.Horizon = math.Min(sc.Horizon, 1000)
		sc.Warmup, sc.Replications = 0, 1
		if sc.SampleEvery > 0 {
			sc.SampleEvery = math.Max(sc.SampleEvery, 10)
		}
		ctx, cancel := WithLimits(context.Background(), 300*time.Millisecond, 1<<30)
		defer cancel()
		sc.Experiment(ctx, 0, 1).Run(ctx, func(engine.RepResult) error { return nil })
	})
}

// FuzzSet: any --set string on a real scenario is accepted only within bounds.
func FuzzSet(f *testing.F) {
	for _, s := range []string{"servers=12", "servers=0", "arrival_rate=1e308", "sevrers=1", "=", "servers=NaN", "customers=-0", "servers= 3 ",
		"servers=1e19", "customers=9223372036854775808"} { // the last two: issue 18, Low 11
		f.Add(s)
	}
	base, err := Load("../scenarios/mmc.lua", time.Minute)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc := base.Clone()
		if err := sc.Set(s); err != nil {
			return
		}
		name, _, _ := strings.Cut(s, "=")
		p := sc.Param(strings.TrimSpace(name))
		if err := p.Check(p.Value); err != nil {
			t.Fatalf("--set %q accepted a value out of bounds: %v", s, err)
		}
	})
}

// FuzzPatientsCSV: any file given as population.patients is read or refused
// with an error naming it; never a panic, and what is read is finite.
func FuzzPatientsCSV(f *testing.F) {
	f.Add(patientsCSV)
	f.Add("age_y,weight_kg\n40,0\n")
	f.Add("sex\nF\nm\n")
	f.Add("id,id\n1,2\n")
	f.Add("\"a\nb\",x\n1,2\n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src string) {
		path := filepath.Join(dir, "p.csv")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Skip()
		}
		p, err := readPatients(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, n := range p.names {
			if identifierColumn(n) {
				t.Fatalf("identifier column %q kept as a covariate", n)
			}
		}
		for _, row := range p.rows {
			if len(row) != len(p.names) {
				t.Fatalf("row of %d for %d names", len(row), len(p.names))
			}
			for _, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("non-finite covariate %v", v)
				}
			}
		}
	})
}

// FuzzTrial: any trial spec loads or is refused with an error, and one that
// loads runs its first two subjects or fails with an error; never a panic.
func FuzzTrial(f *testing.F) {
	f.Add(massBalanceTrial)
	f.Add(strings.Replace(massBalanceTrial, `auc = { 432, 456 }`, `auc = { 0, 1e12 }`, 1))
	f.Add(strings.Replace(massBalanceTrial, `target = {`, `timeseries = { every = 1e-12 }, target = {`, 1))
	f.Add(strings.Replace(massBalanceTrial, `cmt = 1 } } } },`, `cmt = 1 } }, adapt = { at = 24, fn = function(s, l, t) return { { time = t, amt = 1 } } end } } },`, 1))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src string) {
		path := filepath.Join(dir, "t.lua")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Skip()
		}
		tr, err := LoadTrial(path)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = tr.Run(ctx, 0, min(2, tr.Subjects))
	})
}
