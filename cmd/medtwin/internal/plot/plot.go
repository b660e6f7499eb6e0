// Package plot draws medtwin's standard figures with gonum/plot: a KPI against a
// parameter with its confidence band, profiles by hour of day, percentile bands
// over time (prediction intervals), differences with confidence intervals, and
// tornado charts. Figures are saved as PNG or SVG (by extension, written
// atomically) or rendered to SVG for embedding in HTML reports.
package plot

import (
	"fmt"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

var (
	blue  = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	band  = color.NRGBA{R: 31, G: 119, B: 180, A: 70} // non-premultiplied: RGBA would need components <= alpha
	red   = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	green = color.RGBA{R: 44, G: 160, B: 44, A: 255}
)

func newPlot(title, x, y string) *gplot.Plot {
	p := gplot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	p.Add(plotter.NewGrid())
	return p
}

// fill draws the area between lo and hi.
func fill(xs, lo, hi []float64, c color.Color) (*plotter.Polygon, error) {
	var pts plotter.XYs
	for i := range xs {
		pts = append(pts, plotter.XY{X: xs[i], Y: lo[i]})
	}
	for i := len(xs) - 1; i >= 0; i-- {
		pts = append(pts, plotter.XY{X: xs[i], Y: hi[i]})
	}
	poly, err := plotter.NewPolygon(pts)
	if err != nil {
		return nil, err
	}
	poly.Color = c
	poly.LineStyle.Width = 0
	return poly, nil
}

func line(xs, ys []float64, c color.Color) (*plotter.Line, *plotter.Scatter, error) {
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i] = plotter.XY{X: xs[i], Y: ys[i]}
	}
	l, s, err := plotter.NewLinePoints(pts)
	if err != nil {
		return nil, nil, err
	}
	l.Color, s.Color = c, c
	return l, s, nil
}

func finiteAll(vs ...[]float64) error {
	for _, v := range vs {
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("plot: the data has NaN or infinite values")
			}
		}
	}
	return nil
}

// Band plots mean against x with the band [lo, hi] (a KPI versus a parameter
// with its 95% CI, or a median with a 5th–95th percentile band).
func Band(title, xLabel, yLabel string, xs, mean, lo, hi []float64) (*gplot.Plot, error) {
	if len(xs) == 0 || len(mean) != len(xs) || len(lo) != len(xs) || len(hi) != len(xs) {
		return nil, fmt.Errorf("plot: %q needs equally long, non-empty x, mean, low and high", title)
	}
	if err := finiteAll(xs, mean, lo, hi); err != nil {
		return nil, err
	}
	p := newPlot(title, xLabel, yLabel)
	poly, err := fill(xs, lo, hi, band)
	if err != nil {
		return nil, err
	}
	l, s, err := line(xs, mean, blue)
	if err != nil {
		return nil, err
	}
	p.Add(poly, l, s)
	return p, nil
}

// Lines plots several named series against x (e.g. queue length and occupancy
// by hour of day), with the legend in the plot's top corner.
func Lines(title, xLabel, yLabel string, xs []float64, series map[string][]float64, order []string) (*gplot.Plot, error) {
	p, legend, err := LinesApart(title, xLabel, yLabel, xs, series, order)
	if err != nil {
		return nil, err
	}
	for _, e := range legend {
		p.Legend.Add(e.Name, e.Thumb)
	}
	p.Legend.Top = true
	return p, nil
}

// LinesApart is Lines with the legend entries returned for Figure's strip
// beside the data instead of drawn on it.
func LinesApart(title, xLabel, yLabel string, xs []float64, series map[string][]float64, order []string) (*gplot.Plot, []LegendEntry, error) {
	p := newPlot(title, xLabel, yLabel)
	var legend []LegendEntry
	for i, name := range order {
		ys := series[name]
		if len(ys) != len(xs) {
			return nil, nil, fmt.Errorf("plot: series %s has %d points for %d x values", name, len(ys), len(xs))
		}
		if err := finiteAll(ys); err != nil {
			return nil, nil, fmt.Errorf("plot: series %s: %v", name, err)
		}
		l, s, err := line(xs, ys, Palette(i))
		if err != nil {
			return nil, nil, err
		}
		p.Add(l, s)
		legend = append(legend, LegendEntry{Name: name, Thumb: l})
	}
	return p, legend, nil
}

// Intervals plots one estimate with its interval per category, with a zero line
// (differences between a variant and a baseline).
func Intervals(title, yLabel string, names []string, mean, lo, hi []float64) (*gplot.Plot, error) {
	if err := finiteAll(mean, lo, hi); err != nil {
		return nil, err
	}
	p := newPlot(title, "", yLabel)
	pts, eb, err := errorBars(mean, lo, hi)
	if err != nil {
		return nil, err
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	s.Color = blue
	zero := plotter.NewFunction(func(float64) float64 { return 0 })
	zero.Color = red
	p.Add(zero, eb, s)
	p.NominalX(names...)
	return p, nil
}

// errorBars are the intervals [lo[i], hi[i]] around mean[i] at x = 0, 1, ...
func errorBars(mean, lo, hi []float64) (plotter.XYs, *plotter.YErrorBars, error) {
	pts := make(plotter.XYs, len(mean))
	errs := make(plotter.YErrors, len(mean))
	for i := range mean {
		pts[i] = plotter.XY{X: float64(i), Y: mean[i]}
		errs[i] = struct{ Low, High float64 }{mean[i] - lo[i], hi[i] - mean[i]}
	}
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYer
		plotter.YErrorer
	}{pts, errs})
	return pts, eb, err
}

// Tornado draws, for each parameter, the bar from the KPI at its low value to
// the KPI at its high value, around the baseline, widest first.
func Tornado(title, kpi string, names []string, low, high []float64, base float64) (*gplot.Plot, error) {
	if err := finiteAll(low, high); err != nil {
		return nil, err
	}
	idx := make([]int, len(names))
	for i := range idx {
		idx[i] = i
	}
	// widest at the top
	for i := range idx {
		for j := i + 1; j < len(idx); j++ {
			if math.Abs(high[idx[j]]-low[idx[j]]) < math.Abs(high[idx[i]]-low[idx[i]]) {
				idx[i], idx[j] = idx[j], idx[i]
			}
		}
	}
	p := newPlot(title, kpi, "")
	var labels []string
	for row, i := range idx {
		y := float64(row)
		a, b := math.Min(low[i], high[i]), math.Max(low[i], high[i])
		poly, err := plotter.NewPolygon(plotter.XYs{{X: a, Y: y - 0.35}, {X: b, Y: y - 0.35}, {X: b, Y: y + 0.35}, {X: a, Y: y + 0.35}})
		if err != nil {
			return nil, err
		}
		poly.Color = band
		poly.LineStyle.Color = blue
		p.Add(poly)
		labels = append(labels, names[i])
	}
	baseLine, err := plotter.NewLine(plotter.XYs{{X: base, Y: -0.5}, {X: base, Y: float64(len(idx)) - 0.5}})
	if err != nil {
		return nil, err
	}
	baseLine.Color = red
	p.Add(baseLine)
	p.NominalY(labels...)
	return p, nil
}

// Save writes the plot as PNG or SVG (by the file's extension) through a
// temporary file.
func Save(p *gplot.Plot, path string) error {
	return SaveSized(p, path, 7*vg.Inch, 4.5*vg.Inch, 96)
}

// SaveSized writes the plot to path (.png or .svg) at width × height; a PNG
// has dpi pixels per inch (7 × 4.5 in at 96 dpi is 672 × 432 pixels).
func SaveSized(p *gplot.Plot, path string, width, height vg.Length, dpi int) error {
	return saveDrawn(path, width, height, dpi, p.Draw)
}

// SVG renders the plot as an SVG document for embedding (7 × 4.5 in).
func SVG(p *gplot.Plot) (string, error) { return SVGSize(p, 7*vg.Inch, 4.5*vg.Inch) }

// Categories labels the x positions 0, 1, ... of p with names (a plot
// against a choice parameter, such as a shift policy), one tick each.
func Categories(p *gplot.Plot, names []string) {
	ticks := make([]gplot.Tick, len(names))
	for i, n := range names {
		ticks[i] = gplot.Tick{Value: float64(i), Label: n}
	}
	p.X.Tick.Marker = gplot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
}
