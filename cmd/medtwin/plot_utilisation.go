package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/medtwin/medtwin/cmd/medtwin/internal/plot"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/urfave/cli/v2"
	gplot "gonum.org/v1/plot"
)

// `medtwin plot utilisation`: simmer.plot's plot(resources, metric =
// "utilization"): each resource's utilisation (busy unit-time over capacity
// unit-time after the warm-up, the engine's <resource>.utilisation KPI) as a
// bar at its mean across replications, with summary.arrow's 95% Student-t
// interval.

// utilisationBar is one resource's bar.
type utilisationBar struct {
	resource     string
	mean, lo, hi float64
	level        float64
	replications int32
}

// readUtilisation reads the <resource>.utilisation rows of dir/summary.arrow,
// in file order.
func readUtilisation(dir string) ([]utilisationBar, error) {
	path := filepath.Join(dir, "summary.arrow")
	t, err := results.Read(path)
	if err != nil {
		return nil, err
	}
	defer t.Release()
	if err := t.NeedExactly(results.SummaryColumns); err != nil {
		return nil, err
	}
	var out []utilisationBar
	for _, rec := range t.Batches {
		kpi := rec.Column(t.Column("kpi")).(*array.String)
		f := func(name string, i int) float64 { return rec.Column(t.Column(name)).(*array.Float64).Value(i) }
		reps := rec.Column(t.Column("replications")).(*array.Int32)
		for i := 0; i < int(rec.NumRows()); i++ {
			if r, ok := strings.CutSuffix(kpi.Value(i), ".utilisation"); ok {
				out = append(out, utilisationBar{resource: r, mean: f("mean", i), lo: f("ci_low", i), hi: f("ci_high", i),
					level: f("level", i), replications: reps.Value(i)})
			}
		}
	}
	if len(out) == 0 {
		return nil, usagef("%s has no <resource>.utilisation KPI: the scenario has no resource", path)
	}
	return out, nil
}

func plotUtilisationCmd(common []cli.Flag) *cli.Command {
	return &cli.Command{Name: "utilisation", Aliases: []string{"utilization"}, ArgsUsage: "RUN_DIR",
		Usage: "utilisation of each resource (busy / available unit-time) with its 95% CI across replications",
		Flags: append(common, &cli.StringFlag{Name: "resource", Usage: "comma-separated resources (default: all)"}),
		Action: func(c *cli.Context) error {
			if err := checkPlotFlags(c); err != nil {
				return err
			}
			bars, err := readUtilisation(c.Args().First())
			if err != nil {
				return err
			}
			var all []string
			by := map[string]utilisationBar{}
			for _, b := range bars {
				all = append(all, b.resource)
				by[b.resource] = b
			}
			names, err := pickNames(c, "resource", "resource in summary.arrow", all)
			if err != nil {
				return err
			}
			bars = bars[:0]
			for _, r := range names {
				bars = append(bars, by[r])
			}
			var mean, lo, hi []float64
			noCI := false
			for _, b := range bars {
				if math.IsNaN(b.mean) {
					return usagef("%s: %s.utilisation is NaN: the resource had no capacity after the warm-up", c.Args().First(), b.resource)
				}
				if math.IsNaN(b.lo) || math.IsNaN(b.hi) { // one replication: no interval
					b.lo, b.hi, noCI = b.mean, b.mean, true
				}
				mean, lo, hi = append(mean, b.mean), append(lo, b.lo), append(hi, b.hi)
			}
			title := fmt.Sprintf("utilisation per resource: mean of %d replications, %g%% CI (Student t)", bars[0].replications, 100*bars[0].level)
			if noCI {
				title = fmt.Sprintf("utilisation per resource: %d replication, no interval (run more replications for a CI)", bars[0].replications)
			}
			p, err := plot.Bars("", "utilisation (fraction of capacity)", names, mean, lo, hi)
			if err != nil {
				return err
			}
			return saveFigure(c, title, []*gplot.Plot{p}, 1, nil, 0)
		}}
}
