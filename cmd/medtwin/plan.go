package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/engine/stats"
	"github.com/medtwin/medtwin/scripts"
	"github.com/medtwin/medtwin/scripts/plan"
	"github.com/urfave/cli/v2"
)

func init() {
	extraCommands = append(extraCommands, compareCmd(), sweepCmd(), optimizeCmd(), mergeCmd())
}

// splitVs rewrites `compare A.lua --set x=1 --vs --set x=2 [B.lua]` into hidden
// flags, so that everything after --vs describes the variant.
func splitVs(args []string) ([]string, error) {
	if len(args) < 2 || args[1] != "compare" {
		return args, nil
	}
	for i, a := range args {
		if a != "--vs" {
			continue
		}
		out := append([]string(nil), args[:i]...)
		rest := args[i+1:]
		for j := 0; j < len(rest); j++ {
			switch r := rest[j]; {
			case r == "--set" && j+1 < len(rest):
				out = append(out, "--vs-set", rest[j+1])
				j++
			case strings.HasPrefix(r, "--set="):
				out = append(out, "--vs-set", strings.TrimPrefix(r, "--set="))
			case strings.HasSuffix(r, ".lua"):
				out = append(out, "--vs-scenario", r)
			default:
				out = append(out, r) // the command's own flags (--report, --json, ...)
			}
		}
		return out, nil
	}
	return args, nil
}

func compareCmd() *cli.Command {
	return &cli.Command{
		Name:      "compare",
		Usage:     "baseline vs variant with common random numbers: paired differences with 95% CIs",
		ArgsUsage: "SCENARIO.lua [--set ...] --vs [--set ...] [OTHER.lua]",
		Description: "Replication r of the baseline and of the variant draw the same random numbers\n" +
			"(same arrivals, same patients), so differences are precise. The variant is also\n" +
			"run on independent streams to measure what that buys. Examples:\n" +
			"   medtwin compare scenarios/ed_staffing.lua --vs --set physicians_peak=6\n" +
			"   medtwin compare scenarios/mmc.lua --set servers=10 --vs --set servers=11 --json",
		Flags: append(scenarioFlags(),
			&cli.StringSliceFlag{Name: "vs-set", Hidden: true},
			&cli.StringFlag{Name: "vs-scenario", Hidden: true},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
			&cli.StringFlag{Name: "report", Usage: "also write a self-contained HTML report"},
			&cli.BoolFlag{Name: "all", Usage: "show every KPI, not only those with a verdict or a difference"},
			quietFlag(),
		),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("compare takes one scenario (and --vs for the variant)")
			}
			base, err := loadScenario(c, c.Args().First())
			if err != nil {
				return err
			}
			var variant *scripts.Scenario
			if f := c.String("vs-scenario"); f != "" {
				if variant, err = scripts.Load(f, c.Duration("timeout")); err != nil {
					return err
				}
				variant.Seed, variant.Replications = base.Seed, base.Replications
				if err := applySpans(c, variant); err != nil { // --horizon/--warmup apply to both
					return err
				}
			} else {
				variant = base.Clone()
			}
			for _, s := range c.StringSlice("vs-set") {
				if err := variant.Set(s); err != nil {
					return usageError{"--vs " + err.Error()}
				}
			}
			if len(c.StringSlice("vs-set")) == 0 && c.String("vs-scenario") == "" {
				return usagef("compare needs a variant: --vs --set name=value")
			}
			ctx, cancel := scripts.WithLimits(c.Context, c.Duration("timeout"), c.Uint64("max-memory"))
			defer cancel()
			ctx, done := planProgress(c, ctx, base.Name+" compare", 3*base.Replications)
			diffs, err := plan.Compare(ctx, base, variant, c.Int("workers"))
			done()
			if err != nil {
				return err
			}
			warnGuessed(c.App.ErrWriter, base.Path, diffs)
			if c.Bool("json") {
				return writeJSON(c.App.Writer, diffs)
			}
			fmt.Fprintf(c.App.Writer, "baseline %s%s vs variant %s%s: %d replications each, common random numbers (seed %d)\n\n",
				base.Name, changed(base), variant.Name, changed(variant), base.Replications, base.Seed)
			printDiffs(c.App.Writer, diffs, c.Bool("all"))
			if r := c.String("report"); r != "" {
				auditOutput(c, r)
				return writeCompareReport(r, base, variant, diffs)
			}
			return nil
		},
	}
}

// warnGuessed says on stderr which verdicts came from plan.NameRule because the
// scenario declares no direction for the KPI.
func warnGuessed(w io.Writer, path string, diffs []plan.Diff) {
	var names []string
	for _, d := range diffs {
		if d.Guessed() {
			names = append(names, d.KPI)
		}
	}
	if len(names) == 0 {
		return
	}
	list := strings.Join(names, ", ")
	if len(names) > 4 {
		list = fmt.Sprintf("%s and %d more", strings.Join(names[:4], ", "), len(names)-4)
	}
	fmt.Fprintf(w, "medtwin: warning: %s declares no direction for %s; the verdict guessed it from the name "+
		"(declare kpis = { %s = { better = \"lower\" } } or \"higher\")\n", path, list, names[0])
}

func changed(sc *scripts.Scenario) string {
	var parts []string
	for _, p := range sc.Params {
		if p.Source == "--set" {
			parts = append(parts, p.Name+"="+scripts.FormatValue(p.Value))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func printDiffs(w io.Writer, diffs []plan.Diff, all bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kpi\tbaseline\tvariant\tdifference\t95% CI (CRN)\tCI width indep/CRN\tverdict")
	for _, d := range diffs {
		if !all && d.Verdict == "no detectable difference" && d.Diff.Mean == 0 {
			continue
		}
		ratio := "-"
		if d.WidthRatio > 0 && !math.IsInf(d.WidthRatio, 0) {
			ratio = fmt.Sprintf("%.1fx", d.WidthRatio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t[%s, %s]\t%s\t%s\n", d.KPI, num(d.Baseline), num(d.Variant), num(d.Diff.Mean),
			num(d.Diff.Low), num(d.Diff.High), ratio, d.Verdict)
	}
	tw.Flush()
}

// writeJSON writes v as indented JSON in the one key style of every --json
// output (jsonValue: snake_case, NaN and Inf as null).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // constraints print as <=, not \u003c=
	return enc.Encode(jsonValue(reflect.ValueOf(v)))
}

func sweepCmd() *cli.Command {
	return &cli.Command{
		Name:      "sweep",
		Usage:     "run every combination of a parameter grid; one row per combination and KPI with CIs",
		ArgsUsage: "SCENARIO.lua --grid name=a..b --grid name=v1,v2",
		Description: "Each combination runs all replications on all cores, with the same seed (common\n" +
			"random numbers across combinations). Finished combinations are kept under\n" +
			"OUT/parts, so a killed sweep continues where it stopped when run again. Example:\n" +
			"   medtwin sweep scenarios/ed_staffing.lua --grid physicians_peak=4..7 --grid beds=24,28,32",
		Flags: append(scenarioFlags(),
			&cli.StringSliceFlag{Name: "grid", Usage: "name=a..b[:step] or name=v1,v2 (repeatable)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output directory (default out/<name>-sweep)"},
			&cli.StringFlag{Name: "shard", Usage: "run slice i/n of the combinations (default from Kubernetes/Slurm array variables)"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar"},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
		),
		Action: func(c *cli.Context) error {
			sc, err := loadScenario(c, c.Args().First())
			if err != nil {
				return err
			}
			axes, err := plan.ParseGrid(sc, c.StringSlice("grid"))
			if err != nil {
				return usageError{err.Error()}
			}
			if len(axes) == 0 {
				return usagef("sweep needs at least one --grid")
			}
			sh, err := parseShard(c.String("shard"))
			if err != nil {
				return err
			}
			out := c.String("out")
			if out == "" {
				out = filepath.Join("out", sc.Name+"-sweep")
			}
			auditOutput(c, out)
			n := len(plan.Combos(axes))
			from, to := sh.span(n)
			ctx, cancel := scripts.WithLimits(c.Context, c.Duration("timeout"), c.Uint64("max-memory"))
			defer cancel()
			started := time.Now()
			sw := &plan.Sweep{Scenario: sc, Axes: axes, Dir: out, Version: Version, From: from, To: to, Shard: sh.String(), Workers: c.Int("workers")}
			if showProgress(c) {
				sw.Progress = func(done, total int, skipped bool) {
					note := ""
					if skipped {
						note = " (done before, skipped)"
					}
					fmt.Fprintf(c.App.ErrWriter, "\r%s: combination %d/%d%s   ", sc.Name, done, total, note)
				}
			}
			path, err := sw.Run(ctx)
			if err != nil {
				return fmt.Errorf("%v\n(finished combinations are kept in %s/parts: run the same command again to resume)", err, out)
			}
			if sw.Progress != nil {
				fmt.Fprintln(c.App.ErrWriter)
			}
			m := results.NewManifest(results.Provenance{Version: Version, Scenario: filepath.Base(sc.Path), ScenarioSHA256: sc.SHA256,
				Params: sc.Values(), Seed: sc.Seed, To: sc.Replications, Total: sc.Replications, Shard: sh.String()}, started)
			if err := m.Write(out, []string{path}); err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, map[string]any{"scenario": sc.Name, "combinations": to - from, "replications": sc.Replications,
					"shard": sh.String(), "results": path})
			}
			fmt.Fprintf(c.App.Writer, "%s: %d combinations × %d replications, results in %s\n", sc.Name, to-from, sc.Replications, path)
			return nil
		},
	}
}

func optimizeCmd() *cli.Command {
	return &cli.Command{
		Name:      "optimize",
		Usage:     "the lowest-cost plan of a grid that meets service constraints, decided by confidence intervals",
		ArgsUsage: "SCENARIO.lua --grid ... --constraint kpi>=value ...",
		Description: "Plans are tried from the cheapest (the scenario's cost = function(p)); each gets\n" +
			"replications in batches until every constraint's CI (Bonferroni over constraints)\n" +
			"lies on one side of its bound. Example:\n" +
			"   medtwin optimize scenarios/ed_staffing.lua --grid physicians_peak=3..7 --grid physicians_day=3..5 \\\n" +
			"       --constraint door_to_doctor_target_met>=0.8 --constraint lwbs_rate<=0.02",
		Flags: append(scenarioFlags(),
			&cli.StringSliceFlag{Name: "grid", Usage: "name=a..b[:step] or name=v1,v2 (repeatable)"},
			&cli.StringSliceFlag{Name: "constraint", Usage: "kpi>=value or kpi<=value (repeatable)"},
			&cli.IntFlag{Name: "batch", Value: 10, Usage: "replications per step"},
			&cli.IntFlag{Name: "max-replications", Value: 100, Usage: "replications before a plan is called undecided"},
			quietFlag(),
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
			&cli.StringFlag{Name: "report", Usage: "also write a self-contained HTML report"},
		),
		Action: func(c *cli.Context) error {
			sc, err := loadScenario(c, c.Args().First())
			if err != nil {
				return err
			}
			axes, err := plan.ParseGrid(sc, c.StringSlice("grid"))
			if err != nil {
				return usageError{err.Error()}
			}
			var cons []plan.Constraint
			for _, s := range c.StringSlice("constraint") {
				con, err := plan.ParseConstraint(s)
				if err != nil {
					return usageError{err.Error()}
				}
				cons = append(cons, con)
			}
			ctx, cancel := scripts.WithLimits(c.Context, c.Duration("timeout"), c.Uint64("max-memory"))
			defer cancel()
			o := &plan.Optimizer{Scenario: sc, Axes: axes, Constraints: cons, Batch: c.Int("batch"), MaxReps: c.Int("max-replications"), Workers: c.Int("workers")}
			ctx, done := planProgress(c, ctx, sc.Name+" optimize", 0)
			cands, err := o.Run(ctx)
			done()
			if err != nil {
				return kpiHint(err)
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, optimizeJSON(axes, cons, cands))
			}
			printCandidates(c.App.Writer, axes, cons, cands)
			if r := c.String("report"); r != "" {
				auditOutput(c, r)
				return writeOptimizeReport(r, sc, axes, cons, cands)
			}
			return nil
		},
	}
}

// printCandidates prints optimize's answer and every plan tried, with each
// constraint's interval at the level the decision used (plan.AdjustedLevel),
// clipped at 0 for KPIs never negative, as the HTML report shows them.
func printCandidates(w io.Writer, axes []plan.Axis, cons []plan.Constraint, cands []*plan.Candidate) {
	level := plan.AdjustedLevel(len(cons))
	lv := levelText(level)
	nClipped := 0
	ci := func(cd *plan.Candidate, kpi string) (stats.Summary, string) {
		s, clipped := optimizeCI(cd, kpi, level)
		if clipped {
			nClipped++
		}
		return s, ciText(s, clipped)
	}
	chosen := chosenPlan(cands)
	if chosen == nil {
		fmt.Fprintln(w, "no plan in the grid was shown to meet every constraint")
	} else {
		fmt.Fprintf(w, "chosen plan: %s (cost %g), %d replications\n", describeCombo(axes, chosen.Values), chosen.Cost, chosen.Replications)
		for _, con := range cons {
			s, clipped := optimizeCI(chosen, con.KPI, level) // counted in the table below
			iv := ciText(s, clipped)
			fmt.Fprintf(w, "  %-32s %s  mean %s  %s CI %s\n", con.KPI, con.Op+fmt.Sprint(con.Bound), num(s.Mean), lv, iv)
		}
	}
	fmt.Fprintf(w, "decided at %s\n", adjustedText(level, len(cons)))
	fmt.Fprintf(w, "\nplans by cost (each constraint's mean and %s CI):\n", lv)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "plan\tcost\tstatus\treplications"
	for _, con := range cons {
		head += "\t" + con.KPI
	}
	fmt.Fprintln(tw, head)
	for _, cd := range cands {
		if cd.Status == "not evaluated" {
			continue
		}
		line := fmt.Sprintf("%s\t%g\t%s\t%d", describeCombo(axes, cd.Values), cd.Cost, cd.Status, cd.Replications)
		for _, con := range cons {
			s, iv := ci(cd, con.KPI)
			line += "\t" + num(s.Mean) + " " + iv
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	if nClipped > 0 {
		fmt.Fprintln(w, clipNote(nClipped))
	}
}

// optimizeOut is what `optimize --json` prints: every plan tried with its
// parameter values by name, the chosen one flagged (and repeated as chosen;
// null when no plan was shown to meet every constraint).
type optimizeOut struct {
	Constraints []plan.Constraint
	Chosen      *optimizePlan
	Plans       []optimizePlan
}

type optimizePlan struct {
	Params       map[string]string
	Cost         float64
	Status       string
	Replications int
	Chosen       bool
	KPIs         map[string]stats.Summary
}

func optimizeJSON(axes []plan.Axis, cons []plan.Constraint, cands []*plan.Candidate) optimizeOut {
	out := optimizeOut{Constraints: cons, Plans: []optimizePlan{}}
	for _, cd := range cands {
		p := optimizePlan{Params: map[string]string{}, Cost: cd.Cost, Status: cd.Status, Replications: cd.Replications, KPIs: cd.KPIs}
		for i, ax := range axes {
			p.Params[ax.Name] = cd.Values[i]
		}
		if out.Chosen == nil && cd.Status == "feasible" {
			p.Chosen = true
			out.Chosen = &p
		}
		out.Plans = append(out.Plans, p)
	}
	if out.Chosen != nil {
		c := *out.Chosen
		out.Chosen = &c
	}
	return out
}

func describeCombo(axes []plan.Axis, vals []string) string {
	var parts []string
	for i, ax := range axes {
		parts = append(parts, ax.Name+"="+vals[i])
	}
	return strings.Join(parts, " ")
}

func mergeCmd() *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "join the outputs of shards into exactly what one machine would have written",
		ArgsUsage: "OUT PART_DIR...",
		Description: "Works for `run`, `sweep` and `trial --shard` directories. Example:\n" +
			"   medtwin merge out/ed out/ed/shard-*",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "machine-readable output"}},
		Action: func(c *cli.Context) error {
			if c.NArg() < 2 {
				return usagef("merge takes an output directory and the shard directories")
			}
			out, parts := c.Args().First(), c.Args().Slice()[1:]
			started := time.Now()
			if _, err := os.Stat(filepath.Join(parts[0], "sweep.arrow")); err == nil {
				path, err := plan.MergeSweeps(out, parts)
				if err != nil {
					return err
				}
				if c.Bool("json") {
					return writeJSON(c.App.Writer, map[string]any{"kind": "sweep", "parts": len(parts), "files": []string{path}})
				}
				fmt.Fprintf(c.App.Writer, "merged %d sweep parts into %s\n", len(parts), path)
				return nil
			}
			if _, err := os.Stat(filepath.Join(parts[0], "subjects.arrow")); err == nil {
				var files []string
				var prov *results.Provenance
				for _, name := range []string{"subjects.arrow", "timeseries.arrow"} {
					if _, err := os.Stat(filepath.Join(parts[0], name)); err != nil {
						continue
					}
					path, p, err := results.MergeRows(out, name, parts)
					if err != nil {
						return err
					}
					files, prov = append(files, path), p
				}
				if err := results.NewManifest(*prov, started).Write(out, files); err != nil {
					return err
				}
				if c.Bool("json") {
					return writeJSON(c.App.Writer, map[string]any{"kind": "trial", "parts": len(parts), "subjects": prov.Total, "files": files})
				}
				fmt.Fprintf(c.App.Writer, "merged %d trial shards (%d subjects) into %s; summarize with `medtwin trial SPEC.lua --summarize %s`\n", len(parts), prov.Total, strings.Join(files, ", "), out)
				return nil
			}
			files, prov, err := results.MergeRuns(out, parts)
			if err != nil {
				return err
			}
			if err := results.NewManifest(*prov, started).Write(out, files); err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, map[string]any{"kind": "run", "parts": len(parts), "replications": prov.Total, "files": files})
			}
			fmt.Fprintf(c.App.Writer, "merged %d parts (%d replications) into %s\n", len(parts), prov.Total, out)
			return nil
		},
	}
}
