package engine

import (
	"math"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine/benchref"
)

var floorOnce struct {
	sync.Once
	bin string
	err error
}

// mmcFloor runs ../shared/bench/mmc_floor for n customers and returns its
// customers per second; the benchmark is skipped when the floor is not there.
func mmcFloor(b *testing.B, n int) float64 {
	dir := benchref.Dir()
	if dir == "" {
		b.Skip("../shared/bench not found (set MEDTWIN_BENCH_DIR)")
	}
	floorOnce.Do(func() {
		tmp, err := makeTemp()
		if err != nil {
			floorOnce.err = err
			return
		}
		floorOnce.bin, floorOnce.err = benchref.Build(dir, "mmc_floor", tmp)
	})
	if floorOnce.err != nil {
		b.Fatal(floorOnce.err)
	}
	res, err := benchref.Run(floorOnce.bin, strconv.Itoa(n))
	if err != nil {
		b.Fatal(err)
	}
	return res["floor"]["customers_per_s"]
}

// BenchmarkMMcVsFloor runs the floor and medtwin's M/M/c (c=10, rho=0.9) side by
// side, alternating, and reports medtwin's customers/s and the ratio to the
// floor measured in the same run (best of each).
func BenchmarkMMcVsFloor(b *testing.B) {
	for _, style := range []string{"callback", "process"} {
		b.Run(style, func(b *testing.B) {
			const n = 1_000_000
			best, bestFloor := 0.0, 0.0
			for i := 0; i < b.N; i++ {
				bestFloor = math.Max(bestFloor, mmcFloor(b, n))
				s := New(Options{Seed: 1, Replication: i})
				(MMc{C: 10, Lambda: 9, Mu: 1, Customers: n, Process: style == "process"}).Build(s)
				t0 := time.Now()
				if err := s.Run(math.Inf(1)); err != nil {
					b.Fatal(err)
				}
				best = math.Max(best, n/time.Since(t0).Seconds())
				s.Close()
			}
			b.ReportMetric(best, "customers/s")
			b.ReportMetric(bestFloor, "floor_customers/s")
			b.ReportMetric(best/bestFloor, "ratio_vs_floor")
		})
	}
}
