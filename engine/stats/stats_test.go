package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestTallyAgainstTwoPass(t *testing.T) {
	xs := []float64{2, 4, 4, 4, 5, 5, 7, 9}
	var ta Tally
	for _, x := range xs {
		ta.Add(x)
	}
	// Two-pass formulas: mean 5, sum of squared deviations 32, n-1 = 7.
	if ta.Mean() != 5 || math.Abs(ta.Var()-32.0/7) > 1e-12 || ta.Min() != 2 || ta.Max() != 9 {
		t.Fatalf("mean %v var %v min %v max %v", ta.Mean(), ta.Var(), ta.Min(), ta.Max())
	}
}

func TestTimeWeighted(t *testing.T) {
	w := NewTimeWeighted(0, 0)
	w.Set(2, 3) // 0 on [0,2)
	w.Set(5, 1) // 3 on [2,5)
	// 1 on [5,10): area = 9 + 5 = 14 over 10 time units.
	if got := w.Mean(10); math.Abs(got-1.4) > 1e-12 {
		t.Fatalf("mean %v, want 1.4", got)
	}
	w.Reset(10)
	w.Set(12, 0)
	if got := w.Mean(14); math.Abs(got-0.5) > 1e-12 {
		t.Fatalf("after reset mean %v, want 0.5", got)
	}
}

// t quantiles from the standard table (e.g. Law 2015, Table T.1).
func TestTQuantileTable(t *testing.T) {
	for _, c := range []struct{ nu, want float64 }{{1, 12.706}, {4, 2.776}, {19, 2.093}, {30, 2.042}} {
		if got := TQuantile(0.975, c.nu); math.Abs(got-c.want) > 1e-3 {
			t.Errorf("t(0.975, %v) = %v, want %v", c.nu, got, c.want)
		}
	}
}

// The 95% interval of normal samples must cover the true mean about 95% of the
// time: with 2000 intervals the coverage has standard error 0.005.
func TestSummaryCoverage(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	covered := 0
	const trials = 2000
	for i := 0; i < trials; i++ {
		xs := make([]float64, 10)
		for j := range xs {
			xs[j] = 3 + 2*r.NormFloat64()
		}
		if Summarize(xs, 0.95).Contains(3) {
			covered++
		}
	}
	if p := float64(covered) / trials; math.Abs(p-0.95) > 0.02 {
		t.Fatalf("coverage %v, want 0.95 ± 0.02", p)
	}
}

func TestBatchMeansIID(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	xs := make([]float64, 100000)
	for i := range xs {
		xs[i] = r.ExpFloat64()
	}
	s := BatchMeans(xs, 20, 0.95)
	if !s.Contains(1) || s.HalfWidth > 0.03 {
		t.Fatalf("batch means %+v should cover 1 with a half-width near 0.012", s)
	}
}
