package cohort

import (
	"fmt"
	"math"
	"sort"
)

// Endpoint is a summary of one subject's concentration–time curve.
type Endpoint struct {
	Name  string
	Kind  string  // "auc", "cmax", "cmin", "conc", "time_above"
	From  float64 // window start, hours (auc, cmax, cmin, time_above)
	To    float64 // window end
	At    float64 // time, hours (conc)
	Level float64 // threshold, mg/L (time_above)
}

// Validate checks the endpoint.
func (e Endpoint) Validate() error {
	switch e.Kind {
	case "auc", "cmax", "cmin", "time_above":
		if !(e.To > e.From) || e.From < 0 {
			return fmt.Errorf("cohort: endpoint %s: the window must satisfy 0 <= from < to, got [%v, %v]", e.Name, e.From, e.To)
		}
	case "conc":
		if e.At < 0 {
			return fmt.Errorf("cohort: endpoint %s: at must be >= 0 h", e.Name)
		}
	default:
		return fmt.Errorf("cohort: endpoint %s: unknown kind %q (auc, cmax, cmin, conc, time_above)", e.Name, e.Kind)
	}
	return nil
}

// Eval computes the endpoint from concentrations c at the ascending times ts:
// AUC by the trapezoidal rule (the error is O(Δt²·C”) on a fine grid; give a
// time just before each bolus so that no trapezoid spans a jump), Cmax/Cmin over
// the points in the window, the concentration at a time by linear interpolation
// (the last point at that time: after a dose), and the time above a level with
// the crossings interpolated linearly.
func (e Endpoint) Eval(ts, c []float64) float64 {
	at := func(t float64) float64 {
		i := sort.SearchFloat64s(ts, t) // first index with ts[i] >= t
		for i+1 < len(ts) && ts[i+1] == t {
			i++
		}
		switch {
		case i >= len(ts):
			return c[len(c)-1]
		case ts[i] == t || i == 0:
			return c[i]
		}
		w := (t - ts[i-1]) / (ts[i] - ts[i-1])
		return c[i-1]*(1-w) + c[i]*w
	}
	// the points of [From, To], with the ends interpolated
	window := func() ([]float64, []float64) {
		xs, ys := []float64{e.From}, []float64{at(e.From)}
		for i, t := range ts {
			if t > e.From && t < e.To {
				xs, ys = append(xs, t), append(ys, c[i])
			}
		}
		// the left limit at To: the last point before a dose given at To
		i := sort.SearchFloat64s(ts, e.To)
		end := at(e.To)
		if i < len(ts) && ts[i] == e.To && i > 0 {
			w := (e.To - ts[i-1])
			if w < 1e-5 {
				end = c[i-1]
			}
		}
		return append(xs, e.To), append(ys, end)
	}
	switch e.Kind {
	case "conc":
		return at(e.At)
	case "auc":
		xs, ys := window()
		s := 0.0
		for i := 0; i+1 < len(xs); i++ {
			s += (ys[i] + ys[i+1]) / 2 * (xs[i+1] - xs[i])
		}
		return s
	case "cmax", "cmin":
		_, ys := window()
		v := ys[0]
		for _, y := range ys {
			if e.Kind == "cmax" {
				v = math.Max(v, y)
			} else {
				v = math.Min(v, y)
			}
		}
		return v
	case "time_above":
		xs, ys := window()
		s := 0.0
		for i := 0; i+1 < len(xs); i++ {
			dt := xs[i+1] - xs[i]
			x, y := ys[i]-e.Level, ys[i+1]-e.Level
			switch {
			case x >= 0 && y >= 0:
				s += dt
			case x > 0 && y < 0:
				s += dt * x / (x - y)
			case x < 0 && y > 0:
				s += dt * y / (y - x)
			}
		}
		return s
	}
	return math.NaN()
}
