package main

import (
	"context"
	"fmt"
	"math"
	"sort"
	"text/tabwriter"

	"github.com/medtwin/medtwin/cmd/medtwin/internal/plot"
	"github.com/medtwin/medtwin/physio/sensitivity"
	"github.com/medtwin/medtwin/scripts"
	"github.com/medtwin/medtwin/scripts/plan"
	"github.com/urfave/cli/v2"
)

func init() { extraCommands = append(extraCommands, sensitivityCmd()) }

func sensitivityCmd() *cli.Command {
	return &cli.Command{
		Name:      "sensitivity",
		Usage:     "Sobol first-order and total indices of a scenario's KPI over parameter ranges (Monte Carlo)",
		ArgsUsage: "SCENARIO.lua --range name=lo..hi ... --kpi NAME  |  --model NAME --dose ... --range ... --kpi auc:0..24  |  --ishigami",
		Description: "Each point runs replication 0 of the scenario (common random numbers across points)\n" +
			"with the parameters set; N·(k+2) runs for k ranges. Examples:\n" +
			"   medtwin sensitivity scenarios/ed_staffing.lua --range physicians_peak=4..7 --range beds=24..34 \\\n" +
			"       --range visits_per_day=130..170 --kpi door_to_doctor_min -n 64 -o sobol.svg\n" +
			"   medtwin sensitivity --model tmdd_qss --dose amt=100,ii=12,addl=27 --range CL=0.005..0.02 \\\n" +
			"       --range KSS=0.5..2 --range KINT=0.01..0.04 --kpi auc:0..336 --output c\n" +
			"   medtwin sensitivity --ishigami -n 100000",
		Flags: append(append(scenarioFlags(),
			&cli.StringSliceFlag{Name: "range", Usage: "name=lo..hi, uniform (repeatable)"},
			&cli.StringFlag{Name: "kpi", Usage: "the output"},
			&cli.IntFlag{Name: "n", Value: 128, Usage: "base samples N"},
			&cli.IntFlag{Name: "bootstrap", Value: 200, Usage: "bootstrap resamples for the intervals"},
			&cli.BoolFlag{Name: "ishigami", Usage: "analyse the Ishigami test function (and compare with its analytic indices)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "also draw the indices (.png or .svg)"},
			&cli.BoolFlag{Name: "json", Usage: "print the indices as JSON"},
			quietFlag(),
		), modelSensitivityFlags...),
		Action: func(c *cli.Context) error {
			var inputs []sensitivity.Input
			var f func([]float64) (float64, error)
			finished := func() {}
			if c.Bool("ishigami") {
				inputs, f = sensitivity.IshigamiInputs, sensitivity.Ishigami
			} else if c.String("model") != "" {
				var err error
				if inputs, f, err = modelSensitivity(c); err != nil {
					return err
				}
			} else {
				sc, err := loadScenario(c, c.Args().First())
				if err != nil {
					return err
				}
				if c.String("kpi") == "" {
					return usagef("sensitivity needs --kpi (a KPI of the scenario)")
				}
				for _, r := range c.StringSlice("range") {
					name, a, b, err := parseRange(sc, "--range", r)
					if err != nil {
						return err
					}
					inputs = append(inputs, sensitivity.Input{Name: name, Low: a, High: b})
				}
				if len(inputs) == 0 {
					return usagef("sensitivity needs at least one --range")
				}
				ctx, cancel := scripts.WithLimits(context.Background(), c.Duration("timeout"), c.Uint64("max-memory"))
				defer cancel()
				ctx, finished = planProgress(c, ctx, sc.Name+" sensitivity", c.Int("n")*(len(inputs)+2))
				kpi := c.String("kpi")
				f = func(x []float64) (float64, error) {
					v := sc.Clone()
					for i, in := range inputs {
						val := x[i]
						if v.Param(in.Name).Integer {
							val = math.Round(val)
						}
						if err := v.Set(fmt.Sprintf("%s=%g", in.Name, val)); err != nil {
							return 0, err
						}
					}
					reps, err := plan.Replicate(ctx, v, 0, 1, 1)
					if err != nil {
						return 0, err
					}
					vals, _ := plan.Values(reps)
					k, ok := vals[kpi]
					if !ok {
						known := make([]string, 0, len(vals))
						for k := range vals {
							known = append(known, k)
						}
						sort.Strings(known)
						return 0, unknownName("KPI", kpi, known)
					}
					return k[0], nil
				}
			}
			res, err := sensitivity.Sobol(inputs, c.Int("n"), 1, f, c.Int("bootstrap"))
			finished()
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, res)
			}
			w := c.App.Writer
			fmt.Fprintf(w, "%d evaluations; output mean %s, variance %s\n\n", res.Evaluations, num(res.Mean), num(res.Var))
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			head := "input\tfirst-order S\t95% CI\ttotal ST\t95% CI"
			var s, st [3]float64
			if c.Bool("ishigami") {
				s, st = sensitivity.IshigamiIndices()
				head += "\tanalytic S\tanalytic ST"
			}
			fmt.Fprintln(tw, head)
			var names []string
			var m, lo, hi []float64
			for i, ix := range res.Indices {
				line := fmt.Sprintf("%s\t%.4f\t[%.4f, %.4f]\t%.4f\t[%.4f, %.4f]", ix.Name, ix.S, ix.SLow, ix.SHigh, ix.ST, ix.STLow, ix.STHigh)
				if c.Bool("ishigami") {
					line += fmt.Sprintf("\t%.4f\t%.4f", s[i], st[i])
				}
				fmt.Fprintln(tw, line)
				names, m, lo, hi = append(names, ix.Name), append(m, ix.ST), append(lo, ix.STLow), append(hi, ix.STHigh)
			}
			tw.Flush()
			if out := c.String("out"); out != "" {
				p, err := plot.Intervals("total Sobol indices (95% bootstrap CI)", "ST", names, m, lo, hi)
				if err != nil {
					return err
				}
				return plot.Save(p, out)
			}
			return nil
		},
	}
}
