package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/ops"
	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
)

func init() { extraCommands = append(extraCommands, calibrateCmd()) }

func calibrateCmd() *cli.Command {
	return &cli.Command{
		Name:      "calibrate",
		Usage:     "fit a scenario to observed ED visits: arrival rates by MLE, LOS, and --fit parameters by simulation",
		ArgsUsage: "SCENARIO.lua",
		Description: "1. Arrivals: Poisson rates by hour of day (and weekday) by maximum likelihood, count/exposure,\n" +
			"   with exact (Garwood) 95% CIs; written to OUT/arrivals.csv (hour,relative_rate, the format of\n" +
			"   scenarios/ed_arrivals.csv), and visits_per_day set when the scenario declares it.\n" +
			"2. LOS: a log-normal fitted by MLE to the observed lengths of stay (printed with CIs).\n" +
			"3. Each --fit name=lo..hi parameter: Nelder-Mead (gonum) over the box, common random numbers (the\n" +
			"   scenario's seed in every evaluation), minimising the distance\n" +
			"       D = sum over door_to_doctor_min, los_h, lwbs, arrival_hour, boarding_h of the two-sample KS statistic\n" +
			"   between the simulated flow and the observed visits (a KPI missing on either side adds 0).\n" +
			"   The estimate is the best of all simulated points: the optimiser's evaluations and a grid of\n" +
			"   ±K steps (--bootstrap-grid, step 1/20 of the box, 1 for an integer) around its result.\n" +
			"4. Bootstrap CIs (--bootstrap B replicates, 0 for none): the observed days are resampled whole\n" +
			"   (a day-block bootstrap keeps the dependence of visits within a day), each replicate is refitted\n" +
			"   (arrival MLE, LOS MLE, and the --fit parameters as the point of the simulated design with the\n" +
			"   least distance to the replicate, whose simulated days are resampled whole too, so that the CI\n" +
			"   covers the simulation's noise as well as the data's; no replicate runs a new simulation, so the\n" +
			"   cost is that of the fit), and the 95% percentile interval is printed and written to params.txt\n" +
			"   (comments) and every replicate to OUT/bootstrap.csv. The draws come from the named streams\n" +
			"   calibrate-bootstrap and calibrate-bootstrap-sim of the scenario's seed: the same inputs give the\n" +
			"   same CIs.\n" +

			"Writes OUT/params.txt, which run, compare, sweep, optimize and validate read with --params.\n\n" +
			ops.VisitsCSVDoc + "\n\nExample:\n" +
			"   medtwin calibrate scenarios/ed_staffing.lua --observed visits.csv --fit physicians_day=2..8 --out out/cal\n" +
			"   medtwin validate scenarios/ed_staffing.lua --observed visits.csv --params out/cal/params.txt",
		Flags: append(scenarioFlags(),
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
			&cli.StringFlag{Name: "observed", Usage: "observed visits: a CSV or fhir import's encounters.arrow", Required: true},
			&cli.StringSliceFlag{Name: "fit", Usage: "fit a parameter by simulation: --fit name=lo..hi (repeatable)"},
			&cli.IntFlag{Name: "max-evals", Value: 40, Usage: "most scenario evaluations of the simulation-based fit"},
			&cli.IntFlag{Name: "bootstrap", Value: 200, Usage: "bootstrap replicates for the CIs of the fitted parameters (0: none)"},
			&cli.IntFlag{Name: "bootstrap-grid", Value: 2, Usage: "the grid simulated around the --fit estimate: ±K steps of 1/20 of each box (at most (2K+1)^k runs)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output directory (default out/<scenario name>-calibrate)"},
			quietFlag(),
		),
		Action: func(c *cli.Context) error {
			started := time.Now()
			sc, obs, err := loadObserved(c)
			if err != nil {
				return err
			}
			var fits []fitBox
			for _, r := range c.StringSlice("fit") {
				name, lo, hi, err := parseRange(sc, "--fit", r)
				if err != nil {
					return err
				}
				if !(hi > lo) {
					return usagef("--fit %q: want lo < hi", r)
				}
				fits = append(fits, fitBox{name, lo, hi})
			}
			out := c.String("out")
			if out == "" {
				out = filepath.Join("out", sc.Name+"-calibrate")
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			w := c.App.Writer
			if c.Bool("json") { // the tables go to stderr, the estimates to stdout as JSON
				w = c.App.ErrWriter
			}
			fmt.Fprintf(w, "%s: %d observed visits from %s (%d rows left out)\n", sc.Name, len(obs.Visits), obs.Path, len(obs.Bad))
			for _, b := range obs.Bad {
				fmt.Fprintf(w, "  left out: %s\n", b)
			}
			var names, values, comments []string
			comments = append(comments, fmt.Sprintf("medtwin calibrate %s --observed %s", filepath.Base(sc.Path), filepath.Base(obs.Path)))
			// 1. arrivals
			ap, err := ops.FitArrivals(obs.Visits)
			if err != nil {
				return err
			}
			perDay := ap.Total.Rate * 24
			fmt.Fprintf(w, "\narrivals: %.2f per day [%.2f, %.2f] over %g days (Poisson MLE, exact 95%% CI)\n", perDay, ap.Total.Low*24, ap.Total.High*24, ap.Days)
			var csv strings.Builder
			csv.WriteString("hour,relative_rate\n")
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "hour\tper hour\t95% CI\trelative")
			for h, r := range ap.Hour {
				rel := r.Rate / ap.Total.Rate
				fmt.Fprintf(&csv, "%d,%.6g\n", h, rel)
				fmt.Fprintf(tw, "%d\t%.3f\t[%.3f, %.3f]\t%.3f\n", h, r.Rate, r.Low, r.High, rel)
			}
			tw.Flush()
			if err := results.WriteFileAtomic(filepath.Join(out, "arrivals.csv"), []byte(csv.String())); err != nil {
				return err
			}
			if sc.Param("visits_per_day") != nil {
				names, values = append(names, "visits_per_day"), append(values, fmt.Sprintf("%.6g", perDay))
				if err := sc.Set(fmt.Sprintf("visits_per_day=%g", perDay)); err != nil {
					return err
				}
			}
			// 2. LOS
			var los []float64
			for _, v := range obs.Visits {
				los = append(los, v.LOS()/3600)
			}
			losFit, losErr := ops.FitLogNormal(los)
			if f := losFit; losErr == nil {
				fmt.Fprintf(w, "\nLOS (h): log-normal mu %.4f [%.4f, %.4f], sigma %.4f [%.4f, %.4f]; mean %.3f h, median %.3f h (n %d)\n",
					f.Mu, f.MuLow, f.MuHigh, f.Sigma, f.SLow, f.SHigh, f.Mean, f.Median, f.N)
				comments = append(comments, fmt.Sprintf("LOS log-normal (hours): mu %.6g sigma %.6g", f.Mu, f.Sigma))
			} else {
				fmt.Fprintf(w, "\nLOS: not fitted (%v)\n", losErr)
			}
			// 3. simulation-based fit
			var d *simDesign
			if len(fits) > 0 {
				ctx, cancel := scripts.WithLimits(context.Background(), c.Duration("timeout"), c.Uint64("max-memory"))
				defer cancel()
				tick, done := progressCount(c, sc.Name+" calibrate", "replications", 1)
				d = &simDesign{sc: sc, fits: fits, obs: sortedSamples(obs.Visits), workers: c.Int("workers"), tick: tick,
					memo: map[string]int{}, blocks: map[[2]int]int{}}
				err := d.fit(ctx, c.Int("max-evals"), c.Int("bootstrap-grid"))
				done()
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "\nsimulation-based fit: distance (sum of KS D) %.4f over %d simulated points (%d Nelder-Mead evaluations, grid ±%d steps; seed %d)\n",
					d.bestD, len(d.points), d.evals, c.Int("bootstrap-grid"), sc.Seed)
				for i, f := range fits {
					fmt.Fprintf(w, "  %s = %g (box %g..%g)\n", f.name, d.best()[i], f.lo, f.hi)
					names, values = append(names, f.name), append(values, fmt.Sprintf("%g", d.best()[i]))
				}
				comments = append(comments, fmt.Sprintf("distance (sum of KS D over %s) %.6g over %d simulated points", strings.Join(ops.ValidationKPIs, ", "), d.bestD, len(d.points)))
			}
			// 4. bootstrap CIs: refit on day-block resamples of the observed visits
			if b := c.Int("bootstrap"); b > 0 {
				est := map[string]float64{"visits_per_day": perDay, "los_mu": losFit.Mu, "los_sigma": losFit.Sigma}
				order := []string{"visits_per_day"}
				if losErr == nil {
					order = append(order, "los_mu", "los_sigma")
				}
				if d != nil {
					for i, f := range fits {
						est[f.name] = d.best()[i]
						order = append(order, f.name)
					}
				}
				reps, err := bootstrapFits(obs.Visits, sc.Seed, b, losErr == nil, d)
				if err != nil {
					return err
				}
				var csv strings.Builder
				csv.WriteString("replicate," + strings.Join(order, ",") + "\n")
				for i := 0; i < b; i++ {
					fmt.Fprintf(&csv, "%d", i)
					for _, n := range order {
						fmt.Fprintf(&csv, ",%.6g", reps[n][i])
					}
					csv.WriteString("\n")
				}
				if err := results.WriteFileAtomic(filepath.Join(out, "bootstrap.csv"), []byte(csv.String())); err != nil {
					return err
				}
				fmt.Fprintf(w, "\nbootstrap: %d replicates, observed days resampled whole (rng stream calibrate-bootstrap, seed %d); 95%% percentile CIs\n", b, sc.Seed)
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "parameter\testimate\t95% CI")
				for _, n := range order {
					lo, hi, err := ops.PercentileCI(reps[n], 0.95)
					if err != nil {
						return fmt.Errorf("calibrate: bootstrap of %s: %w", n, err)
					}
					note := ""
					if d != nil && d.atEdge(n, lo, hi) {
						note = "  (reaches the edge of the simulated grid: widen it with --bootstrap-grid)"
					}
					fmt.Fprintf(tw, "%s\t%.6g\t[%.6g, %.6g]%s\n", n, est[n], lo, hi, note)
					comments = append(comments, fmt.Sprintf("%s %.6g, bootstrap 95%% CI [%.6g, %.6g] (%d replicates by day)", n, est[n], lo, hi, b))
				}
				tw.Flush()
			}
			path := filepath.Join(out, "params.txt")
			if err := writeParamsFile(path, comments, names, values); err != nil {
				return err
			}
			if err := writeDirManifest(out, scenarioProvenance(sc), started); err != nil {
				return err
			}
			fmt.Fprintf(w, "\nparameters in %s (use --params), hourly profile in %s\n", path, filepath.Join(out, "arrivals.csv"))
			if c.Bool("json") {
				est := map[string]string{}
				for i, n := range names {
					est[n] = values[i]
				}
				return writeJSON(c.App.Writer, map[string]any{"scenario": sc.Name, "observed": obs.Path, "observed_visits": len(obs.Visits),
					"rows_left_out": obs.Bad, "params": est, "params_file": path, "out": out})
			}
			return nil
		},
	}
}
