package ops

import (
	"fmt"
	"math"
	"slices"

	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/engine/stats"
)

// ResampleDays returns a day-block bootstrap replicate of the observed visits
// (Künsch 1989's block bootstrap with blocks of one calendar day): the observed
// period runs over whole days d0..d1-1 (the days of the first and the last
// arrival); for each day position i in it, a day j is drawn uniformly from the
// period and all of day j's visits (by arrival day) are copied with every time
// moved by i-j days. Visits within a day keep their order and their mutual
// dependence (queues build within a day), which resampling single visits would
// break. Days without visits are drawn like the others. The draws come from st
// alone, so a replicate is determined by st's key.
func ResampleDays(vs []Visit, st *rng.Stream) []Visit {
	if len(vs) == 0 {
		return nil
	}
	byDay := map[int][]Visit{}
	d0, d1 := math.MaxInt, math.MinInt
	for _, v := range vs {
		d := int(math.Floor(v.Arrival / 86400))
		byDay[d] = append(byDay[d], v)
		d0, d1 = min(d0, d), max(d1, d+1)
	}
	out := make([]Visit, 0, len(vs))
	for i := d0; i < d1; i++ {
		j := d0 + st.IntN(d1-d0)
		shift := float64(i-j) * 86400
		for _, v := range byDay[j] {
			v.Arrival += shift
			v.Seen += shift
			v.Departure += shift
			v.AdmitDecision += shift
			out = append(out, v)
		}
	}
	return out
}

// PercentileCI is the bootstrap percentile interval (Efron & Tibshirani 1993,
// ch. 13) of the replicates xs at the given level: the (1-level)/2 and
// (1+level)/2 quantiles, by the package's one quantile rule (type 7). NaN
// replicates (a refit that failed) are an error.
func PercentileCI(xs []float64, level float64) (lo, hi float64, err error) {
	if len(xs) < 2 || !(level > 0 && level < 1) {
		return 0, 0, fmt.Errorf("ops: PercentileCI: want at least 2 replicates and level in (0, 1), got %d and %g", len(xs), level)
	}
	s := slices.Sorted(slices.Values(xs))
	if math.IsNaN(s[len(s)-1]) || math.IsNaN(s[0]) {
		return 0, 0, fmt.Errorf("ops: PercentileCI: a replicate is NaN")
	}
	return stats.Quantile((1-level)/2, s), stats.Quantile((1+level)/2, s), nil
}
