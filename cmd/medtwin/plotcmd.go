package main

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/medtwin/medtwin/cmd/medtwin/internal/plot"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/engine/stats"
	"github.com/urfave/cli/v2"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

func init() { extraCommands = append(extraCommands, plotCmd()) }

func plotCmd() *cli.Command {
	out := &cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output file, .png or .svg", Value: "plot.svg"}
	width := &cli.Float64Flag{Name: "width", Value: 7, Usage: "figure width in inches"}
	height := &cli.Float64Flag{Name: "height", Value: 4.5, Usage: "figure height in inches"}
	dpi := &cli.IntFlag{Name: "dpi", Value: 96, Usage: "pixels per inch of a PNG (7 × 4.5 in at 96 dpi: 672 × 432)"}
	at := &cli.StringSliceFlag{Name: "at", Usage: "hold another grid parameter at this value, NAME=VALUE (repeatable; default: its value in combination 0)"}
	return &cli.Command{
		Name:  "plot",
		Usage: "draw figures from medtwin's Arrow files (PNG or SVG)",
		Description: "Examples:\n" +
			"   medtwin plot sweep out/ed_staffing-sweep/sweep.arrow --kpi door_to_doctor_min --x physicians_peak -o d2d.svg\n" +
			"   medtwin plot hourly out/ed_staffing --series beds.in_use,beds.queue -o beds.png\n" +
			"   medtwin plot percentiles out/run --series beds.queue -o band.svg\n" +
			"   medtwin plot tornado out/ed_staffing-sweep/sweep.arrow --kpi door_to_doctor_min -o tornado.svg\n" +
			"   medtwin plot usage out/ed_staffing -o usage.png            (busy, queue and capacity steps per resource)\n" +
			"   medtwin plot waits out/ed_staffing -o waits.svg            (waiting-time ECDF per resource; run with --trace)\n" +
			"   medtwin plot utilisation out/ed_staffing -o utilisation.svg (bars with 95% CIs)",
		Subcommands: []*cli.Command{
			{Name: "sweep", Usage: "a KPI against a grid parameter with its 95% CI band", ArgsUsage: "SWEEP.arrow",
				Flags: []cli.Flag{out, width, height, dpi, &cli.StringFlag{Name: "kpi", Required: true, Usage: "KPI to draw (a kpi of sweep.arrow)"}, &cli.StringFlag{Name: "x", Required: true, Usage: "grid parameter"}, at},
				Action: func(c *cli.Context) error {
					rows, axes, err := readSweep(c.Args().First())
					if err != nil {
						return err
					}
					held, say, err := heldValues(rows, axes, c.String("x"), c.StringSlice("at"))
					if err != nil {
						return err
					}
					xs, m, lo, hi, labels, err := sweepSeries(rows, axes, c.String("kpi"), c.String("x"), held)
					if err != nil {
						return err
					}
					title := c.String("kpi") + " vs " + c.String("x")
					if say != "" {
						title += "\n(held at " + say + ")"
					}
					u := unitsFor(filepath.Dir(c.Args().First()))
					p, err := plot.Band(title, u.paramAxis(c.String("x")), u.kpiAxis(c.String("kpi"))+", mean and 95% CI", xs, m, lo, hi)
					if err != nil {
						return err
					}
					if labels != nil {
						plot.Categories(p, labels)
					}
					return savePlot(c, p)
				}},
			{Name: "hourly", Usage: "time series averaged by hour of day (queue length, occupancy)", ArgsUsage: "RUN_DIR",
				Flags: []cli.Flag{out, width, height, dpi, &cli.StringFlag{Name: "series", Required: true, Usage: "comma-separated series names"}},
				Action: func(c *cli.Context) error {
					names := strings.Split(c.String("series"), ",")
					byHour, err := hourly(filepath.Join(c.Args().First(), "timeseries.arrow"), names)
					if err != nil {
						return err
					}
					xs := make([]float64, 24)
					for h := range xs {
						xs[h] = float64(h)
					}
					if err := checkPlotFlags(c); err != nil {
						return err
					}
					p, legend, err := plot.LinesApart("", "hour of day (h)", withUnit("mean over days and replications", seriesUnits(names)), xs, byHour, names)
					if err != nil {
						return err
					}
					return saveFigure(c, "by hour of day", []*gplot.Plot{p}, 1, legend, 0)
				}},
			{Name: "percentiles", Usage: "median and 5th-95th percentile band of a series across replications", ArgsUsage: "RUN_DIR",
				Flags: []cli.Flag{out, width, height, dpi, &cli.StringFlag{Name: "series", Required: true, Usage: "series of timeseries.arrow, e.g. beds.queue"}},
				Action: func(c *cli.Context) error {
					ts, p5, p50, p95, err := percentiles(filepath.Join(c.Args().First(), "timeseries.arrow"), c.String("series"))
					if err != nil {
						return err
					}
					for i := range ts {
						ts[i] /= 3600
					}
					p, err := plot.Band(c.String("series")+": median and 90% prediction interval", "time (h)", withUnit(c.String("series"), seriesUnit(c.String("series"))), ts, p50, p5, p95)
					if err != nil {
						return err
					}
					return savePlot(c, p)
				}},
			{Name: "tornado", Usage: "each grid parameter's swing of a KPI (others held at their first grid value or --at; the title says which)", ArgsUsage: "SWEEP.arrow",
				Flags: []cli.Flag{out, width, height, dpi, &cli.StringFlag{Name: "kpi", Required: true, Usage: "KPI whose swing is drawn (a kpi of sweep.arrow)"}, at},
				Action: func(c *cli.Context) error {
					rows, axes, err := readSweep(c.Args().First())
					if err != nil {
						return err
					}
					held, say, err := heldValues(rows, axes, "", c.StringSlice("at"))
					if err != nil {
						return err
					}
					names, lo, hi, base, err := tornado(rows, axes, c.String("kpi"), held)
					if err != nil {
						return err
					}
					u := unitsFor(filepath.Dir(c.Args().First()))
					p, err := plot.Tornado("sensitivity of "+c.String("kpi")+"\n(base: "+say+")", u.kpiAxis(c.String("kpi")), names, lo, hi, base)
					if err != nil {
						return err
					}
					return savePlot(c, p)
				}},
			plotUsageCmd([]cli.Flag{out, width, height, dpi}),
			plotWaitsCmd([]cli.Flag{out, width, height, dpi}),
			plotUtilisationCmd([]cli.Flag{out, width, height, dpi}),
		},
	}
}

type sweepRow struct {
	combo  int
	params map[string]string // each grid parameter's value as written in the grid
	kpi    string
	mean   float64
	lo, hi float64
}

// sweepAxis is one grid parameter of a sweep file: its values in grid order,
// and whether they are numbers (a choice such as shift_policy is not).
type sweepAxis struct {
	name    string
	numeric bool
	values  []string
}

func readSweep(path string) ([]sweepRow, []sweepAxis, error) {
	t, err := results.Read(path)
	if err != nil {
		return nil, nil, err
	}
	defer t.Release()
	if t.Meta()["medtwin.table"] != "sweep" {
		return nil, nil, fmt.Errorf("%s is not a sweep file", path)
	}
	f64 := arrow.PrimitiveTypes.Float64
	need := []results.Column{{Name: "combo", Type: arrow.PrimitiveTypes.Int32}, {Name: "kpi", Type: arrow.BinaryTypes.String},
		{Name: "mean", Type: f64}, {Name: "ci_low", Type: f64}, {Name: "ci_high", Type: f64}}
	var axes []sweepAxis
	for _, f := range t.Schema.Fields() {
		if strings.HasPrefix(f.Name, "param_") {
			ax := sweepAxis{name: strings.TrimPrefix(f.Name, "param_"), numeric: !arrow.TypeEqual(f.Type, arrow.BinaryTypes.String)}
			axes = append(axes, ax)
			if ax.numeric {
				need = append(need, results.Column{Name: f.Name, Type: f64})
			}
		}
	}
	if err := t.Need(need...); err != nil {
		return nil, nil, err
	}
	var rows []sweepRow
	seen := make([]map[string]bool, len(axes))
	for i := range seen {
		seen[i] = map[string]bool{}
	}
	for _, rec := range t.Batches {
		col := func(name string) int { return t.Column(name) }
		for i := 0; i < int(rec.NumRows()); i++ {
			r := sweepRow{combo: int(rec.Column(col("combo")).(*array.Int32).Value(i)), params: map[string]string{},
				kpi: rec.Column(col("kpi")).(*array.String).Value(i), mean: rec.Column(col("mean")).(*array.Float64).Value(i),
				lo: rec.Column(col("ci_low")).(*array.Float64).Value(i), hi: rec.Column(col("ci_high")).(*array.Float64).Value(i)}
			for k, a := range axes {
				var v string
				if a.numeric {
					v = strconv.FormatFloat(rec.Column(col("param_"+a.name)).(*array.Float64).Value(i), 'g', -1, 64)
				} else {
					v = rec.Column(col("param_" + a.name)).(*array.String).Value(i)
				}
				r.params[a.name] = v
				if !seen[k][v] {
					seen[k][v] = true
					axes[k].values = append(axes[k].values, v)
				}
			}
			rows = append(rows, r)
		}
	}
	return rows, axes, nil
}

// heldValues returns the value each grid parameter other than x is held at:
// its value in combination 0, or the one --at names. It says so in words
// ("beds=24, shift_policy=finish") for the figure's title.
func heldValues(rows []sweepRow, axes []sweepAxis, x string, at []string) (map[string]string, string, error) {
	m := map[string]string{}
	for _, r := range rows {
		if r.combo == 0 {
			for k, v := range r.params {
				m[k] = v
			}
			break
		}
	}
	for _, kv := range at {
		name, v, ok := strings.Cut(kv, "=")
		var ax *sweepAxis
		for i := range axes {
			if axes[i].name == name {
				ax = &axes[i]
			}
		}
		if !ok || ax == nil {
			return nil, "", usagef("--at %s: want NAME=VALUE with NAME a grid parameter (grid: %s)", kv, axisNames(axes))
		}
		if ax.numeric {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, "", usagef("--at %s: %q is not a number", kv, v)
			}
			v = strconv.FormatFloat(f, 'g', -1, 64)
		}
		if !slices.Contains(ax.values, v) {
			return nil, "", usagef("--at %s: %s takes %s in this sweep", kv, name, strings.Join(ax.values, ", "))
		}
		m[name] = v
	}
	var held []string
	for _, a := range axes {
		if a.name != x {
			held = append(held, a.name+"="+m[a.name])
		}
	}
	return m, strings.Join(held, ", "), nil
}

// sweepKPIs lists the KPIs of a sweep's rows, in order of first appearance.
func sweepKPIs(rows []sweepRow) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.kpi] {
			seen[r.kpi] = true
			out = append(out, r.kpi)
		}
	}
	return out
}

func axisNames(axes []sweepAxis) string {
	var n []string
	for _, a := range axes {
		n = append(n, a.name)
	}
	return strings.Join(n, ", ")
}

// sweepSeries is a KPI against grid parameter x with the other parameters
// held at the values of held. For a choice parameter xs are the positions
// 0, 1, ... of its values and labels name them.
func sweepSeries(rows []sweepRow, axes []sweepAxis, kpi, x string, held map[string]string) (xs, m, lo, hi []float64, labels []string, err error) {
	var ax *sweepAxis
	for i := range axes {
		if axes[i].name == x {
			ax = &axes[i]
		}
	}
	if ax == nil {
		return nil, nil, nil, nil, nil, unknownName("grid parameter (--x)", x, strings.Split(axisNames(axes), ", "))
	}
	if err := checkName("KPI in the sweep", kpi, sweepKPIs(rows)); err != nil {
		return nil, nil, nil, nil, nil, err
	}
	for _, r := range rows {
		if r.kpi != kpi {
			continue
		}
		other := true
		for _, a := range axes {
			if a.name != x && r.params[a.name] != held[a.name] {
				other = false
			}
		}
		if !other {
			continue
		}
		v := r.params[x]
		if ax.numeric {
			f, _ := strconv.ParseFloat(v, 64)
			xs = append(xs, f)
		} else {
			for i, c := range ax.values {
				if c == v {
					xs = append(xs, float64(i))
				}
			}
			labels = append(labels, v)
		}
		m, lo, hi = append(m, r.mean), append(lo, r.lo), append(hi, r.hi)
	}
	if len(xs) == 0 {
		return nil, nil, nil, nil, nil, usagef("the sweep has no KPI %q", kpi)
	}
	return
}

// tornado is each grid parameter's swing of a KPI with the others held at
// held's values: the KPI at the parameter's lowest and highest value (first
// and last in grid order for a choice).
func tornado(rows []sweepRow, axes []sweepAxis, kpi string, held map[string]string) (names []string, lo, hi []float64, base float64, err error) {
	base = math.NaN()
	if err := checkName("KPI in the sweep", kpi, sweepKPIs(rows)); err != nil {
		return nil, nil, nil, 0, err
	}
	for _, r := range rows {
		if r.kpi != kpi {
			continue
		}
		all := true
		for _, a := range axes {
			all = all && r.params[a.name] == held[a.name]
		}
		if all {
			base = r.mean
		}
	}
	if math.IsNaN(base) {
		return nil, nil, nil, 0, usagef("the sweep has no KPI %q", kpi)
	}
	for _, a := range axes {
		xs, m, _, _, labels, _ := sweepSeries(rows, axes, kpi, a.name, held)
		if len(xs) < 2 {
			continue
		}
		iMin, iMax := 0, 0
		for i := range xs {
			if xs[i] < xs[iMin] {
				iMin = i
			}
			if xs[i] > xs[iMax] {
				iMax = i
			}
		}
		name := fmt.Sprintf("%s %g..%g", a.name, xs[iMin], xs[iMax])
		if !a.numeric {
			name = fmt.Sprintf("%s %s..%s", a.name, labels[iMin], labels[iMax])
		}
		names, lo, hi = append(names, name), append(lo, m[iMin]), append(hi, m[iMax])
	}
	if len(names) == 0 {
		return nil, nil, nil, 0, usagef("no grid parameter has two values")
	}
	return
}

// readSeries returns (replication, time, value) triples of the named series.
func readSeries(path string, names map[string]bool) (map[string][][3]float64, error) {
	t, err := results.Read(path)
	if err != nil {
		return nil, err
	}
	defer t.Release()
	if err := t.NeedExactly(results.SeriesColumns); err != nil {
		return nil, err
	}
	out := map[string][][3]float64{}
	for _, rec := range t.Batches {
		rep, tm := rec.Column(0).(*array.Int32), rec.Column(1).(*array.Float64)
		ser, val := rec.Column(t.Column("series")).(*array.String), rec.Column(t.Column("value")).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			if n := ser.Value(i); names[n] {
				out[n] = append(out[n], [3]float64{float64(rep.Value(i)), tm.Value(i), val.Value(i)})
			}
		}
	}
	for n := range names {
		if len(out[n]) == 0 {
			return nil, fmt.Errorf("%s has no series %q (is sample_every set?)", path, n)
		}
	}
	return out, nil
}

func hourly(path string, names []string) (map[string][]float64, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	data, err := readSeries(path, want)
	if err != nil {
		return nil, err
	}
	out := map[string][]float64{}
	for n, pts := range data {
		sum, cnt := make([]float64, 24), make([]float64, 24)
		for _, p := range pts {
			h := int(math.Mod(p[1], 86400) / 3600)
			sum[h] += p[2]
			cnt[h]++
		}
		for h := range sum {
			if cnt[h] > 0 {
				sum[h] /= cnt[h]
			}
		}
		out[n] = sum
	}
	return out, nil
}

func percentiles(path, name string) (ts, p5, p50, p95 []float64, err error) {
	data, err := readSeries(path, map[string]bool{name: true})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	byTime := map[float64][]float64{}
	for _, p := range data[name] {
		byTime[p[1]] = append(byTime[p[1]], p[2])
	}
	for t := range byTime {
		ts = append(ts, t)
	}
	sort.Float64s(ts)
	for _, t := range ts {
		v := byTime[t]
		sort.Float64s(v)
		p5 = append(p5, stats.Quantile(0.05, v))
		p50 = append(p50, stats.Quantile(0.5, v))
		p95 = append(p95, stats.Quantile(0.95, v))
	}
	return
}

// savePlot writes p to --out at --width × --height inches (--dpi for a PNG).
func savePlot(c *cli.Context, p *gplot.Plot) error {
	if err := checkPlotFlags(c); err != nil {
		return err
	}
	return plot.SaveSized(p, c.String("out"), vg.Length(c.Float64("width"))*vg.Inch, vg.Length(c.Float64("height"))*vg.Inch, c.Int("dpi"))
}

// saveFigure writes panels, cols a row, under title and legend (a strip
// beside the data) to --out at --width × --height (--height grows to
// minHeight inches unless set).
func saveFigure(c *cli.Context, title string, panels []*gplot.Plot, cols int, legend []plot.LegendEntry, minHeight float64) error {
	h := c.Float64("height")
	if !c.IsSet("height") {
		h = math.Max(h, minHeight)
	}
	return plot.Figure(c.String("out"), title, panels, cols, legend, vg.Length(c.Float64("width"))*vg.Inch, vg.Length(h)*vg.Inch, c.Int("dpi"))
}

// pickNames is the comma-separated names of --flag, each checked against
// known (did you mean ...), or all of known when the flag is not given.
func pickNames(c *cli.Context, flag, what string, known []string) ([]string, error) {
	s := c.String(flag)
	if s == "" {
		return known, nil
	}
	var out []string
	for _, n := range strings.Split(s, ",") {
		if err := checkName(what, n, known); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// checkPlotFlags refuses a size, resolution or --out that no figure can have,
// before any file is read.
func checkPlotFlags(c *cli.Context) error {
	w, h, dpi := c.Float64("width"), c.Float64("height"), c.Int("dpi")
	if !(w > 0 && h > 0 && w <= 100 && h <= 100) || dpi < 1 || dpi > 1200 {
		return usagef("--width and --height must be in (0, 100] inches and --dpi in [1, 1200], got %g × %g at %d", w, h, dpi)
	}
	if ext := strings.ToLower(filepath.Ext(c.String("out"))); ext != ".png" && ext != ".svg" {
		return usagef("--out %s: the file must end in .png or .svg", c.String("out"))
	}
	if c.NArg() != 1 {
		return usagef("plot %s takes one argument (%s), got %d", c.Command.Name, c.Command.ArgsUsage, c.NArg())
	}
	return nil
}
