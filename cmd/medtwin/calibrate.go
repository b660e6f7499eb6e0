package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/engine/stats"
	"github.com/medtwin/medtwin/ops"
	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
	"gonum.org/v1/gonum/optimize"
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
			"       D = sum over door_to_doctor_min, los_h, lwbs, arrival_hour of the two-sample KS statistic\n" +
			"   between the simulated flow and the observed visits (a KPI missing on either side adds 0).\n" +
			"Writes OUT/params.txt, which run, compare, sweep, optimize and validate read with --params.\n\n" +
			ops.VisitsCSVDoc + "\n\nExample:\n" +
			"   medtwin calibrate scenarios/ed_staffing.lua --observed visits.csv --fit physicians_day=2..8 --out out/cal\n" +
			"   medtwin validate scenarios/ed_staffing.lua --observed visits.csv --params out/cal/params.txt",
		Flags: append(scenarioFlags(),
			&cli.StringFlag{Name: "observed", Usage: "observed visits: a CSV or fhir import's encounters.arrow", Required: true},
			&cli.StringSliceFlag{Name: "fit", Usage: "fit a parameter by simulation: --fit name=lo..hi (repeatable)"},
			&cli.IntFlag{Name: "max-evals", Value: 40, Usage: "most scenario evaluations of the simulation-based fit"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output directory (default out/<scenario name>-calibrate)"},
		),
		Action: func(c *cli.Context) error {
			sc, obs, err := loadObserved(c)
			if err != nil {
				return err
			}
			type box struct {
				name   string
				lo, hi float64
			}
			var fits []box
			for _, r := range c.StringSlice("fit") {
				name, lo, hi, err := parseRange(sc, "--fit", r)
				if err != nil {
					return err
				}
				if !(hi > lo) {
					return usagef("--fit %q: want lo < hi", r)
				}
				fits = append(fits, box{name, lo, hi})
			}
			out := c.String("out")
			if out == "" {
				out = filepath.Join("out", sc.Name+"-calibrate")
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			w := c.App.Writer
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
			if f, err := ops.FitLogNormal(los); err == nil {
				fmt.Fprintf(w, "\nLOS (h): log-normal mu %.4f [%.4f, %.4f], sigma %.4f [%.4f, %.4f]; mean %.3f h, median %.3f h (n %d)\n",
					f.Mu, f.MuLow, f.MuHigh, f.Sigma, f.SLow, f.SHigh, f.Mean, f.Median, f.N)
				comments = append(comments, fmt.Sprintf("LOS log-normal (hours): mu %.6g sigma %.6g", f.Mu, f.Sigma))
			}
			// 3. simulation-based fit
			if len(fits) > 0 {
				ctx, cancel := scripts.WithLimits(context.Background(), c.Duration("timeout"), c.Uint64("max-memory"))
				defer cancel()
				evals := 0
				// the search runs in u in [0, 1]^k, x = lo + u (hi - lo)
				setAll := func(u []float64) (*scripts.Scenario, []float64, error) {
					v := sc.Clone()
					vals := make([]float64, len(fits))
					for i, f := range fits {
						val := f.lo + math.Max(0, math.Min(1, u[i]))*(f.hi-f.lo)
						if v.Param(f.name).Integer {
							val = math.Round(val)
						}
						vals[i] = val
						if err := v.Set(fmt.Sprintf("%s=%g", f.name, val)); err != nil {
							return nil, nil, err
						}
					}
					return v, vals, nil
				}
				var fail error
				obj := func(x []float64) float64 {
					if fail != nil || evals >= c.Int("max-evals") {
						return math.Inf(1)
					}
					evals++
					v, _, err := setAll(x)
					if err != nil {
						fail = err
						return math.Inf(1)
					}
					d, err := flowDistance(ctx, v, obs.Visits, c.Int("workers"))
					if err != nil {
						fail = err
						return math.Inf(1)
					}
					// outside the box: the clamped point's distance plus the distance out
					for i := range fits {
						d += math.Max(0, -x[i]) + math.Max(0, x[i]-1)
					}
					return d
				}
				x0 := make([]float64, len(fits))
				for i, f := range fits {
					start, ok := sc.Param(f.name).Value.(float64)
					if !ok {
						return usagef("--fit %s: not a number parameter", f.name)
					}
					x0[i] = math.Max(0, math.Min(1, (start-f.lo)/(f.hi-f.lo)))
				}
				res, err := optimize.Minimize(optimize.Problem{Func: obj}, x0,
					&optimize.Settings{FuncEvaluations: c.Int("max-evals"), Converger: &optimize.FunctionConverge{Absolute: 1e-4, Iterations: 20}},
					&optimize.NelderMead{SimplexSize: 0.25})
				if fail != nil {
					return fail
				}
				if err != nil && res == nil {
					return fmt.Errorf("calibrate: %w", err)
				}
				_, best, _ := setAll(res.X)
				fmt.Fprintf(w, "\nsimulation-based fit: distance (sum of KS D) %.4f after %d evaluations (Nelder-Mead, seed %d)\n", res.F, evals, sc.Seed)
				for i, f := range fits {
					fmt.Fprintf(w, "  %s = %g (box %g..%g)\n", f.name, best[i], f.lo, f.hi)
					names, values = append(names, f.name), append(values, fmt.Sprintf("%g", best[i]))
				}
				comments = append(comments, fmt.Sprintf("distance (sum of KS D over door_to_doctor_min, los_h, lwbs, arrival_hour) %.6g after %d evaluations", res.F, evals))
			}
			path := filepath.Join(out, "params.txt")
			if err := writeParamsFile(path, comments, names, values); err != nil {
				return err
			}
			fmt.Fprintf(w, "\nparameters in %s (use --params), hourly profile in %s\n", path, filepath.Join(out, "arrivals.csv"))
			return nil
		},
	}
}

// flowDistance runs sc's replications and returns the calibration distance:
// the sum over the validation KPIs of the two-sample KS statistic between the
// simulated flow (all replications) and the observed visits.
func flowDistance(ctx context.Context, sc *scripts.Scenario, obs []ops.Visit, workers int) (float64, error) {
	flows, err := runFlow(ctx, sc, workers)
	if err != nil {
		return 0, err
	}
	sim, o := ops.Samples(flows, obs)
	d := 0.0
	for _, k := range ops.ValidationKPIs {
		if len(sim[k]) == 0 || len(o[k]) == 0 {
			continue
		}
		ks, err := stats.KS2(sim[k], o[k])
		if err != nil {
			return 0, err
		}
		d += ks.D
	}
	return d, nil
}
