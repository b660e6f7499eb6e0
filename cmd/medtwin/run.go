package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// scenarioFlags are shared by the verbs that load a scenario.
func scenarioFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "set", Usage: "override a parameter: --set name=value (repeatable)"},
		&cli.StringFlag{Name: "params", Usage: "read parameters from FILE (name=value lines, as calibrate writes); --set wins"},
		&cli.Uint64Flag{Name: "seed", Usage: "random seed (default: the scenario's)"},
		&cli.IntFlag{Name: "replications", Aliases: []string{"r"}, Usage: "number of replications (default: the scenario's)"},
		&cli.DurationFlag{Name: "timeout", Value: 30 * time.Minute, Usage: "wall-time limit of the run; a script still running is stopped"},
		&cli.Uint64Flag{Name: "max-memory", Value: 8 << 30, Usage: "limit in bytes on the heap the run adds (Go heap growth since it started); the run stops beyond it"},
		&cli.IntFlag{Name: "workers", Usage: "replications run at once (default: all cores)"},
		&cli.StringFlag{Name: "horizon", Usage: "simulated time of each replication, e.g. 365d, 72h, 90m, 600s (default: the scenario's)"},
		&cli.StringFlag{Name: "warmup", Usage: "warm-up discarded from each replication's statistics, e.g. 10d or 0 (default: the scenario's)"},
	}
}

// loadScenario loads the scenario argument and applies --params, --set, --seed, --replications.
func loadScenario(c *cli.Context, path string) (*scripts.Scenario, error) {
	if path == "" {
		return nil, usagef("%s needs a scenario file (e.g. scenarios/mmc.lua)", c.Command.Name)
	}
	sc, err := scripts.Load(path, c.Duration("timeout"))
	if err != nil {
		return nil, err
	}
	if p := c.String("params"); p != "" {
		if err := applyParamsFile(sc, p); err != nil {
			return nil, err
		}
	}
	for _, s := range c.StringSlice("set") {
		if err := sc.Set(s); err != nil {
			return nil, usageError{err.Error()}
		}
	}
	if c.IsSet("seed") {
		sc.Seed = c.Uint64("seed")
	}
	if c.IsSet("replications") {
		if c.Int("replications") < 1 {
			return nil, usagef("--replications must be at least 1")
		}
		sc.Replications = c.Int("replications")
	}
	if err := applySpans(c, sc); err != nil {
		return nil, err
	}
	return sc, nil
}

func runCmd() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "run a scenario's replications and write Arrow results",
		ArgsUsage: "SCENARIO.lua",
		Description: "A reused --out ends holding this run's files (those manifest.json lists) and files of your own:\n" +
			"outputs an earlier command left there (e.g. events.arrow of a run with --trace) are removed, and so are\n" +
			"temporary files of killed runs. --resume after --trace was turned on or off runs the checkpointed\n" +
			"replications of the other setting again. Examples:\n" +
			"   medtwin run scenarios/mmc.lua\n" +
			"   medtwin run scenarios/mmc.lua --set servers=11 --replications 40 --out out/mmc-11\n" +
			"   medtwin run scenarios/mmc.lua --list-params",
		Flags: append(scenarioFlags(),
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output directory (default out/<scenario name>)"},
			&cli.StringFlag{Name: "shard", Usage: "run slice i/n of the replications (default from Kubernetes/Slurm array variables)"},
			&cli.BoolFlag{Name: "list-params", Usage: "print the scenario's parameters and exit"},
			&cli.BoolFlag{Name: "json", Usage: "print the KPI summary as JSON"},
			&cli.BoolFlag{Name: "trace", Usage: "log resource events to events.arrow"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar"},
			&cli.StringFlag{Name: "report", Usage: "also write a self-contained HTML report (tables and SVG figures)"},
			&cli.BoolFlag{Name: "resume", Usage: "continue an interrupted or killed run from its last checkpoint"},
			&cli.StringFlag{Name: "checkpoint", Value: results.DefaultSchedule.String(), Usage: "how often finished replications are saved for --resume: a `DURATION` (10s), a count N (1: every replication) or off (a killed run starts over)"},
			&cli.Int64Flag{Name: "max-output", Value: 20 << 30, Usage: "largest output in bytes; the run stops with an error beyond it"},
			&cli.IntFlag{Name: "max-queue", Usage: "largest number of pending events per replication (default 50 million)"},
			&cli.StringFlag{Name: "cpuprofile", Hidden: true, Usage: "write a pprof CPU profile of the run to `FILE`"},
			&cli.StringFlag{Name: "memprofile", Hidden: true, Usage: "write a pprof heap profile at the run's end to `FILE` (allocations and what is live)"},
		),
		Action: func(c *cli.Context) error {
			if path := c.String("cpuprofile"); path != "" {
				f, err := os.Create(path)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			if path := c.String("memprofile"); path != "" {
				defer writeHeapProfile(path)
			}
			if c.NArg() > 1 {
				return usagef("run takes one scenario file, got %d arguments (flags go before the file? use --set name=value)", c.NArg())
			}
			sc, err := loadScenario(c, c.Args().First())
			if err != nil {
				return err
			}
			if c.Bool("list-params") {
				return listParams(c.App.Writer, sc, c.Bool("json"))
			}
			if c.Bool("trace") {
				sc.Trace = true
			}
			sh, err := parseShard(c.String("shard"))
			if err != nil {
				return err
			}
			out := c.String("out")
			if out == "" {
				out = filepath.Join("out", sc.Name)
			}
			sums, err := runScenario(c, sc, sh, out)
			if err != nil {
				return err
			}
			auditOutput(c, out, c.String("report"))
			if r := c.String("report"); r != "" {
				if err := writeRunReport(r, out, sc, sums); err != nil {
					return err
				}
			}
			if c.Bool("json") {
				return printSummaryJSON(c.App.Writer, sums)
			}
			fmt.Fprintf(c.App.Writer, "%s: %d replications (seed %d, shard %s), results in %s\n\n", sc.Name, sc.Replications, sc.Seed, sh, out)
			return printSummary(c.App.Writer, sums)
		},
	}
}

// runScenario runs the shard's replications of sc into dir with a progress bar
// on a terminal, and returns the KPI summaries. Finished replications are
// kept in groups under dir/.parts (on the --checkpoint schedule) until the run
// completes, so a killed or interrupted run continues with --resume, redoing at
// most the replications since the last group, and ends with the same bytes as
// an uninterrupted one.
func runScenario(c *cli.Context, sc *scripts.Scenario, sh shard, dir string) ([]engine.KPISummary, error) {
	started := time.Now()
	sigCtx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := scripts.WithLimits(sigCtx, c.Duration("timeout"), c.Uint64("max-memory"))
	defer cancel()
	from, to := sh.span(sc.Replications)
	if to <= from {
		return nil, usagef("shard %s of %d replications is empty", sh, sc.Replications)
	}
	prov := results.Provenance{
		Version: Version, Scenario: filepath.Base(sc.Path), ScenarioSHA256: sc.SHA256, Params: sc.Values(),
		Seed: sc.Seed, From: from, To: to, Total: sc.Replications, Shard: sh.String(), Horizon: sc.Horizon, Warmup: sc.Warmup,
	}
	sched, err := results.ParseSchedule(c.String("checkpoint"))
	if err != nil {
		return nil, usageError{"--" + err.Error()}
	}
	cp := &results.Checkpoint{Dir: dir, Prov: prov, Events: sc.Trace, Series: sc.SampleEvery > 0, BatchLimit: c.Int64("max-output"), Schedule: sched}
	start := cp.Start(c.Bool("resume")) // a fresh run starts over
	if start > from {
		fmt.Fprintf(os.Stderr, "%s: resuming: replications %d-%d were done before\n", sc.Name, from, start-1)
	}
	if start < to {
		e := sc.Experiment(ctx, start, to)
		e.Workers = c.Int("workers")
		e.MaxQueue = c.Int("max-queue")
		bar, wait := progress(c, sc.Name, to-from)
		bar(start - from)
		done := start
		err := e.Run(ctx, func(r engine.RepResult) error {
			bar(1)
			if err := cp.Add(r); err != nil {
				return err
			}
			done++
			return nil
		})
		wait()
		if err != nil {
			kept := cp.Stop()
			if sigCtx.Err() != nil && c.Context.Err() == nil {
				if kept == 0 {
					return nil, fmt.Errorf("interrupted after %d of %d replications (none kept: --checkpoint %s)", done-from, to-from, sched)
				}
				return nil, fmt.Errorf("interrupted after %d of %d replications (%d kept in %s/.parts); continue with:\n  %s --resume",
					done-from, to-from, kept, dir, strings.Join(os.Args, " "))
			}
			if ctx.Err() != nil && context.Cause(ctx) != nil && !strings.Contains(err.Error(), "stopped") {
				return nil, fmt.Errorf("%s: stopped: %v (%d finished replications kept; continue with --resume)", sc.Path, context.Cause(ctx), kept)
			}
			return nil, err
		}
	}
	files, err := cp.Finish()
	if err != nil {
		return nil, err
	}
	m := results.NewManifest(prov, started)
	if err := m.Write(dir, files); err != nil {
		return nil, err
	}
	return cp.Summaries()
}

// progress returns a function that advances a bar on stderr, shown only when
// stderr is a terminal and --quiet is not set, and a function that waits for it.
func progress(c *cli.Context, name string, total int) (func(int), func()) {
	return progressOf(c, name, total, "replications")
}

// progressOf is progress counting units other than replications (subjects).
func progressOf(c *cli.Context, name string, total int, unit string) (func(int), func()) {
	if !showProgress(c) {
		return func(int) {}, func() {}
	}
	// auto refresh: showProgress already checked that stderr is a terminal (mpb
	// would not refresh an ErrWriter it cannot see is one)
	p := mpb.New(mpb.WithOutput(c.App.ErrWriter), mpb.WithWidth(40), mpb.WithAutoRefresh())
	b := p.AddBar(int64(total),
		mpb.PrependDecorators(decor.Name(name+" "), decor.CountersNoUnit("%d/%d "+unit)),
		mpb.AppendDecorators(decor.Percentage(), decor.Name(" "), decor.AverageETA(decor.ET_STYLE_GO)))
	// the bar is advanced at most every barEvery: an increment is a channel
	// send that wakes the bar's goroutine, which cost about 5% of the CPU of a
	// run of small replications when done for each (callers may be concurrent)
	var pending, last atomic.Int64
	last.Store(time.Now().UnixNano())
	return func(n int) {
			pending.Add(int64(n))
			now, l := time.Now().UnixNano(), last.Load()
			if now-l >= int64(barEvery) && last.CompareAndSwap(l, now) {
				b.IncrInt64(pending.Swap(0))
			}
		}, func() {
			b.IncrInt64(pending.Swap(0))
			b.Abort(false)
			p.Wait()
		}
}

// barEvery is how often a progress bar is advanced at most.
const barEvery = 50 * time.Millisecond

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func listParams(w io.Writer, sc *scripts.Scenario, asJSON bool) error {
	if asJSON {
		return writeParamsJSON(w, sc.Params)
	}
	fmt.Fprintf(w, "%s: %s\n\n", sc.Name, sc.Description)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "parameter\tvalue\tdefault\tbounds\tunit\tdescription")
	for _, p := range sc.Params {
		bounds := ""
		if !math.IsInf(p.Min, -1) || !math.IsInf(p.Max, 1) {
			bounds = fmt.Sprintf("[%s, %s]", fmtBound(p.Min), fmtBound(p.Max))
		}
		if p.Integer {
			bounds += " integer"
		}
		if len(p.Choices) > 0 {
			bounds = strings.Join(p.Choices, "|")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, scripts.FormatValue(p.Value), scripts.FormatValue(p.Default), strings.TrimSpace(bounds), p.Unit, p.Doc)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nseed %d, %d replications, horizon %s, warm-up %s\n", sc.Seed, sc.Replications, fmtSeconds(sc.Horizon), fmtSeconds(sc.Warmup))
	return nil
}

func fmtBound(f float64) string {
	if math.IsInf(f, 0) {
		return "∞"
	}
	return scripts.FormatValue(f)
}

func fmtSeconds(s float64) string {
	switch {
	case math.IsInf(s, 1):
		return "none"
	case s >= 86400 && math.Mod(s, 86400) == 0:
		return fmt.Sprintf("%g days", s/86400)
	case s >= 3600 && math.Mod(s, 3600) == 0:
		return fmt.Sprintf("%g h", s/3600)
	}
	return fmt.Sprintf("%g s", s)
}

func printSummary(w io.Writer, sums []engine.KPISummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kpi\tmean\t95% CI\t\tsd\tn\t")
	for _, s := range sums {
		fmt.Fprintf(tw, "%s\t%s\t[%s,\t%s]\t%s\t%d\t\n", s.Name, num(s.Mean), num(s.Low), num(s.High), num(s.SD), s.N)
	}
	return tw.Flush()
}

func num(f float64) string {
	switch {
	case math.IsNaN(f):
		return "-"
	case f == 0:
		return "0"
	case math.Abs(f) >= 1e6 || math.Abs(f) < 1e-3:
		return fmt.Sprintf("%.4g", f)
	}
	return fmt.Sprintf("%.4f", f)
}

func printSummaryJSON(w io.Writer, sums []engine.KPISummary) error {
	type row struct {
		KPI    string   `json:"kpi"`
		Kind   string   `json:"kind"`
		N      int      `json:"replications"`
		Mean   *float64 `json:"mean"`
		SD     *float64 `json:"sd"`
		CILow  *float64 `json:"ci_low"`
		CIHigh *float64 `json:"ci_high"`
	}
	f := func(x float64) *float64 {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return &x
	}
	rows := make([]row, len(sums))
	for i, s := range sums {
		rows[i] = row{s.Name, s.Kind.String(), s.N, f(s.Mean), f(s.SD), f(s.Low), f(s.High)}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}

// writeHeapProfile writes a pprof heap profile to path (run's hidden
// --memprofile), after a GC so that what is live is up to date.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "memprofile:", err)
		return
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "memprofile:", err)
	}
}
