package main

import (
	"math"
	"runtime"
	"strconv"
	"time"

	"github.com/medtwin/medtwin/engine/benchref"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/urfave/cli/v2"
)

func init() { extraBenchCmds = append(extraBenchCmds, benchCohortCmd()) }

func benchCohortCmd() *cli.Command {
	return &cli.Command{
		Name:  "cohort",
		Usage: "the reference PK cohort on the batched exact path against cohort_floor; 1 M subjects streamed",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "subjects", Value: 200_000, Usage: "subjects per measurement"},
			&cli.IntFlag{Name: "stream", Value: 1_000_000, Usage: "subjects streamed in batches for the memory figure (0: skip)"},
			&cli.StringFlag{Name: "backend", Value: "cpu", Usage: "also time this backend (cuda, auto) on the same subjects, against the CPU backend"},
			&cli.StringFlag{Name: "model", Usage: "instead: the reference dosing through this library model of the model language (pk2_oral, tmdd_qss, ...) on --backend, against the hand-written exact path"},
		}, benchFlags...),
		Action: func(c *cli.Context) error {
			if name := c.String("model"); name != "" {
				return benchCohortModel(c, name)
			}
			bins, cleanup, err := buildFloors(c, "cohort_floor")
			defer cleanup()
			if err != nil {
				return err
			}
			n := c.Int("subjects")
			cpu, err := cohort.Get("cpu")
			if err != nil {
				return err
			}
			// first, on a fresh process: stream the subjects through batches of
			// 10 000 and sample the resident memory, which must stay bounded
			var streamRows []benchRow
			if m := c.Int("stream"); m > 0 {
				const batch = 10_000
				var peak int64
				var buf []float64
				t0 := time.Now()
				for from := 0; from < m; from += batch {
					b := cohort.ReferenceBatch(1, from, min(batch, m-from))
					b.Conc = buf[:0:cap(buf)]
					if err := cpu.Simulate(b); err != nil {
						return err
					}
					buf = b.Conc
					peak = max(peak, rssKB())
				}
				streamRows = []benchRow{
					{Name: "streamed subjects (batches of 10 000)", Value: float64(m), Unit: "subjects"},
					{Name: "streamed, subjects per second", Value: float64(m) / time.Since(t0).Seconds(), Unit: "subjects/s"},
					{Name: "peak RSS while streaming", Value: float64(peak) / 1024, Unit: "MiB", Target: "< 2048 MiB"},
				}
			}
			var floor, one, all, floorMean, ourMean float64
			for r := 0; r < c.Int("rounds"); r++ {
				res, err := benchref.Run(bins["cohort_floor"], strconv.Itoa(n))
				if err != nil {
					return err
				}
				floor = math.Max(floor, res["floor"]["subjects_per_s"])
				floorMean = res["floor"]["mean_conc_at_336"]
				for _, procs := range []int{1, 0} {
					b := cohort.FloorParams(n)
					old := runtime.GOMAXPROCS(0)
					if procs == 1 {
						runtime.GOMAXPROCS(1)
					}
					t0 := time.Now()
					err := cpu.Simulate(b)
					rate := float64(n) / time.Since(t0).Seconds()
					runtime.GOMAXPROCS(old)
					if err != nil {
						return err
					}
					if procs == 1 {
						one = math.Max(one, rate)
					} else {
						all = math.Max(all, rate)
						ourMean = b.MeanAt(336)
					}
				}
			}
			var other []benchRow
			if name := backendFlag(c); name != "cpu" {
				be, err := cohort.Get(name)
				if err != nil {
					return err
				}
				want := cohort.FloorParams(n)
				if err := cpu.Simulate(want); err != nil {
					return err
				}
				var rate, worst float64
				for r := 0; r < c.Int("rounds"); r++ {
					b := cohort.FloorParams(n)
					t0 := time.Now()
					if err := be.Simulate(b); err != nil {
						return err
					}
					rate = math.Max(rate, float64(n)/time.Since(t0).Seconds())
					for k, v := range want.Conc {
						if v > 1e-12 {
							worst = math.Max(worst, math.Abs(b.Conc[k]-v)/v)
						}
					}
				}
				other = []benchRow{
					{Name: "backend " + be.Name() + ", same subjects", Value: rate, Unit: "subjects/s", Floor: all, Ratio: rate / all, Target: ">= 20x the CPU backend"},
					{Name: "backend " + be.Name() + " vs cohort_floor", Value: rate, Unit: "subjects/s", Floor: floor, Ratio: rate / floor},
					{Name: "backend " + be.Name() + ", worst relative difference to CPU", Value: worst, Unit: "", Target: "<= 1e-9"},
				}
			}
			rows := append(streamRows, []benchRow{
				{Name: "cohort_floor (C, exact, reference)", Value: floor, Unit: "subjects/s"},
				{Name: "medtwin exact batch path, 1 core", Value: one, Unit: "subjects/s", Floor: floor, Ratio: one / floor},
				{Name: "medtwin exact batch path, all cores", Value: all, Unit: "subjects/s", Floor: floor, Ratio: all / floor, Target: ">= 0.5 of floor"},
				{Name: "mean conc at 336 h, floor (printed 4 dp)", Value: floorMean * 1e4, Unit: "1e-4 mg/L"},
				{Name: "mean conc at 336 h, medtwin, same subjects", Value: ourMean * 1e4, Unit: "1e-4 mg/L"},
			}...)
			rows = append(rows, other...)
			return printBench(c, rows)
		},
	}
}
