package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/medtwin/medtwin/cmd/medtwin/internal/plot"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/engine/stats"
	"github.com/urfave/cli/v2"
	gplot "gonum.org/v1/plot"
)

// `medtwin plot waits`: simmer.plot's plot(arrivals, metric = "waiting_time")
// as distributions: the ECDF of the waits at each resource, every replication
// pooled, after the warm-up. A traced run (events.arrow) has a wait per
// resource (each grant's value: the wait of that request); an untraced one
// has only flow.arrow's total wait per patient, which the figure then says.

// waitSamples are waits in seconds by resource, in order of first appearance,
// and where they came from.
type waitSamples struct {
	order  []string
	waits  map[string][]float64
	source string
}

// runWarmup is the warm-up (seconds) a run's table records; 0 if none.
func runWarmup(t *results.Table) float64 {
	w, err := strconv.ParseFloat(t.Meta()["medtwin.warmup_s"], 64)
	if err != nil {
		return 0
	}
	return w
}

// readWaits reads the waits of a run directory: per resource from the first grants
// of events.arrow, else the per-patient total of flow.arrow (patients still in
// the system at the horizon left out). Requests granted (patients arriving)
// before the warm-up's end are left out, as the KPIs leave them out.
func readWaits(dir string) (*waitSamples, error) {
	ev := filepath.Join(dir, "events.arrow")
	t, err := results.Read(ev)
	if err == nil {
		defer t.Release()
		if err := t.NeedExactly(results.EventColumns); err != nil {
			return nil, err
		}
		ws := &waitSamples{waits: map[string][]float64{}, source: "events.arrow grants"}
		warm := runWarmup(t)
		// a grant right after the same entity's preemption at that resource
		// is its service going on (time since arrival, service included), not
		// a new request's wait: only first grants count, as in wait_mean_s
		type holder struct {
			rep    int32
			res    string
			entity int64
		}
		preempted := map[holder]bool{}
		for _, rec := range t.Batches {
			tc, kind := rec.Column(t.Column("time_s")).(*array.Float64), rec.Column(t.Column("kind")).(*array.String)
			res, val := rec.Column(t.Column("resource")).(*array.String), rec.Column(t.Column("value")).(*array.Float64)
			rc, ent := rec.Column(t.Column("replication")).(*array.Int32), rec.Column(t.Column("entity")).(*array.Int64)
			for i := 0; i < int(rec.NumRows()); i++ {
				h := holder{rc.Value(i), res.Value(i), ent.Value(i)}
				switch kind.Value(i) {
				case "preempt":
					preempted[h] = true
					continue
				case "arrive":
					delete(preempted, h)
					continue
				case "grant":
					if preempted[h] {
						delete(preempted, h)
						continue
					}
				default:
					continue
				}
				if tc.Value(i) < warm {
					continue
				}
				r := res.Value(i)
				if _, ok := ws.waits[r]; !ok {
					ws.order = append(ws.order, r)
				}
				ws.waits[r] = append(ws.waits[r], val.Value(i))
			}
		}
		if len(ws.order) == 0 {
			return nil, usagef("%s has no grants after the warm-up (%s)", ev, fmtSeconds(warm))
		}
		return ws, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	fl := filepath.Join(dir, "flow.arrow")
	t, err = results.Read(fl)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usagef("%s has neither events.arrow (run with --trace for waits per resource) nor flow.arrow", dir)
	}
	if err != nil {
		return nil, err
	}
	defer t.Release()
	if err := t.NeedExactly(results.FlowColumns); err != nil {
		return nil, err
	}
	const all = "all resources (per patient)"
	ws := &waitSamples{order: []string{all}, waits: map[string][]float64{}, source: "flow.arrow wait_s"}
	warm := runWarmup(t)
	for _, rec := range t.Batches {
		arr, disp := rec.Column(t.Column("arrival_s")).(*array.Float64), rec.Column(t.Column("disposition")).(*array.String)
		wait := rec.Column(t.Column("wait_s")).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			if w := wait.Value(i); arr.Value(i) >= warm && disp.Value(i) != "in_system" && !math.IsNaN(w) {
				ws.waits[all] = append(ws.waits[all], w)
			}
		}
	}
	if len(ws.waits[all]) == 0 {
		return nil, usagef("%s has no waits after the warm-up (wait_s is NaN where the scenario does not track it): run with --trace for waits per resource", fl)
	}
	return ws, nil
}

// waitUnit is the unit a waits axis shows: minutes, or hours when the 95th
// percentile of every sample together passes 5 hours.
func waitUnit(ws *waitSamples) (scale float64, unit string) {
	var v []float64
	for _, r := range ws.order {
		v = append(v, ws.waits[r]...)
	}
	slices.Sort(v)
	if len(v) > 0 && stats.Quantile(0.95, v) > 5*3600 {
		return 3600, "h"
	}
	return 60, "min"
}

// ecdfCut is where a waits axis ends: the largest 99th percentile (R type 7)
// of the samples, so that a few long waits do not squeeze every curve
// against the axis.
func ecdfCut(samples map[string][]float64, order []string) float64 {
	cut := 0.0
	for _, r := range order {
		v := slices.Clone(samples[r])
		slices.Sort(v)
		if len(v) > 0 {
			cut = math.Max(cut, stats.Quantile(0.99, v))
		}
	}
	return cut
}

func plotWaitsCmd(common []cli.Flag) *cli.Command {
	return &cli.Command{Name: "waits", ArgsUsage: "RUN_DIR",
		Usage:       "waiting-time distribution (ECDF) at each resource, replications pooled, after the warm-up",
		Description: "Per resource from events.arrow (a run with --trace); without it, the total wait per patient of flow.arrow.",
		Flags:       append(common, &cli.StringFlag{Name: "resource", Usage: "comma-separated resources (default: all)"}),
		Action: func(c *cli.Context) error {
			if err := checkPlotFlags(c); err != nil {
				return err
			}
			ws, err := readWaits(c.Args().First())
			if err != nil {
				return err
			}
			if c.String("resource") != "" && ws.source != "events.arrow grants" {
				return usagef("--resource needs waits per resource: %s has no events.arrow (run with --trace)", c.Args().First())
			}
			if ws.order, err = pickNames(c, "resource", "resource with grants in events.arrow", ws.order); err != nil {
				return err
			}
			scale, unit := waitUnit(ws)
			scaled := map[string][]float64{}
			n := 0
			for _, r := range ws.order {
				for _, w := range ws.waits[r] {
					scaled[r] = append(scaled[r], w/scale)
				}
				n += len(ws.waits[r])
			}
			cut := ecdfCut(scaled, ws.order)
			title := fmt.Sprintf("waiting time, replications pooled after the warm-up (%d requests, from %s);\nx axis cut at the largest 99th percentile, %.4g %s: curves reach 1 beyond", n, ws.source, cut, unit)
			p, legend, err := plot.ECDF("", "waiting time ("+unit+")", scaled, ws.order)
			if err != nil {
				return err
			}
			if cut > 0 {
				p.X.Min, p.X.Max = 0, cut
			}
			return saveFigure(c, title, []*gplot.Plot{p}, 1, legend, 0)
		}}
}
