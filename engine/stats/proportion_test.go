package stats

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// Newcombe 1998 (Stat Med 17:857), Table II: 81/263 gives the Wilson interval
// 0.2553–0.3662, 15/148 gives 0.0624–0.1605 and 0/20 gives 0–0.1611.
func TestWilsonNewcombe(t *testing.T) {
	for _, c := range []struct {
		k, n      int
		low, high float64
	}{{81, 263, 0.2553, 0.3662}, {15, 148, 0.0624, 0.1605}, {0, 20, 0, 0.1611}} {
		lo, hi := Wilson(c.k, c.n)
		if math.Abs(lo-c.low) > 5e-5 || math.Abs(hi-c.high) > 5e-5 {
			t.Errorf("%d/%d: [%.4f, %.4f], Newcombe [%.4f, %.4f]", c.k, c.n, lo, hi, c.low, c.high)
		}
	}
	if lo, hi := Wilson(0, 0); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Error("n = 0 must give NaN")
	}
}

// z² equals Pearson's χ² computed from observed and expected counts of the 2×2
// table, and p is the χ²(1) tail.
func TestTwoProportionZIsPearson(t *testing.T) {
	for _, c := range [][4]int{{30, 100, 45, 100}, {5, 40, 12, 35}, {70, 80, 60, 90}} {
		k1, n1, k2, n2 := c[0], c[1], c[2], c[3]
		z, p := TwoProportionZ(k1, n1, k2, n2)
		obs := [4]float64{float64(k1), float64(n1 - k1), float64(k2), float64(n2 - k2)}
		col := [2]float64{float64(k1 + k2), float64(n1 + n2 - k1 - k2)}
		row := [2]float64{float64(n1), float64(n2)}
		tot := float64(n1 + n2)
		chi := 0.0
		for i := 0; i < 2; i++ {
			for j := 0; j < 2; j++ {
				e := row[i] * col[j] / tot
				chi += (obs[2*i+j] - e) * (obs[2*i+j] - e) / e
			}
		}
		if math.Abs(z*z-chi) > 1e-9*chi {
			t.Errorf("%v: z² %v, χ² %v", c, z*z, chi)
		}
		want := distuv.ChiSquared{K: 1}.Survival(chi)
		if math.Abs(p-want) > 1e-9 {
			t.Errorf("%v: p %v, χ² tail %v", c, p, want)
		}
		if (z > 0) != (float64(k2)/float64(n2) > float64(k1)/float64(n1)) {
			t.Errorf("%v: z %v has the wrong sign", c, z)
		}
	}
	if _, p := TwoProportionZ(10, 10, 5, 5); p != 1 {
		t.Error("all successes must give p = 1")
	}
}
