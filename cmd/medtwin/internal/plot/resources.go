package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/medtwin/medtwin/engine/results"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The figures of simmer.plot (Ucar et al. 2019, J Stat Softw 90(2)) over a
// resource: usage over time as step lines, waiting-time distributions as
// ECDFs, and utilisation per resource as bars with confidence intervals;
// and Figure, which tiles panels under one legend that sits beside the data,
// never on it.

// Palette is the colour of the i-th line or bar of a figure.
func Palette(i int) color.Color {
	p := []color.Color{blue, red, green, color.RGBA{148, 103, 189, 255}, color.RGBA{255, 127, 14, 255},
		color.RGBA{140, 86, 75, 255}, color.RGBA{227, 119, 194, 255}, color.RGBA{127, 127, 127, 255}}
	return p[i%len(p)]
}

// StepLine is one series drawn as a step function: Ys[i] holds from Xs[i]
// until Xs[i+1] (a count that changes at events, sampled or exact).
type StepLine struct {
	Name   string
	Xs, Ys []float64
	Color  color.Color
	Dashed bool
}

// Steps draws step lines (busy units, queue length, capacity) in one panel.
// Its legend entries are returned for Figure, not drawn on the data.
func Steps(title, xLabel, yLabel string, lines []StepLine) (*gplot.Plot, []LegendEntry, error) {
	p := newPlot(title, xLabel, yLabel)
	var legend []LegendEntry
	top := 0.0
	for _, s := range lines {
		if len(s.Xs) == 0 || len(s.Xs) != len(s.Ys) {
			return nil, nil, fmt.Errorf("plot: step line %s has %d x and %d y values", s.Name, len(s.Xs), len(s.Ys))
		}
		if err := finiteAll(s.Xs, s.Ys); err != nil {
			return nil, nil, fmt.Errorf("plot: step line %s: %v", s.Name, err)
		}
		pts := make(plotter.XYs, len(s.Xs))
		for i := range s.Xs {
			pts[i] = plotter.XY{X: s.Xs[i], Y: s.Ys[i]}
			top = math.Max(top, s.Ys[i])
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, nil, err
		}
		l.StepStyle = plotter.PostStep
		l.Color = s.Color
		l.Width = vg.Points(1.2)
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
			l.Width = vg.Points(1.6)
		}
		p.Add(l)
		legend = append(legend, LegendEntry{Name: s.Name, Thumb: l})
	}
	p.Y.Min, p.Y.Max = 0, math.Max(1, top*1.05)
	p.Y.Tick.Marker = countTicks{}
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = vg.Points(10), vg.Points(10) // a panel of a tiled figure
	return p, legend, nil
}

// countTicks are gonum's default ticks with labels on whole numbers only: a
// count axis reads 0, 2, 4, never 2.50.
type countTicks struct{}

// Ticks implements gplot.Ticker.
func (countTicks) Ticks(min, max float64) []gplot.Tick {
	var out []gplot.Tick
	labelled := 0
	for _, t := range (gplot.DefaultTicks{}).Ticks(min, max) {
		if t.Label != "" {
			t.Label = ""
			if t.Value == math.Trunc(t.Value) {
				t.Label = strconv.FormatFloat(t.Value, 'f', 0, 64)
			}
		}
		if t.Label != "" {
			labelled++
		}
		out = append(out, t)
	}
	if labelled >= 2 {
		return out
	}
	out = nil
	for v := math.Ceil(min); v <= max; v++ {
		out = append(out, gplot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	return out
}

// ECDF draws the empirical distribution function of each named sample: the
// fraction of values <= x, a step at every value (simmer.plot's waiting-time
// figure as a distribution; the ECDF shows the tail a histogram bins away).
func ECDF(title, xLabel string, samples map[string][]float64, order []string) (*gplot.Plot, []LegendEntry, error) {
	p := newPlot(title, xLabel, "fraction of requests waiting ≤ x")
	var legend []LegendEntry
	for i, name := range order {
		xs, ys := ECDFPoints(samples[name])
		if len(xs) == 0 {
			continue
		}
		if err := finiteAll(xs); err != nil {
			return nil, nil, fmt.Errorf("plot: %s: %v", name, err)
		}
		pts := make(plotter.XYs, 0, len(xs)+1)
		pts = append(pts, plotter.XY{X: math.Min(0, xs[0]), Y: 0})
		for k := range xs {
			pts = append(pts, plotter.XY{X: xs[k], Y: ys[k]})
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, nil, err
		}
		l.StepStyle = plotter.PostStep
		l.Color = Palette(i)
		l.Width = vg.Points(1.5)
		p.Add(l)
		legend = append(legend, LegendEntry{Name: fmt.Sprintf("%s (n=%d)", name, len(samples[name])), Thumb: l})
	}
	if len(legend) == 0 {
		return nil, nil, fmt.Errorf("plot: %q has no values to draw", title)
	}
	p.Y.Min, p.Y.Max = 0, 1
	return p, legend, nil
}

// ECDFPoints returns the distinct sorted values of sample and the fraction
// of the sample at or below each: the corners of its ECDF.
func ECDFPoints(sample []float64) (xs, ys []float64) {
	v := slices.Clone(sample)
	slices.Sort(v)
	n := float64(len(v))
	for i, x := range v {
		if i+1 < len(v) && v[i+1] == x {
			continue
		}
		xs, ys = append(xs, x), append(ys, float64(i+1)/n)
	}
	return xs, ys
}

// Bars draws one bar per name with its interval [lo, hi] as an error bar
// (utilisation per resource with its 95% CI across replications).
func Bars(title, yLabel string, names []string, mean, lo, hi []float64) (*gplot.Plot, error) {
	if len(names) == 0 || len(mean) != len(names) || len(lo) != len(names) || len(hi) != len(names) {
		return nil, fmt.Errorf("plot: %q needs one mean, low and high per name", title)
	}
	if err := finiteAll(mean, lo, hi); err != nil {
		return nil, err
	}
	p := newPlot(title, "", yLabel)
	bars, err := plotter.NewBarChart(plotter.Values(mean), vg.Points(28))
	if err != nil {
		return nil, err
	}
	bars.Color = band
	bars.LineStyle.Color = blue
	top := 0.0
	for i := range names {
		top = math.Max(top, math.Max(hi[i], mean[i]))
	}
	_, eb, err := errorBars(mean, lo, hi)
	if err != nil {
		return nil, err
	}
	eb.Color = black
	eb.Width = vg.Points(1.5)
	p.Add(bars, eb)
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
	p.Y.Min, p.Y.Max = 0, math.Max(1, top*1.05)
	return p, nil
}

// LegendEntry is one item of a figure's legend: a name and the line or
// glyph it stands for.
type LegendEntry struct {
	Name  string
	Thumb gplot.Thumbnailer
}

// Figure writes panels to path (.png or .svg) at width × height (dpi for a
// PNG): cols panels a row, under a title (lines split at \n) and a legend
// strip of their own, so that no entry covers data.
func Figure(path, title string, panels []*gplot.Plot, cols int, legend []LegendEntry, width, height vg.Length, dpi int) error {
	if len(panels) == 0 {
		return fmt.Errorf("plot: %s: no panels to draw", path)
	}
	cols = max(1, min(cols, len(panels)))
	rows := (len(panels) + cols - 1) / cols
	grid := make([][]*gplot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*gplot.Plot, cols)
		for c := range grid[r] {
			if i := r*cols + c; i < len(panels) {
				grid[r][c] = panels[i]
			}
		}
	}
	return saveDrawn(path, width, height, dpi, func(dc draw.Canvas) {
		var lines []string
		if title != "" {
			lines = strings.Split(title, "\n")
		}
		head := vg.Length(len(lines)) * vg.Points(14)
		strip := legendHeight(legend, width)
		body := draw.Crop(dc, 0, 0, 0, -strip-head)
		tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(6), PadY: vg.Points(6),
			PadTop: vg.Points(2), PadBottom: vg.Points(2), PadLeft: vg.Points(2), PadRight: vg.Points(2)}
		canvases := gplot.Align(grid, tiles, body)
		for r := range grid {
			for c, p := range grid[r] {
				if p != nil {
					p.Draw(canvases[r][c])
				}
			}
		}
		sty := text.Style{Color: black, Font: font.From(gplot.DefaultFont, 11), Handler: gplot.DefaultTextHandler,
			XAlign: draw.XCenter, YAlign: draw.YTop}
		for i, l := range lines {
			dc.FillText(sty, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - vg.Points(2) - vg.Length(i)*vg.Points(14)}, l)
		}
		drawLegend(draw.Crop(dc, 0, 0, dc.Max.Y-dc.Min.Y-strip-head, -head), legend, width)
	})
}

// legendPerRow is how many legend entries fit a row of the strip.
func legendPerRow(n int, width vg.Length) int {
	return max(1, min(n, int(width/(1.6*vg.Inch))))
}

func legendHeight(legend []LegendEntry, width vg.Length) vg.Length {
	if len(legend) == 0 {
		return 0
	}
	rows := (len(legend) + legendPerRow(len(legend), width) - 1) / legendPerRow(len(legend), width)
	return vg.Length(rows)*vg.Points(14) + vg.Points(6)
}

// drawLegend lays the entries out in rows across the strip c.
func drawLegend(c draw.Canvas, legend []LegendEntry, width vg.Length) {
	if len(legend) == 0 {
		return
	}
	per := legendPerRow(len(legend), width)
	cellW := (c.Max.X - c.Min.X - vg.Points(12)) / vg.Length(per)
	for i, e := range legend {
		r, k := i/per, i%per
		l := gplot.NewLegend()
		l.Left, l.Top = true, true
		l.TextStyle.Font.Size = vg.Points(10)
		l.Add(e.Name, e.Thumb)
		x0 := c.Min.X + vg.Points(12) + vg.Length(k)*cellW
		y1 := c.Max.Y - vg.Points(3) - vg.Length(r)*vg.Points(14)
		cell := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: x0, Y: y1 - vg.Points(14)}, Max: vg.Point{X: x0 + cellW, Y: y1}}}
		l.Draw(cell)
	}
}

func margin(c draw.Canvas) draw.Canvas {
	m := vg.Points(3)
	return draw.Crop(c, m, -m, m, -m)
}

// saveDrawn renders fn's drawing at width × height to path (.png at dpi, or
// .svg) through a temporary file, inside a margin of 3 points so that no
// label's first glyph or title's top is cut at the edge.
func saveDrawn(path string, width, height vg.Length, dpi int, fn func(draw.Canvas)) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".png" && ext != ".svg" {
		return fmt.Errorf("plot: %s: the file must end in .png or .svg", path)
	}
	if !(width > 0 && height > 0) || dpi < 1 {
		return fmt.Errorf("plot: size %v × %v at %d dpi: want a positive width, height and dpi", width, height, dpi)
	}
	var buf bytes.Buffer
	if ext == ".png" {
		c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))
		fn(margin(draw.New(c)))
		if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
			return err
		}
	} else {
		c := vgsvg.New(width, height)
		fn(margin(draw.New(c)))
		if _, err := c.WriteTo(&buf); err != nil {
			return err
		}
	}
	return results.WriteFileAtomic(path, buf.Bytes())
}
