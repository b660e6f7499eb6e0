package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/medtwin/medtwin/cmd/medtwin/internal/plot"
	"github.com/medtwin/medtwin/engine"
	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/scripts"
)

// kpiMinima returns the smallest value of each KPI over the replications in
// dir/kpis.arrow (NaN values skipped).
func kpiMinima(dir string) (map[string]float64, error) {
	t, err := results.Read(filepath.Join(dir, "kpis.arrow"))
	if err != nil {
		return nil, err
	}
	defer t.Release()
	if err := t.NeedExactly(results.KPIColumns); err != nil {
		return nil, err
	}
	min := map[string]float64{}
	for _, rec := range t.Batches {
		names, vals := rec.Column(t.Column("kpi")).(*array.String), rec.Column(t.Column("value")).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			n, v := names.Value(i), vals.Value(i)
			if math.IsNaN(v) {
				continue
			}
			if m, ok := min[n]; !ok || v < m {
				min[n] = v
			}
		}
	}
	return min, nil
}

// clippedLow is the lower end of a KPI's CI as the report shows it: a KPI
// whose every replication value is >= 0 cannot have a negative mean, so a
// Student-t interval that crosses 0 is clipped there (clipped = true).
func clippedLow(s engine.KPISummary, minima map[string]float64) (low float64, clipped bool) {
	if m, ok := minima[s.Name]; ok && m >= 0 && s.Low < 0 {
		return 0, true
	}
	return s.Low, false
}

// clipNote explains the n lower bounds marked * by clippedLow.
func clipNote(n int) string {
	return fmt.Sprintf("* %d lower bounds clipped at 0: every replication's value of these KPIs is ≥ 0, so their mean cannot be negative, "+
		"but the symmetric Student-t interval crossed 0 (the KPI is near its bound and skewed; read the upper bound).", n)
}

// writeRunReport is `medtwin run --report`: the parameter values with their
// units, the KPI table (95% Student-t intervals; the lower end of a
// non-negative KPI's interval clipped at 0, with a note) and, where the run
// sampled time series, each resource's busy units and queue by hour of day.
func writeRunReport(path, dir string, sc *scripts.Scenario, sums []engine.KPISummary) error {
	r := &plot.Report{Title: "medtwin run: " + sc.Name}
	span := fmt.Sprintf("horizon %s", fmtSeconds(sc.Horizon))
	if sc.Warmup > 0 {
		span += fmt.Sprintf(" after a warm-up of %s", fmtSeconds(sc.Warmup))
	}
	r.Headline(fmt.Sprintf("%s: %d replications (seed %d), %s.", sc.Name, sc.Replications, sc.Seed, span))
	var prows [][]string
	for _, p := range sc.Params {
		src := p.Source
		if src == "" {
			src = "default"
		}
		prows = append(prows, []string{p.Name, scripts.FormatValue(p.Value), p.Unit, scripts.FormatValue(p.Default), src, p.Doc})
	}
	if len(prows) > 0 {
		r.Heading("Parameters", "The values this run used; change one with --set name=value.")
		r.Table([]string{"parameter", "value", "unit", "default", "set by", "meaning"}, prows)
	}
	units := map[string]string{}
	for _, k := range sc.KPIs {
		units[k.Name] = k.Unit
	}
	minima, _ := kpiMinima(dir)  // without kpis.arrow nothing is clipped
	var rows, resRows [][]string // the scenario's own KPIs; the engine's per-resource statistics
	nClipped := 0
	for _, s := range sums {
		low, clipped := clippedLow(s, minima)
		lo := num(low)
		if clipped {
			lo += "*"
			nClipped++
		}
		row := []string{s.Name, kpiUnit(s.Name, units), num(s.Mean), "[" + lo + ", " + num(s.High) + "]", num(s.SD), fmt.Sprint(s.N)}
		if strings.Contains(s.Name, ".") {
			resRows = append(resRows, row)
		} else {
			rows = append(rows, row)
		}
	}
	r.Heading("KPIs", "Means over replications with 95% Student-t intervals. Units as the scenario declares them, "+
		"else as the name says (_s, _min, _h, _d; utilisation: fraction of capacity).")
	head := []string{"kpi", "unit", "mean", "95% CI", "sd", "n"}
	r.Table(head, rows)
	if len(resRows) > 0 { // collapsed, so that the figures are not pushed far down
		res := &plot.Report{}
		res.Table(head, resRows)
		r.Details(fmt.Sprintf("Resource statistics (%d rows: resource.statistic)", len(resRows)), res)
	}
	if nClipped > 0 {
		r.Note(clipNote(nClipped))
	}
	ts := filepath.Join(dir, "timeseries.arrow")
	if t, err := results.Read(ts); err == nil {
		if err := t.NeedExactly(results.SeriesColumns); err != nil {
			t.Release()
			return err
		}
		seen := map[string]bool{}
		var res []string
		for _, rec := range t.Batches {
			col := rec.Column(2).(*array.String)
			for i := 0; i < int(rec.NumRows()); i++ {
				if n := col.Value(i); strings.HasSuffix(n, ".in_use") && !seen[n] {
					seen[n] = true
					res = append(res, strings.TrimSuffix(n, ".in_use"))
				}
			}
		}
		t.Release()
		for _, name := range res {
			series := []string{name + ".in_use", name + ".queue", name + ".capacity"}
			byHour, err := hourly(ts, series)
			if err != nil {
				continue
			}
			xs := make([]float64, 24)
			for h := range xs {
				xs[h] = float64(h)
			}
			if p, err := plot.Lines(name+" by hour of day", "hour of day", "units / patients", xs, byHour, series); err == nil {
				top := 0.0
				for _, ys := range byHour {
					for _, y := range ys {
						top = math.Max(top, y)
					}
				}
				p.Y.Min, p.Y.Max = 0, 1.4*top+0.1 // headroom: the legend sits above the data, not on it
				if svg, err := plot.SVG(p); err == nil {
					r.Figure(svg, name+": busy units, queue and capacity, mean by hour of day over days and replications.")
				}
			}
		}
	}
	return r.Write(path)
}

// kpiUnit is the unit the scenario declares for a KPI, else the one its name
// says by medtwin's naming convention (results.KPIColumns: units in the name
// where not a count): _s, _min, _h, _d; a utilisation is a fraction.
func kpiUnit(name string, declared map[string]string) string {
	if u := declared[name]; u != "" {
		return u
	}
	for _, s := range []struct{ suffix, unit string }{{"_s", "s"}, {"_min", "min"}, {"_h", "h"}, {"_d", "d"},
		{"utilisation", "fraction"}} {
		if strings.HasSuffix(name, s.suffix) {
			return s.unit
		}
	}
	return ""
}
