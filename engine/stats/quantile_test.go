package stats

import (
	"math"
	"testing"
)

// Expected values are R's quantile(x, p) with the default type = 7 (and
// numpy.percentile's default "linear"), worked by hand from Hyndman & Fan
// (1996), definition 7: h = (n−1)p, x[⌊h⌋] + (h−⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).
func TestQuantileIsType7(t *testing.T) {
	one2ten := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	cases := []struct {
		x    []float64
		p    float64
		want float64
	}{
		{one2ten, 0.05, 1.45}, // R: quantile(1:10, 0.05) = 1.45
		{one2ten, 0.5, 5.5},
		{one2ten, 0.95, 9.55},
		{one2ten, 0, 1},
		{one2ten, 1, 10},
		{[]float64{1, 2, 3, 4}, 0.1, 1.3}, // R: quantile(1:4, 0.1) = 1.3
		{[]float64{1, 2, 3, 4}, 0.05, 1.15},
		{[]float64{0, 10}, 0.25, 2.5},
		{[]float64{7}, 0.95, 7},
		{[]float64{-3, -1, 2}, 0.5, -1},
	}
	for _, c := range cases {
		if got := Quantile(c.p, c.x); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Quantile(%v, %v) = %v, want %v", c.p, c.x, got, c.want)
		}
	}
	if !math.IsNaN(Quantile(0.5, nil)) {
		t.Error("the quantile of no values is not NaN")
	}
}

func TestQuantilePanicsOutsideUnitInterval(t *testing.T) {
	for _, p := range []float64{-0.1, 1.1, math.NaN()} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Quantile(%v) did not panic", p)
				}
			}()
			Quantile(p, []float64{1, 2})
		}()
	}
}
