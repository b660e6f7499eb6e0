package main

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/benchref"
	"github.com/urfave/cli/v2"
)

func benchCmd() *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "measure medtwin against the reference workloads in ../shared/bench",
		Description: "Each benchmark runs the reference floor and medtwin alternately in the same\n" +
			"process run and prints the ratio (best of --rounds each). Example:\n   medtwin bench des --customers 1000000",
		Subcommands: withRoundsChecked(append([]*cli.Command{benchDESCmd()}, extraBenchCmds...)),
	}
}

// withRoundsChecked makes every bench subcommand with a --rounds flag refuse
// fewer than one round before it measures anything (it printed 0 subjects/s,
// or panicked on the results of a round that never ran).
func withRoundsChecked(cmds []*cli.Command) []*cli.Command {
	for _, cmd := range cmds {
		has := false
		for _, f := range cmd.Flags {
			if slices.Contains(f.Names(), "rounds") {
				has = true
			}
		}
		if !has {
			continue
		}
		before := cmd.Before
		cmd.Before = func(c *cli.Context) error {
			if r := c.Int("rounds"); r < 1 {
				return usagef("bench %s: --rounds %d: want at least 1", c.Command.Name, r)
			}
			if before != nil {
				return before(c)
			}
			return nil
		}
	}
	return cmds
}

// extraBenchCmds lets other verbs' files add bench subcommands.
var extraBenchCmds []*cli.Command

var benchFlags = []cli.Flag{
	&cli.StringFlag{Name: "bench-dir", Usage: "the shared/bench directory (default: found from the working directory)"},
	&cli.IntFlag{Name: "rounds", Value: 3, Usage: "alternating rounds; the best of each side is reported"},
	&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
}

// benchRow is one line of a benchmark report.
type benchRow struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	Floor  float64 `json:"floor,omitempty"`
	Ratio  float64 `json:"ratio_vs_floor,omitempty"`
	Target string  `json:"target,omitempty"`
}

func printBench(c *cli.Context, rows []benchRow) error {
	if c.Bool("json") {
		return writeJSON(c.App.Writer, rows)
	}
	for _, r := range rows {
		v := fmt.Sprintf("%14.0f", r.Value)
		if r.Value != 0 && math.Abs(r.Value) < 1 {
			v = fmt.Sprintf("%14.3g", r.Value) // small figures (relative differences) keep their digits
		}
		fmt.Fprintf(c.App.Writer, "%-34s %s %-12s", r.Name, v, r.Unit)
		if r.Floor > 0 {
			fmt.Fprintf(c.App.Writer, " vs %12.0f  ratio %.3f", r.Floor, r.Ratio)
		}
		if r.Target != "" {
			fmt.Fprintf(c.App.Writer, "  (target %s)", r.Target)
		}
		fmt.Fprintln(c.App.Writer)
	}
	return nil
}

// buildFloors builds the named reference floors (mmc_floor, lua_floor, or
// cohort_floor from C) into a temporary folder and returns their paths by name
// and a function that removes them.
func buildFloors(c *cli.Context, names ...string) (map[string]string, func(), error) {
	dir, err := benchDir(c)
	if err != nil {
		return nil, func() {}, err
	}
	tmp, err := os.MkdirTemp("", "medtwin-bench-")
	if err != nil {
		return nil, func() {}, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	bins := map[string]string{"dir": dir}
	for _, n := range names {
		var bin string
		if n == "cohort_floor" {
			bin, err = benchref.BuildC(dir, tmp)
		} else {
			bin, err = benchref.Build(dir, n, tmp)
		}
		if err != nil {
			cleanup()
			return nil, func() {}, err
		}
		bins[n] = bin
	}
	return bins, cleanup, nil
}

func benchDir(c *cli.Context) (string, error) {
	d := c.String("bench-dir")
	if d == "" {
		d = benchref.Dir()
	}
	if d == "" {
		return "", fmt.Errorf("shared/bench not found: pass --bench-dir or set MEDTWIN_BENCH_DIR")
	}
	return d, nil
}

func benchDESCmd() *cli.Command {
	return &cli.Command{
		Name:  "des",
		Usage: "the built-in Go M/M/c (c=10, rho=0.9) against mmc_floor",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "customers", Value: 1_000_000, Usage: "customers per measurement"},
		}, benchFlags...),
		Action: func(c *cli.Context) error {
			bins, cleanup, err := buildFloors(c, "mmc_floor")
			defer cleanup()
			if err != nil {
				return err
			}
			bin := bins["mmc_floor"]
			n := c.Int("customers")
			var floor, cb, pr, allocs float64
			for r := 0; r < c.Int("rounds"); r++ {
				res, err := benchref.Run(bin, strconv.Itoa(n))
				if err != nil {
					return err
				}
				floor = math.Max(floor, res["floor"]["customers_per_s"])
				x, a := timeMMc(n, false)
				cb = math.Max(cb, x)
				allocs = a
				y, _ := timeMMc(n, true)
				pr = math.Max(pr, y)
			}
			return printBench(c, []benchRow{
				{Name: "mmc_floor (reference)", Value: floor, Unit: "customers/s"},
				{Name: "medtwin M/M/c callbacks", Value: cb, Unit: "customers/s", Floor: floor, Ratio: cb / floor, Target: ">= 0.5 of floor"},
				{Name: "medtwin M/M/c processes", Value: pr, Unit: "customers/s", Floor: floor, Ratio: pr / floor, Target: ">= 1,000,000/s"},
				{Name: "callback heap allocs per event", Value: allocs, Unit: "allocs"},
			})
		},
	}
}

// timeMMc runs n customers and returns customers/s and, for the callback style,
// heap allocations per event in the event loop (measured around Run only).
func timeMMc(n int, process bool) (float64, float64) {
	s := engine.New(engine.Options{Seed: 1})
	defer s.Close()
	(engine.MMc{C: 10, Lambda: 9, Mu: 1, Customers: n, Process: process}).Build(s)
	before := mallocs()
	t0 := time.Now()
	s.Run(math.Inf(1))
	el := time.Since(t0).Seconds()
	return float64(n) / el, float64(mallocs()-before) / float64(2*n)
}
