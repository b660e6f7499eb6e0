package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Summary describes a KPI across independent replications (or batches): the mean,
// the sample standard deviation and a two-sided confidence interval from the
// Student t distribution with N-1 degrees of freedom.
type Summary struct {
	N         int
	Mean, SD  float64
	HalfWidth float64 // half-width of the confidence interval
	Low, High float64 // Mean ∓ HalfWidth
	Level     float64 // confidence level, e.g. 0.95
}

// Summarize returns the summary of xs at the given confidence level (0.95 for a
// 95% interval). NaN observations are skipped (a KPI with no observation in a
// replication). With fewer than two values the interval is undefined (NaN).
func Summarize(xs []float64, level float64) Summary {
	var t Tally
	for _, x := range xs {
		if !math.IsNaN(x) {
			t.Add(x)
		}
	}
	s := Summary{N: int(t.N()), Mean: t.Mean(), SD: t.SD(), Level: level}
	s.HalfWidth = math.NaN()
	if s.N >= 2 {
		s.HalfWidth = TQuantile((1+level)/2, float64(s.N-1)) * s.SD / math.Sqrt(float64(s.N))
		if s.SD == 0 {
			s.HalfWidth = 0
		}
	}
	s.Low, s.High = s.Mean-s.HalfWidth, s.Mean+s.HalfWidth
	return s
}

// Contains reports whether x lies inside the confidence interval.
func (s Summary) Contains(x float64) bool { return x >= s.Low && x <= s.High }

// TQuantile returns the p-quantile of Student's t with nu degrees of freedom.
func TQuantile(p, nu float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nu}.Quantile(p)
}

// BatchMeans summarises one long, stationary output series by the method of
// non-overlapping batch means: the series is cut into k equal batches (the
// remainder at the start is dropped), and the k batch means are treated as
// approximately independent observations (Law 2015, §9.5.3; k between 10 and 30
// is usual).
func BatchMeans(xs []float64, k int, level float64) Summary {
	if k < 2 || len(xs) < k {
		return Summarize(nil, level)
	}
	size := len(xs) / k
	skip := len(xs) - size*k
	means := make([]float64, k)
	for b := 0; b < k; b++ {
		sum := 0.0
		for _, x := range xs[skip+b*size : skip+(b+1)*size] {
			sum += x
		}
		means[b] = sum / float64(size)
	}
	return Summarize(means, level)
}
