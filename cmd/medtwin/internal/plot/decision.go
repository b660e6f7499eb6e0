package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var (
	grey       = color.RGBA{R: 127, G: 127, B: 127, A: 255}
	black      = color.RGBA{A: 255}
	feasibleBg = color.NRGBA{R: 44, G: 160, B: 44, A: 40}
)

// Verdict colours of a forest plot row.
const (
	Better  = "better"
	Worse   = "worse"
	Neutral = ""
)

// ForestHeight is the height that Forest's figure needs for n rows, so that
// labels never overlap: 0.32 in per row plus room for title and axis.
func ForestHeight(n int) vg.Length { return vg.Length(1.1+0.32*float64(n)) * vg.Inch }

// Forest draws one row per name, top to bottom in the given order: the
// estimate (a dot) and its interval (a horizontal bar), with a vertical line
// at zero. Rows are green when verdict[i] is Better, red when Worse, grey
// otherwise. Names sit on the y axis, one per row, so they cannot overlap.
func Forest(title, xLabel string, names []string, mean, lo, hi []float64, verdict []string) (*gplot.Plot, error) {
	if len(names) == 0 || len(mean) != len(names) || len(lo) != len(names) || len(hi) != len(names) || len(verdict) != len(names) {
		return nil, fmt.Errorf("plot: %q needs equally long, non-empty names, estimates, intervals and verdicts", title)
	}
	if err := finiteAll(mean, lo, hi); err != nil {
		return nil, err
	}
	p := newPlot(title, xLabel, "")
	n := len(names)
	xmin, xmax := 0.0, 0.0
	for i := range names {
		y := float64(n - 1 - i) // first name at the top
		c := color.Color(grey)
		switch verdict[i] {
		case Better:
			c = green
		case Worse:
			c = red
		}
		bar, err := plotter.NewLine(plotter.XYs{{X: lo[i], Y: y}, {X: hi[i], Y: y}})
		if err != nil {
			return nil, err
		}
		bar.Color, bar.Width = c, vg.Points(2)
		dot, err := plotter.NewScatter(plotter.XYs{{X: mean[i], Y: y}})
		if err != nil {
			return nil, err
		}
		dot.Color, dot.Shape, dot.Radius = c, draw.CircleGlyph{}, vg.Points(4)
		p.Add(bar, dot)
		xmin, xmax = math.Min(xmin, lo[i]), math.Max(xmax, hi[i])
	}
	zero, err := plotter.NewLine(plotter.XYs{{X: 0, Y: -0.5}, {X: 0, Y: float64(n) - 0.5}})
	if err != nil {
		return nil, err
	}
	zero.Color, zero.Dashes = black, []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(zero)
	pad := 0.08 * (xmax - xmin)
	if pad == 0 {
		pad = 1
	}
	p.X.Min, p.X.Max = xmin-pad, xmax+pad
	p.X.Tick.Marker = percentTicks{}
	labels := make([]string, n)
	for i := range names {
		labels[n-1-i] = names[i]
	}
	p.NominalY(labels...)
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	return p, nil
}

// Plan is one plan of an optimisation as CostKPI draws it.
type Plan struct {
	Cost            float64
	Mean, Low, High float64 // the KPI's estimate and interval
	Status          string  // feasible, infeasible, undecided
	Chosen          bool
}

// CostKPI draws a KPI against the cost of every plan tried, with its interval,
// the bound of the constraint as a dashed line and the side of the bound that
// meets it (op ">=" or ">": above; otherwise below) shaded green. Feasible
// plans are green, infeasible red, undecided grey; the chosen plan is a large
// black-ringed point labelled "chosen".
func CostKPI(title, kpiLabel string, plans []Plan, op string, bound float64) (*gplot.Plot, error) {
	if len(plans) == 0 {
		return nil, fmt.Errorf("plot: %q has no plans", title)
	}
	ymin, ymax := bound, bound
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, pl := range plans {
		for _, v := range []float64{pl.Mean, pl.Low, pl.High} {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
			}
		}
		xmin, xmax = math.Min(xmin, pl.Cost), math.Max(xmax, pl.Cost)
	}
	if err := finiteAll([]float64{xmin, xmax}); err != nil {
		return nil, err
	}
	ypad, xpad := 0.1*(ymax-ymin), 0.08*(xmax-xmin)
	if ypad == 0 {
		ypad = math.Max(math.Abs(bound)*0.1, 1e-3)
	}
	if xpad == 0 {
		xpad = 1
	}
	x0, x1, y0, y1 := xmin-xpad, xmax+xpad, ymin-ypad, ymax+ypad
	p := newPlot(title, "cost", kpiLabel)
	a, b := bound, y1
	if !strings.HasPrefix(op, ">") {
		a, b = y0, bound
	}
	region, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: a}, {X: x1, Y: a}, {X: x1, Y: b}, {X: x0, Y: b}})
	if err != nil {
		return nil, err
	}
	region.Color, region.LineStyle.Width = feasibleBg, 0
	p.Add(region)
	bl, err := plotter.NewLine(plotter.XYs{{X: x0, Y: bound}, {X: x1, Y: bound}})
	if err != nil {
		return nil, err
	}
	bl.Color, bl.Dashes = black, []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(bl)
	for _, pl := range plans {
		if math.IsNaN(pl.Mean) {
			continue
		}
		c := color.Color(grey)
		switch pl.Status {
		case "feasible":
			c = green
		case "infeasible":
			c = red
		}
		if !math.IsNaN(pl.Low) && !math.IsNaN(pl.High) {
			bar, err := plotter.NewLine(plotter.XYs{{X: pl.Cost, Y: pl.Low}, {X: pl.Cost, Y: pl.High}})
			if err != nil {
				return nil, err
			}
			bar.Color, bar.Width = c, vg.Points(1.5)
			p.Add(bar)
		}
		dot, err := plotter.NewScatter(plotter.XYs{{X: pl.Cost, Y: pl.Mean}})
		if err != nil {
			return nil, err
		}
		dot.Color, dot.Shape, dot.Radius = c, draw.CircleGlyph{}, vg.Points(3.5)
		p.Add(dot)
		if pl.Chosen {
			ring, err := plotter.NewScatter(plotter.XYs{{X: pl.Cost, Y: pl.Mean}})
			if err != nil {
				return nil, err
			}
			ring.Color, ring.Shape, ring.Radius = black, draw.RingGlyph{}, vg.Points(8)
			ring.GlyphStyle.Shape = draw.RingGlyph{}
			lab, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: pl.Cost, Y: pl.Mean}}, Labels: []string{"  chosen"}})
			if err != nil {
				return nil, err
			}
			lab.TextStyle[0].Font.Size = vg.Points(11)
			lab.Offset = vg.Point{X: vg.Points(6), Y: vg.Points(4)}
			p.Add(ring, lab)
		}
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = x0, x1, y0, y1
	return p, nil
}

// SVGSize renders the plot as an SVG element of the given size, for
// embedding.
func SVGSize(p *gplot.Plot, w, h vg.Length) (string, error) {
	wt, err := p.WriterTo(w, h, "svg")
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return "", err
	}
	s := buf.String()
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:] // drop the XML prologue for inline embedding
	}
	return s, nil
}

// percentTicks are gonum's default ticks labelled "-25%" instead of "-25.00".
type percentTicks struct{}

// Ticks implements gplot.Ticker.
func (percentTicks) Ticks(min, max float64) []gplot.Tick {
	ts := gplot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', 4, 64) + "%"
		}
	}
	return ts
}
