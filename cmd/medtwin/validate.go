package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/medtwin/medtwin/cmd/medtwin/internal/plot"
	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/engine/stats"
	"github.com/medtwin/medtwin/ops"
	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
)

func init() { extraCommands = append(extraCommands, validateCmd()) }

// validationColumns is the schema of validation.arrow (one row per KPI).
var validationColumns = []results.Column{
	{Name: "kpi", Type: arrow.BinaryTypes.String, Doc: "door_to_doctor_min, los_h, lwbs (0/1: the mean is the LWBS share), arrival_hour, boarding_h (admitted patients)"},
	{Name: "sim_n", Type: arrow.PrimitiveTypes.Int64, Doc: "simulated observations (all replications)"},
	{Name: "obs_n", Type: arrow.PrimitiveTypes.Int64, Doc: "observed visits with a value"},
	{Name: "sim_mean", Type: arrow.PrimitiveTypes.Float64, Doc: "mean of the replications' means"},
	{Name: "sim_ci_low", Type: arrow.PrimitiveTypes.Float64, Doc: "95% CI across replications (Student t)"},
	{Name: "sim_ci_high", Type: arrow.PrimitiveTypes.Float64, Doc: "its upper end"},
	{Name: "obs_mean", Type: arrow.PrimitiveTypes.Float64, Doc: "observed mean"},
	{Name: "obs_ci_low", Type: arrow.PrimitiveTypes.Float64, Doc: "95% CI of the observed mean"},
	{Name: "obs_ci_high", Type: arrow.PrimitiveTypes.Float64, Doc: "its upper end"},
	{Name: "ks_d", Type: arrow.PrimitiveTypes.Float64, Doc: "two-sample Kolmogorov-Smirnov statistic"},
	{Name: "ks_p", Type: arrow.PrimitiveTypes.Float64, Doc: "its asymptotic p-value"},
	{Name: "ad_t", Type: arrow.PrimitiveTypes.Float64, Doc: "Anderson-Darling standardised statistic (Scholz & Stephens 1987)"},
	{Name: "ad_p", Type: arrow.PrimitiveTypes.Float64, Doc: "its p-value, clamped to [0.001, 0.25]"},
	{Name: "wasserstein", Type: arrow.PrimitiveTypes.Float64, Doc: "Wasserstein-1 distance, in the KPI's unit"},
	{Name: "psi", Type: arrow.PrimitiveTypes.Float64, Doc: "population stability index over deciles of the simulated sample"},
	{Name: "verdict", Type: arrow.BinaryTypes.String, Doc: "pass, or fail when ks_p < --alpha or psi > --psi"},
}

// driftColumns is the schema of drift.arrow (one row per window and KPI).
var driftColumns = []results.Column{
	{Name: "window_start_h", Type: arrow.PrimitiveTypes.Float64, Doc: "window start, hours from midnight of the first observed day"},
	{Name: "window_end_h", Type: arrow.PrimitiveTypes.Float64, Doc: "window end, hours"},
	{Name: "kpi", Type: arrow.BinaryTypes.String, Doc: "as in validation.arrow"},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64, Doc: "observed values in the window"},
	{Name: "ks_d", Type: arrow.PrimitiveTypes.Float64, Doc: "KS statistic of the window's visits against the simulation"},
	{Name: "ks_p", Type: arrow.PrimitiveTypes.Float64, Doc: "its p-value"},
	{Name: "psi", Type: arrow.PrimitiveTypes.Float64, Doc: "population stability index of the window"},
	{Name: "flagged", Type: arrow.FixedWidthTypes.Boolean, Doc: "psi > --psi or ks_p < --alpha"},
}

func validateCmd() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "compare a scenario's simulated patient flow with observed ED visits (KS, AD, Wasserstein, PSI; drift by window)",
		ArgsUsage: "SCENARIO.lua",
		Description: "Runs the scenario's replications, takes the per-patient flow (flow.arrow) and compares, per KPI\n" +
			"(door_to_doctor_min, los_h, lwbs, arrival_hour, boarding_h), the simulated with the observed distribution:\n" +
			"means with 95% CIs, two-sample Kolmogorov-Smirnov, Anderson-Darling, Wasserstein-1 and PSI, and a\n" +
			"verdict (fail when KS p < --alpha or PSI > --psi). --window 28d also compares each window of the\n" +
			"observed period with the twin and flags drift. Writes validation.arrow, drift.arrow (with --window)\n" +
			"and report.html (KPI table; arrivals, door-to-doctor and LOS by hour, simulated and observed overlaid;\n" +
			"an ECDF and a QQ plot per KPI; drift)\n" +
			"into --out.\n\n" + ops.VisitsCSVDoc + "\n\nExamples:\n" +
			"   medtwin validate scenarios/clinic_ed.lua --observed visits.csv\n" +
			"   medtwin validate scenarios/clinic_ed.lua --observed encounters.arrow --window 28d --out out/val",
		Flags: append(scenarioFlags(),
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
			&cli.StringFlag{Name: "observed", Usage: "observed visits: a CSV (see below) or fhir import's encounters.arrow", Required: true},
			&cli.StringFlag{Name: "window", Usage: "drift windows over the observed period, e.g. 28d or 72h"},
			&cli.Float64Flag{Name: "alpha", Value: ops.DefaultThresholds.Alpha, Usage: "KS significance level of the verdicts and drift flags"},
			&cli.Float64Flag{Name: "psi", Value: ops.DefaultThresholds.PSI, Usage: "PSI above which a KPI fails or a window is flagged"},
			&cli.IntFlag{Name: "min-n", Value: 30, Usage: "fewest observed values of a KPI in a drift window"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output directory (default out/<scenario name>-validate)"},
			quietFlag(),
		),
		Action: func(c *cli.Context) error {
			started := time.Now()
			sc, obs, err := loadObserved(c)
			if err != nil {
				return err
			}
			var window float64
			if w := c.String("window"); w != "" {
				if window, err = parseSpan(w); err != nil {
					return usagef("--window: %v", err)
				}
			}
			th := ops.Thresholds{Alpha: c.Float64("alpha"), PSI: c.Float64("psi")}
			if !(th.Alpha > 0 && th.Alpha < 1) || !(th.PSI > 0) {
				return usagef("--alpha must be in (0, 1) and --psi positive")
			}
			flows, err := simulateFlow(c, sc)
			if err != nil {
				return err
			}
			cs, err := ops.Validate(flows, obs.Visits, th)
			if err != nil {
				return err
			}
			var drift []ops.DriftWindow
			if window > 0 {
				if drift, err = ops.Drift(flows, obs.Visits, window, c.Int("min-n"), th); err != nil {
					return err
				}
			}
			out := c.String("out")
			if out == "" {
				out = filepath.Join("out", sc.Name+"-validate")
			}
			if err := writeValidation(out, sc, obs, flows, cs, drift); err != nil {
				return err
			}
			if err := writeDirManifest(out, scenarioProvenance(sc), started); err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, struct {
					Scenario     string
					Replications int
					Observed     string
					ObservedRows int
					RowsLeftOut  []ops.BadRow
					KPIs         []ops.KPIComparison
					Drift        []ops.DriftWindow
					Out          string
				}{sc.Name, sc.Replications, obs.Path, len(obs.Visits), obs.Bad, cs, drift, out})
			}
			printValidation(c, sc, obs, cs, drift, out)
			return nil
		},
	}
}

// parseSpan reads a duration with unit w, d, h, m or s (4w, 28d, 72h, 90m,
// 600s) into seconds.
func parseSpan(s string) (float64, error) {
	units := map[byte]float64{'w': 7 * 86400, 'd': 86400, 'h': 3600, 'm': 60, 's': 1}
	if len(s) < 2 || units[s[len(s)-1]] == 0 {
		return 0, fmt.Errorf("%q: want a number with unit w, d, h, m or s (28d)", s)
	}
	v, err := strconv.ParseFloat(s[:len(s)-1], 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q: want a positive number with unit w, d, h, m or s (28d)", s)
	}
	return v * units[s[len(s)-1]], nil
}

// loadObserved loads the scenario argument of validate or calibrate and the
// --observed visits.
func loadObserved(c *cli.Context) (*scripts.Scenario, *ops.Visits, error) {
	if c.NArg() != 1 {
		return nil, nil, usagef("%s takes one scenario file, got %d arguments", c.Command.Name, c.NArg())
	}
	sc, err := loadScenario(c, c.Args().First())
	if err != nil {
		return nil, nil, err
	}
	obs, err := ops.ReadVisits(c.String("observed"))
	return sc, obs, err
}

// simulateFlow runs the scenario's replications and returns each one's flow rows.
func simulateFlow(c *cli.Context, sc *scripts.Scenario) ([][]engine.FlowRow, error) {
	ctx, cancel := scripts.WithLimits(context.Background(), c.Duration("timeout"), c.Uint64("max-memory"))
	defer cancel()
	bar, wait := progress(c, sc.Name+" validate", sc.Replications)
	flows, err := runFlow(ctx, sc, c.Int("workers"), func() { bar(1) })
	wait()
	n := 0
	for _, f := range flows {
		n += len(f)
	}
	if err == nil && n == 0 {
		err = fmt.Errorf("%s records no patient flow (flow.arrow is empty): validate needs an ED scenario (ops.ed), sim:flow, or auto_flow = true", sc.Path)
	}
	return flows, err
}

// runFlow runs sc's replications (no trace, no series) and returns each one's
// flow rows; tick is called after each replication.
func runFlow(ctx context.Context, sc *scripts.Scenario, workers int, tick func()) ([][]engine.FlowRow, error) {
	e := sc.Experiment(ctx, 0, sc.Replications)
	e.Trace, e.SampleEvery = false, 0
	if workers > 0 {
		e.Workers = workers
	}
	var flows [][]engine.FlowRow
	err := e.Run(ctx, func(r engine.RepResult) error { flows = append(flows, r.Flow); tick(); return nil })
	return flows, err
}

func printValidation(c *cli.Context, sc *scripts.Scenario, obs *ops.Visits, cs []ops.KPIComparison, drift []ops.DriftWindow, out string) {
	w := c.App.Writer
	fmt.Fprintf(w, "%s: %d replications against %d observed visits from %s (%d rows left out)\n", sc.Name, sc.Replications, len(obs.Visits), obs.Path, len(obs.Bad))
	for i, b := range obs.Bad {
		if i == 10 {
			fmt.Fprintf(w, "  ... and %d more\n", len(obs.Bad)-10)
			break
		}
		fmt.Fprintf(w, "  left out: %s\n", b)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kpi\tsimulated (95% CI)\tobserved (95% CI)\tKS D\tKS p\tAD p\tWasserstein\tPSI\tverdict")
	for _, r := range validationRows(cs) {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
	if len(drift) > 0 {
		flagged := 0
		for _, d := range drift {
			if d.Flagged {
				flagged++
				fmt.Fprintf(w, "drift: %s in days %g-%g: PSI %.3f, KS p %.3g\n", d.KPI, d.Start/86400, d.End/86400, d.PSI, d.KSP)
			}
		}
		fmt.Fprintf(w, "drift: %d of %d window-KPI comparisons flagged\n", flagged, len(drift))
	}
	fmt.Fprintf(w, "\nresults in %s\n", out)
}

func validationRows(cs []ops.KPIComparison) [][]string {
	var rows [][]string
	for _, k := range cs {
		rows = append(rows, []string{k.KPI,
			fmt.Sprintf("%s [%s, %s]", num(k.SimMean), num(k.SimLow), num(k.SimHigh)),
			fmt.Sprintf("%s [%s, %s]", num(k.ObsMean), num(k.ObsLow), num(k.ObsHigh)),
			fmt.Sprintf("%.3f", k.KS), fmt.Sprintf("%.3g", k.KSP), fmt.Sprintf("%.3g", k.ADP),
			num(k.Wasserstein), fmt.Sprintf("%.3f", k.PSI), k.Verdict()})
	}
	return rows
}

func writeValidation(out string, sc *scripts.Scenario, obs *ops.Visits, flows [][]engine.FlowRow, cs []ops.KPIComparison, drift []ops.DriftWindow) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	meta := map[string]string{"medtwin.version": Version, "medtwin.table": "validation", "medtwin.scenario": filepath.Base(sc.Path),
		"medtwin.scenario_sha256": sc.SHA256, "medtwin.seed": strconv.FormatUint(sc.Seed, 10), "medtwin.observed": filepath.Base(obs.Path)}
	w, err := results.Create(filepath.Join(out, "validation.arrow"), validationColumns, meta, 0)
	if err != nil {
		return err
	}
	for _, k := range cs {
		w.Str(0, k.KPI)
		w.I64(1, int64(k.SimN))
		w.I64(2, int64(k.ObsN))
		for i, v := range []float64{k.SimMean, k.SimLow, k.SimHigh, k.ObsMean, k.ObsLow, k.ObsHigh, k.KS, k.KSP, k.AD, k.ADP, k.Wasserstein, k.PSI} {
			w.F64(3+i, v)
		}
		w.Str(15, k.Verdict())
		if err := w.EndRow(); err != nil {
			w.Abort()
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	if len(drift) > 0 {
		meta["medtwin.table"] = "drift"
		w, err := results.Create(filepath.Join(out, "drift.arrow"), driftColumns, meta, 0)
		if err != nil {
			return err
		}
		for _, d := range drift {
			w.F64(0, d.Start/3600)
			w.F64(1, d.End/3600)
			w.Str(2, d.KPI)
			w.I64(3, int64(d.N))
			w.F64(4, d.KS)
			w.F64(5, d.KSP)
			w.F64(6, d.PSI)
			w.Bool(7, d.Flagged)
			if err := w.EndRow(); err != nil {
				w.Abort()
				return err
			}
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
	return validationReport(filepath.Join(out, "report.html"), sc, obs, flows, cs, drift)
}

// ecdfFigure draws the empirical CDFs of the sorted samples sim and obs over
// 200 points spanning both, as an SVG.
func ecdfFigure(kpi string, sim, obs []float64) (string, error) {
	lo, hi := math.Min(sim[0], obs[0]), math.Max(sim[len(sim)-1], obs[len(obs)-1])
	const n = 200
	xs, fs, fo := make([]float64, n), make([]float64, n), make([]float64, n)
	ecdf := func(s []float64, x float64) float64 {
		i, _ := slices.BinarySearchFunc(s, x, func(v, x float64) int {
			if v <= x {
				return -1
			}
			return 1
		})
		return float64(i) / float64(len(s))
	}
	for i := range xs {
		xs[i] = lo + (hi-lo)*float64(i)/(n-1)
		fs[i], fo[i] = ecdf(sim, xs[i]), ecdf(obs, xs[i])
	}
	p, err := plot.Lines("ECDF: "+kpi, kpi, "share at or below", xs, map[string][]float64{"simulated": fs, "observed": fo}, []string{"simulated", "observed"})
	if err != nil {
		return "", err
	}
	return plot.SVG(p)
}

// validationReport writes the HTML report: the KPI table, the hourly arrival
// profiles overlaid (arrivals, and mean door-to-doctor and LOS by hour of
// arrival), an ECDF and a QQ plot per KPI and the drift windows.
func validationReport(path string, sc *scripts.Scenario, obs *ops.Visits, flows [][]engine.FlowRow, cs []ops.KPIComparison, drift []ops.DriftWindow) error {
	r := &plot.Report{Title: "medtwin validate: " + sc.Name}
	r.Heading("Simulated against observed", fmt.Sprintf("%d replications of %s against %d observed visits (%d rows left out). Verdict: fail when KS p < alpha or PSI > the limit.",
		sc.Replications, filepath.Base(sc.Path), len(obs.Visits), len(obs.Bad)))
	r.Table([]string{"kpi", "simulated (95% CI)", "observed (95% CI)", "KS D", "KS p", "AD p", "Wasserstein", "PSI", "verdict"}, validationRows(cs))
	// arrivals by hour of day, as shares of the day's arrivals
	var sim, ob [24]float64
	var ns, no float64
	for _, f := range flows {
		for _, row := range f {
			sim[int(math.Mod(row.Arrival, 86400)/3600)]++
			ns++
		}
	}
	for _, v := range obs.Visits {
		ob[int(math.Mod(v.Arrival, 86400)/3600)]++
		no++
	}
	hours := make([]float64, 24)
	for h := range hours {
		hours[h], sim[h], ob[h] = float64(h), sim[h]/ns, ob[h]/no
	}
	if p, err := plot.Lines("arrivals by hour of day", "hour", "share of arrivals", hours,
		map[string][]float64{"simulated": sim[:], "observed": ob[:]}, []string{"simulated", "observed"}); err == nil {
		if svg, err := plot.SVG(p); err == nil {
			r.Figure(svg, "Arrivals by hour of day: simulated and observed profiles overlaid.")
		}
	}
	for _, k := range []struct {
		name, label string
		flow        func(engine.FlowRow) float64
		visit       func(ops.Visit) float64
	}{
		{"door-to-doctor", "mean door-to-doctor, min", func(f engine.FlowRow) float64 { return f.DoorDoctor / 60 }, func(v ops.Visit) float64 { return v.DoorToDoctor() / 60 }},
		{"length of stay", "mean LOS, h", func(f engine.FlowRow) float64 { return (f.End - f.Arrival) / 3600 }, func(v ops.Visit) float64 { return v.LOS() / 3600 }},
	} {
		var sum, n [2][24]float64
		add := func(side int, arrival, x float64) {
			if h := int(math.Mod(arrival, 86400) / 3600); !math.IsNaN(x) && !math.IsInf(x, 0) && h >= 0 && h < 24 {
				sum[side][h] += x
				n[side][h]++
			}
		}
		for _, f := range flows {
			for _, row := range f {
				if row.Disposition != "in_system" && row.Disposition != "diverted" {
					add(0, row.Arrival, k.flow(row))
				}
			}
		}
		for _, v := range obs.Visits {
			if v.Disposition != "diverted" {
				add(1, v.Arrival, k.visit(v))
			}
		}
		means := [2][]float64{make([]float64, 24), make([]float64, 24)}
		complete := true
		for side := range means {
			for h := range means[side] {
				complete = complete && n[side][h] > 0
				means[side][h] = sum[side][h] / n[side][h]
			}
		}
		if !complete { // an hour without values on a side: no profile to overlay
			continue
		}
		if p, err := plot.Lines(k.name+" by hour of arrival", "hour", k.label, hours,
			map[string][]float64{"simulated": means[0], "observed": means[1]}, []string{"simulated", "observed"}); err == nil {
			if svg, err := plot.SVG(p); err == nil {
				r.Figure(svg, "Mean "+k.name+" by hour of arrival: simulated and observed profiles overlaid.")
			}
		}
	}
	simS, obsS := ops.Samples(flows, obs.Visits)
	for _, k := range cs {
		a, b := slices.Sorted(slices.Values(simS[k.KPI])), slices.Sorted(slices.Values(obsS[k.KPI]))
		if svg, err := ecdfFigure(k.KPI, a, b); err == nil {
			r.Figure(svg, "Empirical CDFs of "+k.KPI+", simulated and observed; the KS statistic is their largest vertical gap.")
		}
		var qs, qo []float64
		for i := 1; i < 100; i++ {
			qs = append(qs, stats.Quantile(float64(i)/100, a))
			qo = append(qo, stats.Quantile(float64(i)/100, b))
		}
		p, err := plot.Lines("QQ: "+k.KPI, "simulated quantile", "observed quantile", qs,
			map[string][]float64{"observed": qo, "y = x": qs}, []string{"observed", "y = x"})
		if err != nil {
			continue
		}
		if svg, err := plot.SVG(p); err == nil {
			r.Figure(svg, "Quantiles 1%-99% of "+k.KPI+": observed against simulated; on the line when they agree.")
		}
	}
	if len(drift) > 0 {
		r.Heading("Drift", "Each window of the observed period against the twin; flagged when PSI is above the limit or KS rejects.")
		var rows [][]string
		for _, d := range drift {
			flag := ""
			if d.Flagged {
				flag = "flagged"
			}
			rows = append(rows, []string{fmt.Sprintf("%g-%g", d.Start/86400, d.End/86400), d.KPI, strconv.Itoa(d.N),
				fmt.Sprintf("%.3f", d.PSI), fmt.Sprintf("%.3g", d.KSP), flag})
		}
		r.Table([]string{"days", "kpi", "n", "PSI", "KS p", ""}, rows)
	}
	return r.Write(path)
}
