package stats

import "math"

// Tally accumulates observations: count, mean, variance (Welford 1962), min, max.
// The zero value is empty and ready to use.
type Tally struct {
	n        int64
	mean, m2 float64
	min, max float64
}

// Add records one observation.
func (t *Tally) Add(x float64) {
	t.n++
	if t.n == 1 {
		t.mean, t.m2, t.min, t.max = x, 0, x, x
		return
	}
	d := x - t.mean
	t.mean += d / float64(t.n)
	t.m2 += d * (x - t.mean)
	if x < t.min {
		t.min = x
	}
	if x > t.max {
		t.max = x
	}
}

// Reset discards all observations (warm-up deletion).
func (t *Tally) Reset() { *t = Tally{} }

// N returns the number of observations.
func (t *Tally) N() int64 { return t.n }

// Mean returns the sample mean, NaN when empty.
func (t *Tally) Mean() float64 {
	if t.n == 0 {
		return math.NaN()
	}
	return t.mean
}

// Var returns the unbiased sample variance, NaN with fewer than two observations.
func (t *Tally) Var() float64 {
	if t.n < 2 {
		return math.NaN()
	}
	return t.m2 / float64(t.n-1)
}

// SD returns the sample standard deviation.
func (t *Tally) SD() float64 { return math.Sqrt(t.Var()) }

// Min returns the smallest observation, NaN when empty.
func (t *Tally) Min() float64 {
	if t.n == 0 {
		return math.NaN()
	}
	return t.min
}

// Max returns the largest observation, NaN when empty.
func (t *Tally) Max() float64 {
	if t.n == 0 {
		return math.NaN()
	}
	return t.max
}
