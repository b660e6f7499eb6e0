package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Wilson returns the 95% Wilson score interval of the proportion k/n
// (Wilson 1927, J Am Stat Assoc 22:209; method 3 of Newcombe 1998, Stat Med
// 17:857). It stays inside [0, 1] and keeps its coverage near 0 and 1, where
// the Wald interval fails. NaNs when n is 0.
func Wilson(k, n int) (low, high float64) {
	if n <= 0 {
		return math.NaN(), math.NaN()
	}
	const z = 1.959963984540054
	fn := float64(n)
	p := float64(k) / fn
	d := 1 + z*z/fn
	c := p + z*z/(2*fn)
	h := z * math.Sqrt(p*(1-p)/fn+z*z/(4*fn*fn))
	return math.Max(0, (c-h)/d), math.Min(1, (c+h)/d)
}

// TwoProportionZ tests H0: p1 = p2 from k1/n1 and k2/n2 with the pooled
// two-sample z statistic (the square of which is Pearson's χ² for the 2×2
// table without continuity correction; Agresti 2013, Categorical Data
// Analysis, §3.2). It returns z (positive when the second proportion is the
// larger) and the two-sided p-value; p is 1 when both groups are all
// successes or all failures.
func TwoProportionZ(k1, n1, k2, n2 int) (z, p float64) {
	if n1 <= 0 || n2 <= 0 {
		return math.NaN(), math.NaN()
	}
	p1, p2 := float64(k1)/float64(n1), float64(k2)/float64(n2)
	pool := float64(k1+k2) / float64(n1+n2)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n2)))
	if se == 0 {
		return 0, 1
	}
	z = (p2 - p1) / se
	return z, 2 * distuv.UnitNormal.Survival(math.Abs(z))
}
