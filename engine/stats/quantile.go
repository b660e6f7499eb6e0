package stats

import (
	"fmt"
	"math"
)

// Quantile returns the p-quantile (0 <= p <= 1) of sorted (ascending) by
// linear interpolation between order statistics: definition 7 of Hyndman &
// Fan (1996), "Sample quantiles in statistical packages", Am. Stat. 50(4),
// 361–365. It is what R's quantile() (default type 7), numpy.percentile and
// pandas' quantile() (default "linear"), and DuckDB's quantile_cont print, so
// medtwin's printed percentiles agree with theirs. With h = (n−1)p, the result
// is x[⌊h⌋] + (h−⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]) (0-based). An empty slice gives NaN;
// p outside [0, 1] or NaN panics. Every percentile medtwin prints goes
// through this function.
func Quantile(p float64, sorted []float64) float64 {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("stats: quantile p = %v outside [0, 1]", p))
	}
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * p
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}
