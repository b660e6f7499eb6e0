package scripts

import (
	"context"
	"math"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/benchref"
)

func timeLuaMMc(tb testing.TB, n int) float64 {
	x, err := MMcThroughput("../scenarios/mmc.lua", n)
	if err != nil {
		tb.Fatal(err)
	}
	return x
}

var floorBin struct {
	sync.Once
	path string
	err  error
}

// BenchmarkLuaMMcVsFloor reports the Lua M/M/c in customers/s and its ratio to
// ../shared/bench/mmc_floor measured alternately in the same run.
func BenchmarkLuaMMcVsFloor(b *testing.B) {
	dir := benchref.Dir()
	if dir == "" {
		b.Skip("../shared/bench not found")
	}
	floorBin.Do(func() {
		tmp, err := os.MkdirTemp("", "medtwin-floor-")
		if err != nil {
			floorBin.err = err
			return
		}
		floorBin.path, floorBin.err = benchref.Build(dir, "mmc_floor", tmp)
	})
	if floorBin.err != nil {
		b.Fatal(floorBin.err)
	}
	const n = 300_000
	best, floor := 0.0, 0.0
	for i := 0; i < b.N; i++ {
		res, err := benchref.Run(floorBin.path, "1000000")
		if err != nil {
			b.Fatal(err)
		}
		floor = math.Max(floor, res["floor"]["customers_per_s"])
		best = math.Max(best, timeLuaMMc(b, n))
	}
	b.ReportMetric(best, "customers/s")
	b.ReportMetric(best/floor, "ratio_vs_floor")
}

// BenchmarkEmptyReplications reports replications per second of a scenario
// whose model is empty, on one worker: the fixed cost of a replication (Lua
// state, scenario chunk, host, Sim, results) without checkpoint or files.
func BenchmarkEmptyReplications(b *testing.B) {
	sc, err := LoadSource("empty.lua", []byte(`return scenario { name = "empty", horizon = 10, build = function(sim, p) end }`), time.Minute)
	benchReplications(b, sc, err)
}

// BenchmarkPeerReplications reports replications per second of the peers'
// small examples (scenarios/peers) on one worker, without checkpoint or files:
// the cost of small replications.
func BenchmarkPeerReplications(b *testing.B) {
	for _, name := range []string{"bank_renege", "gas_station_refuel", "movie_renege"} {
		b.Run(name, func(b *testing.B) {
			sc, err := Load("../scenarios/peers/"+name+".lua", time.Minute)
			benchReplications(b, sc, err)
		})
	}
}

// benchReplications runs b.N replications of sc (loaded with err) on one
// worker and reports replications per second.
func benchReplications(b *testing.B, sc *Scenario, err error) {
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	e := sc.Experiment(ctx, 0, b.N)
	e.Workers = 1
	b.ResetTimer()
	if err := e.Run(ctx, func(engine.RepResult) error { return nil }); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "replications/s")
}

// BenchmarkPeerBuild reports the set-up of a replication alone (a new Sim and
// the scenario's build(sim, p) on a reused Lua state, then Close) of the
// peers' small examples and of an empty scenario: the part of a replication's
// fixed cost that does not depend on what the model then does.
func BenchmarkPeerBuild(b *testing.B) {
	for _, name := range []string{"empty", "bank_renege", "gas_station_refuel", "movie_renege"} {
		b.Run(name, func(b *testing.B) {
			var sc *Scenario
			var err error
			if name == "empty" {
				sc, err = LoadSource("empty.lua", []byte(`return scenario { name = "empty", horizon = 10, build = function(sim, p) end }`), time.Minute)
			} else {
				sc, err = Load("../scenarios/peers/"+name+".lua", time.Minute)
			}
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			pool := &workerPool{sc: sc, ctx: ctx}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				s := engine.New(engine.Options{Seed: sc.Seed, Replication: i, Context: ctx})
				if err := pool.build(s); err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}
