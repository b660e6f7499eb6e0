package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
)

func init() { extraBenchCmds = append(extraBenchCmds, benchRepsCmd(), benchPeersCmd()) }

// peerRun is one of the peers' examples (ported under scenarios/peers) with
// the wall-clock of the peer's own run. Figures: ../shared/peers/README.md,
// "Wall-clock of those peer runs on the 2-core machine" (SimPy 3.0.8 and Ciw
// 3.2.7 under Python 3.11, measured on this machine).
type peerRun struct {
	Scenario     string
	Peer         string
	Replications int
	PeerSeconds  float64
}

var peerRuns = []peerRun{
	{"scenarios/peers/machine_shop.lua", "SimPy", 400, 25.7},
	{"scenarios/peers/bank_renege.lua", "SimPy", 20000, 1.5},
	{"scenarios/peers/gas_station_refuel.lua", "SimPy", 20000, 3.5},
	{"scenarios/peers/movie_renege.lua", "SimPy", 10000, 11.5},
	{"scenarios/peers/ciw_tutorial_iv.lua", "Ciw", 10000, 26.4},
	{"scenarios/peers/ciw_priorities.lua", "Ciw", 1000, 14.8},
}

var repsFlags = []cli.Flag{
	&cli.IntFlag{Name: "workers", Value: 1, Usage: "replications run at once (1: the figure per core)"},
	&cli.StringFlag{Name: "checkpoint", Value: results.DefaultSchedule.String(), Usage: "checkpoint schedule of the runs (as medtwin run's)"},
	&cli.StringFlag{Name: "out", Usage: "directory the runs write into (default: a temporary one; use a disk or a tmpfs on purpose)"},
	&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
}

// timeRun loads a scenario and runs reps replications of it as `medtwin run`
// does (Arrow files and checkpoints into dir), and returns the wall time of it
// all, loading included, and the CPU time the process used meanwhile (on a
// shared machine, the figure that depends less on the other users).
func timeRun(c *cli.Context, path string, src []byte, reps int, dir string) (wall, cpu time.Duration, err error) {
	cpu0 := cpuTime()
	t0 := time.Now()
	err = runReps(c, path, src, reps, dir)
	return time.Since(t0), cpuTime() - cpu0, err
}

// cpuTime returns the user and system time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func runReps(c *cli.Context, path string, src []byte, reps int, dir string) error {
	sched, err := results.ParseSchedule(c.String("checkpoint"))
	if err != nil {
		return usageError{"--" + err.Error()}
	}
	var sc *scripts.Scenario
	if src != nil {
		sc, err = scripts.LoadSource(path, src, time.Minute)
	} else {
		sc, err = scripts.Load(path, time.Minute)
	}
	if err != nil {
		return err
	}
	sc.Output = os.Stderr
	ctx := context.Background()
	prov := results.Provenance{Version: Version, Scenario: filepath.Base(path), ScenarioSHA256: sc.SHA256, Params: sc.Values(),
		Seed: sc.Seed, To: reps, Total: reps}
	cp := &results.Checkpoint{Dir: dir, Prov: prov, Events: sc.Trace, Series: sc.SampleEvery > 0, Schedule: sched}
	cp.Start(false)
	e := sc.Experiment(ctx, 0, reps)
	e.Workers = c.Int("workers")
	if err := e.Run(ctx, cp.Add); err != nil {
		cp.Stop()
		return err
	}
	_, err = cp.Finish()
	return err
}

// inRunsDir calls bench with the directory the runs write into: --out, or a
// temporary one removed afterwards.
func inRunsDir(c *cli.Context, bench func(dir string) error) error {
	if d := c.String("out"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		return bench(d)
	}
	d, err := os.MkdirTemp("", "medtwin-bench-runs-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(d)
	return bench(d)
}

const emptyScenario = `return scenario { name = "empty", description = "no model", horizon = 10, build = function(sim, p) end }`

func benchRepsCmd() *cli.Command {
	return &cli.Command{
		Name:  "reps",
		Usage: "replications per second of an empty scenario (the fixed cost of a replication, files included)",
		Description: "Runs --replications replications of a scenario with an empty model as `medtwin run` does\n" +
			"(Arrow files, checkpoints). Example:\n   medtwin bench reps --replications 20000 --checkpoint off",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "replications", Value: 20000, Usage: "replications per measurement"},
			&cli.IntFlag{Name: "rounds", Value: 3, Usage: "rounds; the best is reported"},
		}, repsFlags...),
		Action: func(c *cli.Context) error {
			return inRunsDir(c, func(dir string) error {
				n := c.Int("replications")
				var best, bestCPU time.Duration
				for r := 0; r < c.Int("rounds"); r++ {
					d, cpu, err := timeRun(c, "empty.lua", []byte(emptyScenario), n, filepath.Join(dir, "empty"))
					if err != nil {
						return err
					}
					if best == 0 || d < best {
						best = d
					}
					if bestCPU == 0 || cpu < bestCPU {
						bestCPU = cpu
					}
				}
				w := float64(c.Int("workers"))
				return printBench(c, []benchRow{
					{Name: "empty scenario, wall, per worker", Value: float64(n) / best.Seconds() / w, Unit: "reps/s"},
					{Name: "empty scenario, per CPU second", Value: float64(n) / bestCPU.Seconds(), Unit: "reps/s"},
				})
			})
		},
	}
}

func benchPeersCmd() *cli.Command {
	return &cli.Command{
		Name:  "peers",
		Usage: "the peers' SimPy and Ciw examples (scenarios/peers) against the peers' own wall-clock",
		Description: "Runs each example of scenarios/peers with the replications the peers' wall-clock was taken\n" +
			"with (../shared/peers/README.md) as `medtwin run` does, and prints medtwin's wall-clock and\n" +
			"how many times faster it is. Example:\n   medtwin bench peers --workers 1",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "dir", Value: ".", Usage: "the repository root (where scenarios/peers is)"},
		}, repsFlags...),
		Action: func(c *cli.Context) error {
			return inRunsDir(c, func(dir string) error {
				type row struct {
					Example      string  `json:"example"`
					Replications int     `json:"replications"`
					Seconds      float64 `json:"medtwin_s"`
					CPUSeconds   float64 `json:"medtwin_cpu_s"`
					Peer         string  `json:"peer"`
					PeerSeconds  float64 `json:"peer_s"`
					SpeedUp      float64 `json:"speed_up"`
					SpeedUpCPU   float64 `json:"speed_up_cpu"`
				}
				var rows []row
				for _, p := range peerRuns {
					d, cpu, err := timeRun(c, filepath.Join(c.String("dir"), p.Scenario), nil, p.Replications, filepath.Join(dir, "peer"))
					if err != nil {
						return err
					}
					rows = append(rows, row{filepath.Base(p.Scenario), p.Replications, d.Seconds(), cpu.Seconds(), p.Peer, p.PeerSeconds, p.PeerSeconds / d.Seconds(), p.PeerSeconds / cpu.Seconds()})
				}
				if c.Bool("json") {
					return writeJSON(c.App.Writer, rows)
				}
				tw := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', tabwriter.AlignRight)
				fmt.Fprintf(tw, "example\treplications\tmedtwin s\tCPU s\tpeer s\tspeed-up (wall)\tspeed-up (CPU)\t\n")
				for _, r := range rows {
					fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%s %.1f\t%.1fx\t%.1fx\t\n", r.Example, r.Replications, r.Seconds, r.CPUSeconds,
						r.Peer, r.PeerSeconds, r.SpeedUp, r.SpeedUpCPU)
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				_, err := fmt.Fprintf(c.App.Writer, "target: speed-up >= 2, goal 5 (%d worker(s), --checkpoint %s); peer s: the peers' wall-clock, ../shared/peers/README.md\n",
					c.Int("workers"), c.String("checkpoint"))
				return err
			})
		},
	}
}
