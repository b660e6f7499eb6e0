package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/medtwin/medtwin/cmd/medtwin/internal/plot"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/urfave/cli/v2"
	gplot "gonum.org/v1/plot"
)

// `medtwin plot usage`: simmer.plot's plot(resources, metric = "usage") with
// steps: each resource's busy units, queue length and capacity over time in
// one replication, as step lines. Busy units and queue come from the samples
// that sample_every takes (timeseries.arrow); capacity too, unless the run
// was traced (--trace or trace = true), when events.arrow's capacity rows
// give every roster change at its exact time.

// usage is one resource's usage over a window of one replication. Times are
// seconds; a value holds from its time until the next one.
type usage struct {
	resource       string
	t, busy, queue []float64 // samples
	capT, capV     []float64 // capacity steps
	capExact       bool      // capacity from events.arrow
}

// resourceSeries lists the resources of a timeseries.arrow (those with a
// <name>.in_use series), in order of first appearance.
func resourceSeries(t *results.Table) []string {
	var out []string
	seen := map[string]bool{}
	for _, rec := range t.Batches {
		ser := rec.Column(t.Column("series")).(*array.String)
		for i := 0; i < int(rec.NumRows()); i++ {
			if n, ok := strings.CutSuffix(ser.Value(i), ".in_use"); ok && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// readUsage reads the usage of the named resources (all when names is empty)
// in replication rep over [from, to) seconds from dir's timeseries.arrow and,
// where it exists, events.arrow. It also returns the sampling interval and the
// horizon and warm-up of the run (seconds; NaN where the file does not say).
func readUsage(dir string, rep int, names []string, from, to float64) (us []*usage, every, horizon, warmup float64, err error) {
	path := filepath.Join(dir, "timeseries.arrow")
	t, err := results.Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, 0, 0, usagef("%s has no timeseries.arrow: usage over time needs samples; set sample_every in the scenario (e.g. sample_every = hours(1))", dir)
	}
	if err != nil {
		return nil, 0, 0, 0, err
	}
	defer t.Release()
	if err := t.NeedExactly(results.SeriesColumns); err != nil {
		return nil, 0, 0, 0, err
	}
	meta := func(k string) float64 {
		v, err := strconv.ParseFloat(t.Meta()[k], 64)
		if err != nil {
			return math.NaN()
		}
		return v
	}
	horizon, warmup = meta("medtwin.horizon_s"), meta("medtwin.warmup_s")
	all := resourceSeries(t)
	if len(all) == 0 {
		return nil, 0, 0, 0, usagef("%s has no resource samples (<resource>.in_use): set sample_every in the scenario", path)
	}
	if len(names) == 0 {
		names = all
	}
	idx := map[string]int{}
	for _, n := range names {
		if err := checkName("resource in "+path, n, all); err != nil {
			return nil, 0, 0, 0, err
		}
		if _, dup := idx[n]; !dup {
			idx[n] = len(us)
			us = append(us, &usage{resource: n})
		}
	}
	reps := map[int32]bool{}
	first := map[string]float64{} // each resource's capacity at its replication's first sample
	for _, rec := range t.Batches {
		rc, tc := rec.Column(t.Column("replication")).(*array.Int32), rec.Column(t.Column("time_s")).(*array.Float64)
		ser, val := rec.Column(t.Column("series")).(*array.String), rec.Column(t.Column("value")).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			reps[rc.Value(i)] = true
			if int(rc.Value(i)) != rep {
				continue
			}
			name, kind, ok := cutLast(ser.Value(i))
			k, want := idx[name]
			if !ok || !want {
				continue
			}
			u, tm, v := us[k], tc.Value(i), val.Value(i)
			if kind == "capacity" {
				if _, ok := first[name]; !ok {
					first[name] = v
				}
			}
			if tm < from || tm >= to {
				continue
			}
			switch kind {
			case "in_use":
				u.t, u.busy = append(u.t, tm), append(u.busy, v)
			case "queue":
				u.queue = append(u.queue, v)
			case "capacity":
				u.capT, u.capV = append(u.capT, tm), append(u.capV, v)
			}
		}
	}
	if !reps[int32(rep)] {
		return nil, 0, 0, 0, usagef("%s has no replication %d (it has %d replications from %d)", path, rep, len(reps), minKey(reps))
	}
	// a resource created during the run has no samples before it exists
	kept := us[:0]
	for _, u := range us {
		if len(u.t) > 0 {
			kept = append(kept, u)
		}
	}
	if us = kept; len(us) == 0 {
		return nil, 0, 0, 0, usagef("%s has no samples between %s and %s", path, fmtSeconds(from), fmtSeconds(to))
	}
	times := us[0].t
	every = math.Inf(1)
	for i := 1; i < len(times); i++ {
		every = math.Min(every, times[i]-times[i-1])
	}
	for _, u := range us {
		if len(u.queue) != len(u.t) || len(u.capV) != len(u.t) {
			return nil, 0, 0, 0, fmt.Errorf("%s: %s has %d in_use, %d queue and %d capacity samples; want as many of each", path, u.resource, len(u.t), len(u.queue), len(u.capV))
		}
	}
	if err := exactCapacity(filepath.Join(dir, "events.arrow"), rep, us, first, from, to); err != nil {
		return nil, 0, 0, 0, err
	}
	return us, every, horizon, warmup, nil
}

// cutLast splits "beds.in_use" into "beds" and "in_use".
func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

func minKey(m map[int32]bool) int32 {
	lo := int32(math.MaxInt32)
	for k := range m {
		lo = min(lo, k)
	}
	return lo
}

// exactCapacity replaces the sampled capacity of each resource by its steps
// from events.arrow's capacity rows (each roster change at its own time) when
// the run was traced; a run without events.arrow keeps the samples. first is
// the capacity each resource had at the replication's first sample.
func exactCapacity(path string, rep int, us []*usage, first map[string]float64, from, to float64) error {
	t, err := results.Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer t.Release()
	if err := t.NeedExactly(results.EventColumns); err != nil {
		return err
	}
	type step struct{ t, v float64 }
	steps := map[string][]step{}
	for _, rec := range t.Batches {
		rc, tc := rec.Column(t.Column("replication")).(*array.Int32), rec.Column(t.Column("time_s")).(*array.Float64)
		kind, res := rec.Column(t.Column("kind")).(*array.String), rec.Column(t.Column("resource")).(*array.String)
		val := rec.Column(t.Column("value")).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			if int(rc.Value(i)) == rep && kind.Value(i) == "capacity" {
				steps[res.Value(i)] = append(steps[res.Value(i)], step{tc.Value(i), val.Value(i)})
			}
		}
	}
	for _, u := range us {
		c := first[u.resource] // before the first change; a change at time 0 precedes the first sample
		var ts, vs []float64
		for _, s := range steps[u.resource] {
			switch {
			case s.t <= from:
				c = s.v
			case s.t < to:
				ts, vs = append(ts, s.t), append(vs, s.v)
			}
		}
		u.capT, u.capV, u.capExact = append([]float64{from}, ts...), append([]float64{c}, vs...), true
	}
	return nil
}

// usageWindow is the default window of `plot usage`: a week from the end of
// the warm-up (the whole run when shorter), so that a day's roster steps stay
// apart on a page.
func usageWindow(horizon, warmup float64) (from, to float64) {
	if math.IsNaN(warmup) {
		warmup = 0
	}
	from, to = warmup, warmup+7*86400
	if !math.IsNaN(horizon) && horizon < to {
		to = horizon
	}
	return from, to
}

// timeAxis picks the unit of a time axis over span seconds: hours up to
// three days, days beyond.
func timeAxis(span float64) (scale float64, label string) {
	if span <= 3*86400 {
		return 3600, "time (h)"
	}
	return 86400, "time (days)"
}

func usagePanels(us []*usage, from, to float64) ([]*gplot.Plot, []plot.LegendEntry, error) {
	scale, xLabel := timeAxis(to - from)
	var panels []*gplot.Plot
	var legend []plot.LegendEntry
	for _, u := range us {
		// each step line ends at the window's end, holding its last value
		ext := func(ts, vs []float64) ([]float64, []float64) {
			xs := make([]float64, 0, len(ts)+1)
			for _, x := range ts {
				xs = append(xs, x/scale)
			}
			return append(xs, to/scale), append(append([]float64(nil), vs...), vs[len(vs)-1])
		}
		bx, by := ext(u.t, u.busy)
		qx, qy := ext(u.t, u.queue)
		cx, cy := ext(u.capT, u.capV)
		p, l, err := plot.Steps(u.resource, xLabel, "count (units; queue: requests)", []plot.StepLine{
			{Name: "busy units", Xs: bx, Ys: by, Color: plot.Palette(0)},
			{Name: "queue length", Xs: qx, Ys: qy, Color: plot.Palette(1)},
			{Name: "capacity", Xs: cx, Ys: cy, Color: plot.Palette(7), Dashed: true},
		})
		if err != nil {
			return nil, nil, err
		}
		p.X.Min, p.X.Max = from/scale, to/scale
		panels = append(panels, p)
		legend = l
	}
	return panels, legend, nil
}

func plotUsageCmd(common []cli.Flag) *cli.Command {
	return &cli.Command{Name: "usage", ArgsUsage: "RUN_DIR",
		Usage: "busy units, queue length and capacity of each resource over time (step lines; one replication)",
		Description: "Reads timeseries.arrow (the scenario's sample_every) and, when the run was traced, the exact capacity\n" +
			"changes of events.arrow. Default: every resource, replication 0, the week after the warm-up.",
		Flags: append(common,
			&cli.StringFlag{Name: "resource", Usage: "comma-separated resources (default: all)"},
			&cli.IntFlag{Name: "replication", Usage: "replication to draw"},
			&cli.StringFlag{Name: "from", Usage: "window start, e.g. 2d, 36h, or 0 (default: the end of the warm-up)"},
			&cli.StringFlag{Name: "to", Usage: "window end, e.g. 9d (default: a week after --from, at most the horizon)"}),
		Action: func(c *cli.Context) error {
			if err := checkPlotFlags(c); err != nil {
				return err
			}
			var names []string
			if s := c.String("resource"); s != "" {
				names = strings.Split(s, ",") // readUsage checks them against the file
			}
			dir := c.Args().First()
			// the window needs the run's horizon and warm-up: read all, then cut
			us, every, horizon, warmup, err := readUsage(dir, c.Int("replication"), names, math.Inf(-1), math.Inf(1))
			if err != nil {
				return err
			}
			from, to := usageWindow(horizon, warmup)
			if c.IsSet("from") {
				if from, err = spanFlag(c, "from"); err != nil {
					return err
				}
				if !c.IsSet("to") {
					_, to = usageWindow(horizon, from)
				}
			}
			if c.IsSet("to") {
				if to, err = spanFlag(c, "to"); err != nil {
					return err
				}
			}
			if !(to > from) {
				return usagef("--to (%s) must be after --from (%s)", fmtSeconds(to), fmtSeconds(from))
			}
			if us, _, _, _, err = readUsage(dir, c.Int("replication"), names, from, to); err != nil {
				return err
			}
			panels, legend, err := usagePanels(us, from, to)
			if err != nil {
				return err
			}
			cols := 1
			if len(panels) > 2 {
				cols = 2
			}
			rows := (len(panels) + cols - 1) / cols
			title := fmt.Sprintf("usage, replication %d, %s to %s: busy units and queue sampled every %s", c.Int("replication"),
				fmtSeconds(from), fmtSeconds(to), fmtSeconds(every))
			if us[0].capExact {
				title += ";\ncapacity: every change at its time (events.arrow)"
			} else {
				title += ",\ncapacity too (run with --trace for every capacity change at its time)"
			}
			return saveFigure(c, title, panels, cols, legend, 2.8*float64(rows)+0.6)
		}}
}

// spanFlag parses a time flag as parseSpan does, with "0" for the start.
func spanFlag(c *cli.Context, name string) (float64, error) {
	s := c.String(name)
	if s == "0" {
		return 0, nil
	}
	v, err := parseSpan(s)
	if err != nil {
		return 0, usagef("--%s %v", name, err)
	}
	return v, nil
}
