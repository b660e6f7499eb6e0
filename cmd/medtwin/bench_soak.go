package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
)

func init() { extraBenchCmds = append(extraBenchCmds, benchSoakCmd()) }

// soakRuns are the eight scenario configurations run side by side.
var soakRuns = [][]string{
	{"scenarios/mmc.lua", "customers=20000"},
	{"scenarios/mmc.lua", "customers=20000", "servers=11"},
	{"scenarios/clinic_ed.lua"},
	{"scenarios/clinic_ed.lua", "doctors_day=6"},
	{"scenarios/ed_staffing.lua"},
	{"scenarios/icu_capacity.lua"},
	{"scenarios/imaging_maintenance.lua"},
	{"scenarios/sepsis_ed.lua", "vitals_min=0"},
}

// soakOnce runs a configuration (2 replications, one worker) into dir and
// returns the bytes of its summary.arrow.
func soakOnce(cfg []string, dir string) ([]byte, error) {
	sc, err := scripts.Load(cfg[0], time.Minute)
	if err != nil {
		return nil, err
	}
	for _, a := range cfg[1:] {
		if err := sc.Set(a); err != nil {
			return nil, err
		}
	}
	sc.Replications = 2
	sc.Trace = false
	ctx := context.Background()
	e := sc.Experiment(ctx, 0, 2)
	e.Workers = 1
	rw, err := results.NewRunWriter(dir, results.Provenance{Scenario: filepath.Base(sc.Path), ScenarioSHA256: sc.SHA256, Params: sc.Values(),
		Seed: sc.Seed, To: 2, Total: 2}, false, sc.SampleEvery > 0)
	if err != nil {
		return nil, err
	}
	if err := e.Run(ctx, rw.Add); err != nil {
		rw.Abort()
		return nil, err
	}
	if _, err := rw.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(dir, "summary.arrow"))
}

func rssKB() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				v, _ := strconv.ParseInt(f[1], 10, 64)
				return v
			}
		}
	}
	return -1
}

func benchSoakCmd() *cli.Command {
	return &cli.Command{
		Name:  "soak",
		Usage: "8 scenarios run concurrently for minutes: RSS over time, and results identical to sequential runs",
		Flags: []cli.Flag{
			&cli.DurationFlag{Name: "duration", Value: 3 * time.Minute, Usage: "how long the scenarios keep running"},
			&cli.DurationFlag{Name: "every", Value: 10 * time.Second, Usage: "RSS sampling interval"},
		},
		Action: func(c *cli.Context) error {
			tmp, err := os.MkdirTemp("", "medtwin-soak-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			// sequential references
			ref := make([][]byte, len(soakRuns))
			for i, cfg := range soakRuns {
				if ref[i], err = soakOnce(cfg, filepath.Join(tmp, fmt.Sprintf("ref-%d", i))); err != nil {
					return fmt.Errorf("%v: %w", cfg, err)
				}
			}
			runtime.GC()
			deadline := time.Now().Add(c.Duration("duration"))
			var iterations, mismatches atomic.Int64
			var failure atomic.Value
			var wg sync.WaitGroup
			for i, cfg := range soakRuns {
				wg.Add(1)
				go func(i int, cfg []string) {
					defer wg.Done()
					for time.Now().Before(deadline) {
						got, err := soakOnce(cfg, filepath.Join(tmp, fmt.Sprintf("soak-%d", i)))
						if err != nil {
							failure.Store(fmt.Sprintf("%v: %v", cfg, err))
							return
						}
						if !bytes.Equal(got, ref[i]) {
							mismatches.Add(1)
						}
						iterations.Add(1)
					}
				}(i, cfg)
			}
			var samples, heaps []int64
			start := time.Now()
			tick := time.NewTicker(c.Duration("every"))
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			w := c.App.Writer
			fmt.Fprintln(w, "elapsed  rss_mb  live_heap_mb  runs")
		loop:
			for {
				select {
				case <-done:
					break loop
				case <-tick.C:
					r := rssKB()
					// the live heap right after a collection: free of GC timing
					runtime.GC()
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					samples = append(samples, r)
					heaps = append(heaps, int64(ms.HeapAlloc/1024))
					fmt.Fprintf(w, "%6.0fs  %6.1f  %12.1f  %d\n", time.Since(start).Seconds(), float64(r)/1024, float64(ms.HeapAlloc)/(1<<20), iterations.Load())
				}
			}
			tick.Stop()
			if f := failure.Load(); f != nil {
				return fmt.Errorf("soak: %v", f)
			}
			if len(samples) < 4 {
				return fmt.Errorf("soak: too short to judge memory (%d samples)", len(samples))
			}
			q := len(samples) / 4
			avg := func(xs []int64) float64 {
				s := 0.0
				for _, x := range xs {
					s += float64(x)
				}
				return s / float64(len(xs))
			}
			first, last := avg(samples[:q]), avg(samples[len(samples)-q:])
			hFirst, hLast := avg(heaps[:q]), avg(heaps[len(heaps)-q:])
			growth := (hLast - hFirst) / hFirst
			fmt.Fprintf(w, "\n%d runs of 8 scenarios concurrently; %d differed from the sequential runs\n", iterations.Load(), mismatches.Load())
			fmt.Fprintf(w, "RSS first quarter %.1f MB, last quarter %.1f MB (%+.1f%%)\n", first/1024, last/1024, 100*(last-first)/first)
			fmt.Fprintf(w, "live heap after GC: first quarter %.1f MB, last quarter %.1f MB: growth %+.1f%%\n", hFirst/1024, hLast/1024, 100*growth)
			if mismatches.Load() > 0 {
				return fmt.Errorf("soak: results differ from sequential runs")
			}
			if growth > 0.25 {
				return fmt.Errorf("soak: memory grew by %.0f%%", 100*growth)
			}
			return nil
		},
	}
}
