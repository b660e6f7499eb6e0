package main

import (
	"fmt"
	"image/color"
	"math"

	"github.com/medtwin/medtwin/cmd/medtwin/internal/plot"
	"github.com/medtwin/medtwin/physio/fit"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// vpcSims and vpcBins size the report's prediction-corrected VPC.
const (
	vpcSims = 500
	vpcBins = 8
)

// popReport adds a population fit's sections to the report: the estimates
// with their standard errors, the goodness-of-fit plots (DV against PRED and
// IPRED, CWRES against time and PRED) and a prediction-corrected VPC
// simulated by the trial engine from the fit written to dir (fitVPC;
// Bergstrand et al. 2011, AAPS J 13:143).
func popReport(r *plot.Report, dir string, ds *fit.DataSet, pop *fit.PopResult, res *fit.Result, seed uint64) error {
	r.Heading("Population estimates ("+pop.Method+")", fmt.Sprintf("OFV %.4f (−2 log L without N·log 2π), AIC %.3f, BIC %.3f; %d observations, %d parameters, %d iterations.",
		pop.OFV, pop.AIC, pop.BIC, pop.NObs, pop.NPar, pop.Iterations))
	var rows [][]string
	if cs := pop.Cov; cs != nil {
		for i, n := range cs.Names {
			rows = append(rows, []string{n, fmt.Sprintf("%.5g", cs.Estimate[i]), fmt.Sprintf("%.3g", cs.SE[i]), fmt.Sprintf("%.1f", cs.RSE[i])})
		}
		r.Table([]string{"parameter", "estimate", "SE", "RSE %"}, rows)
	}
	if pop.Warning != "" {
		r.Heading("Warning", pop.Warning)
	}
	var dv, pred, ipred, tm, cw, cwPred []float64
	for si, s := range ds.Subjects {
		e := res.Estimates[si]
		for ri, rec := range s.Records {
			if !rec.Observed() || rec.BLQ {
				continue
			}
			dv, pred, ipred = append(dv, rec.DV), append(pred, e.PRED[ri]), append(ipred, e.IPRED[ri])
			if c := pop.CWRES[si][ri]; !math.IsNaN(c) {
				tm, cw, cwPred = append(tm, rec.Time), append(cw, c), append(cwPred, e.PRED[ri])
			}
		}
	}
	r.Heading("Goodness of fit", "Observations (non-BLQ) against the population (PRED, η = 0) and individual (IPRED, η̂) predictions, with the line of identity; conditional weighted residuals (Hooker et al. 2007) against time and PRED, with 0 and ±2.")
	figs := []struct {
		title, x, y string
		xs, ys      []float64
		identity    bool
	}{
		{"DV vs PRED", "PRED (mg/L)", "DV (mg/L)", pred, dv, true},
		{"DV vs IPRED", "IPRED (mg/L)", "DV (mg/L)", ipred, dv, true},
		{"CWRES vs time", "time (h)", "CWRES", tm, cw, false},
		{"CWRES vs PRED", "PRED (mg/L)", "CWRES", cwPred, cw, false},
	}
	for _, f := range figs {
		p, err := gofScatter(f.title, f.x, f.y, f.xs, f.ys, f.identity)
		if err != nil {
			return err
		}
		svg, err := plot.SVG(p)
		if err != nil {
			return err
		}
		r.Figure(svg, f.title)
	}
	v, how, err := fitVPC(dir, ds, pop.Model, seed)
	if err != nil {
		return err
	}
	p, err := vpcPlot(ds, res, v)
	if err != nil {
		return err
	}
	svg, err := plot.SVG(p)
	if err != nil {
		return err
	}
	r.Heading("Prediction-corrected VPC", fmt.Sprintf("%d replicates of the data set's design %s (seed %d), observations and simulations corrected by PRED_bin/PRED (Bergstrand et al. 2011, AAPS J 13:143), %d time bins of about equal counts. Lines: the observed 5th, 50th and 95th percentiles; bands: the 90%% intervals of the same percentiles over the simulations.",
		vpcSims, how, seed, len(v.Bins)))
	r.Figure(svg, "pcVPC")
	var vrows [][]string
	for _, b := range v.Bins {
		row := []string{fmt.Sprintf("%.3g–%.3g", b.Lo, b.Hi), fmt.Sprint(b.N)}
		for q := range fit.VPCQuantiles {
			row = append(row, fmt.Sprintf("%.3g [%.3g, %.3g]", b.Obs[q], b.Sim[q][0], b.Sim[q][2]))
		}
		vrows = append(vrows, row)
	}
	r.Table([]string{"time (h)", "n", "P5 observed [90% PI]", "P50 observed [90% PI]", "P95 observed [90% PI]"}, vrows)
	return nil
}

// gofScatter is a scatter of ys against xs with the identity line, or the
// lines 0 and ±2 for residuals.
func gofScatter(title, xl, yl string, xs, ys []float64, identity bool) (*gplot.Plot, error) {
	p := gplot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xl, yl
	p.Add(plotter.NewGrid())
	pts := make(plotter.XYs, len(xs))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range xs {
		pts[i] = plotter.XY{X: xs[i], Y: ys[i]}
		lo, hi = math.Min(lo, math.Min(xs[i], ys[i])), math.Max(hi, math.Max(xs[i], ys[i]))
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle.Shape = draw.CircleGlyph{}
	sc.GlyphStyle.Radius = vg.Points(2)
	p.Add(sc)
	grey := color.RGBA{R: 120, G: 120, B: 120, A: 255}
	var refs []plotter.XYs
	if identity {
		refs = append(refs, plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
	} else {
		xlo, xhi := math.Inf(1), math.Inf(-1)
		for _, x := range xs {
			xlo, xhi = math.Min(xlo, x), math.Max(xhi, x)
		}
		for _, y := range []float64{0, -2, 2} {
			refs = append(refs, plotter.XYs{{X: xlo, Y: y}, {X: xhi, Y: y}})
		}
	}
	for i, ref := range refs {
		l, err := plotter.NewLine(ref)
		if err != nil {
			return nil, err
		}
		l.Color = grey
		if i > 0 {
			l.Dashes = []vg.Length{4, 2}
		}
		p.Add(l)
	}
	return p, nil
}

// vpcPlot draws the pcVPC: the prediction-corrected observations, their
// binned percentiles (lines) and the simulated intervals (bands).
func vpcPlot(ds *fit.DataSet, res *fit.Result, v *fit.VPC) (*gplot.Plot, error) {
	n := len(v.Bins)
	xs := make([]float64, n)
	for i, b := range v.Bins {
		xs[i] = b.Time
	}
	p := gplot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = "prediction-corrected VPC", "time (h)", "prediction-corrected concentration (mg/L)"
	p.Add(plotter.NewGrid())
	bands := []color.NRGBA{{R: 31, G: 119, B: 180, A: 60}, {R: 214, G: 39, B: 40, A: 60}, {R: 31, G: 119, B: 180, A: 60}}
	lines := []color.RGBA{{R: 31, G: 119, B: 180, A: 255}, {R: 214, G: 39, B: 40, A: 255}, {R: 31, G: 119, B: 180, A: 255}}
	for q := range fit.VPCQuantiles {
		var poly plotter.XYs
		for i, b := range v.Bins {
			poly = append(poly, plotter.XY{X: xs[i], Y: b.Sim[q][0]})
		}
		for i := n - 1; i >= 0; i-- {
			poly = append(poly, plotter.XY{X: xs[i], Y: v.Bins[i].Sim[q][2]})
		}
		if pg, err := plotter.NewPolygon(poly); err == nil {
			pg.Color = bands[q]
			pg.LineStyle.Width = 0
			p.Add(pg)
		}
		obs := make(plotter.XYs, n)
		for i, b := range v.Bins {
			obs[i] = plotter.XY{X: xs[i], Y: b.Obs[q]}
		}
		l, err := plotter.NewLine(obs)
		if err != nil {
			return nil, err
		}
		l.Color = lines[q]
		if q != 1 {
			l.Dashes = []vg.Length{4, 2}
		}
		p.Add(l)
	}
	// the corrected observations themselves, by the bin of their time
	var pts plotter.XYs
	for si, s := range ds.Subjects {
		for ri, rec := range s.Records {
			if !rec.Observed() || rec.BLQ {
				continue
			}
			for _, b := range v.Bins {
				if rec.Time >= b.Lo && rec.Time <= b.Hi {
					if pr := res.Estimates[si].PRED[ri]; pr > 0 {
						pts = append(pts, plotter.XY{X: rec.Time, Y: rec.DV * b.PredMedian / pr})
					}
					break
				}
			}
		}
	}
	if len(pts) > 0 {
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Radius = vg.Points(1.5)
		sc.GlyphStyle.Color = color.RGBA{R: 90, G: 90, B: 90, A: 255}
		p.Add(sc)
	}
	return p, nil
}
