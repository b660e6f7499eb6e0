package stats

import "math"

// TimeWeighted is the time average of a piecewise-constant quantity such as a
// queue length or the number of busy servers: the integral of the value over
// time divided by the elapsed time. Set must be called with non-decreasing times.
type TimeWeighted struct {
	start, last float64
	value, area float64
	max         float64
}

// NewTimeWeighted starts at time t with value v.
func NewTimeWeighted(t, v float64) TimeWeighted {
	return TimeWeighted{start: t, last: t, value: v, max: v}
}

// Set changes the value at time t.
func (w *TimeWeighted) Set(t, v float64) {
	w.area += w.value * (t - w.last)
	w.last = t
	w.value = v
	if v > w.max {
		w.max = v
	}
}

// Add changes the value by d at time t.
func (w *TimeWeighted) Add(t, d float64) { w.Set(t, w.value+d) }

// Value returns the current value.
func (w *TimeWeighted) Value() float64 { return w.value }

// Area returns the integral of the value from the start (or last reset) to t.
func (w *TimeWeighted) Area(t float64) float64 { return w.area + w.value*(t-w.last) }

// Mean returns the time average from the start (or last reset) to t; NaN if no
// time has passed.
func (w *TimeWeighted) Mean(t float64) float64 {
	if t <= w.start {
		return math.NaN()
	}
	return w.Area(t) / (t - w.start)
}

// Max returns the largest value since the start (or last reset).
func (w *TimeWeighted) Max() float64 { return w.max }

// Reset restarts the average at time t, keeping the current value (warm-up
// deletion).
func (w *TimeWeighted) Reset(t float64) {
	*w = TimeWeighted{start: t, last: t, value: w.value, max: w.value}
}
