package stats

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/engine/rng"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.6g, want %.6g ± %g", what, got, want, tol)
	}
}

// Kolmogorov's distribution: the classical critical points λ(0.05) = 1.35810 and
// λ(0.01) = 1.62762 (Smirnov 1948, Table of the limiting distribution;
// scipy.stats.kstwobign.isf), and Q(0) = 1.
func TestKolmogorovQCriticalPoints(t *testing.T) {
	near(t, "Q(1.35810)", KolmogorovQ(1.35810), 0.05, 2e-5)
	near(t, "Q(1.62762)", KolmogorovQ(1.62762), 0.01, 2e-6)
	near(t, "Q(0)", KolmogorovQ(0), 1, 0)
	// one term dominates for large λ: Q ≈ 2 exp(-2 λ²)
	near(t, "Q(3)", KolmogorovQ(3), 2*math.Exp(-18), 1e-12)
}

// D by hand: disjoint samples D = 1; {1,2,3,4} against {3,4,5,6}: the ECDFs
// differ by 1/2 at 2, 3 and 4; ties handled: identical samples D = 0.
func TestKS2Statistic(t *testing.T) {
	for _, c := range []struct {
		x, y []float64
		d    float64
	}{
		{[]float64{1, 2, 3}, []float64{4, 5, 6}, 1},
		{[]float64{1, 2, 3, 4}, []float64{3, 4, 5, 6}, 0.5},
		{[]float64{1, 1, 2, 2}, []float64{2, 1, 2, 1}, 0},
		{[]float64{0, 0, 0, 1}, []float64{0, 1, 1, 1}, 0.5},
	} {
		r, err := KS2(c.x, c.y)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "D", r.D, c.d, 1e-15)
		near(t, "p", r.P, KolmogorovQ(math.Sqrt(float64(len(c.x)*len(c.y))/float64(len(c.x)+len(c.y)))*c.d), 1e-15)
	}
	if _, err := KS2(nil, []float64{1}); err == nil {
		t.Error("an empty sample was accepted")
	}
	if _, err := KS2([]float64{math.NaN()}, []float64{1}); err == nil {
		t.Error("a NaN was accepted")
	}
}

// Under the null the asymptotic p-value is close to uniform: at level 0.05 about
// 5% of 400 pairs of samples of 200 reject (binomial 3-sigma band; the
// asymptotic test is slightly conservative at this size).
func TestKS2SizeUnderNull(t *testing.T) {
	st := rng.New(7, 0, "ks-null", 0)
	rej := 0
	const trials = 400
	for k := 0; k < trials; k++ {
		x, y := make([]float64, 200), make([]float64, 200)
		for i := range x {
			x[i], y[i] = st.Exp(1), st.Exp(1)
		}
		r, _ := KS2(x, y)
		if r.P < 0.05 {
			rej++
		}
	}
	if f := float64(rej) / trials; f > 0.05+3*math.Sqrt(0.05*0.95/trials) || f < 0.01 {
		t.Errorf("rejection rate under the null %v, want about 0.05", f)
	}
}

// The worked example of Scholz & Stephens (1987), §5: four laboratories'
// measurements of paper smoothness (Lehmann 1975), with ties. The paper gives
// σ_N = 1.2038, A²akN = 8.3926 for the midrank version (standardised 4.480)
// and A²kN = 8.3559 for the other (4.449); scipy's test suite
// (test_morestats.py, TestAndersonKSamp.test_example1b) checks the midrank
// version at T = 4.480 with p = 0.0020 ± 0.00025 and the interpolated
// critical points for m = 3 at 0.4985, 1.3237, 1.9158, 2.4930, 3.2459.
func TestADKScholzStephensExample(t *testing.T) {
	u1 := []float64{38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0}
	u2 := []float64{39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8}
	u3 := []float64{34.0, 35.0, 39.0, 40.0, 43.0, 43.0, 44.0, 45.0}
	u4 := []float64{34.0, 34.8, 34.8, 35.4, 37.2, 37.8, 41.2, 42.8}
	r, err := ADK(u1, u2, u3, u4)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "A²akN", r.A2, 8.3926, 1e-4)
	near(t, "σN", r.Sigma, 1.2038, 1e-4)
	near(t, "T", r.T, 4.480, 1e-3)
	near(t, "p", r.P, 0.0020, 0.00025)
	for i, want := range []float64{0.4985, 1.3237, 1.9158, 2.4930, 3.2459} {
		near(t, "critical point", adB0[i]+adB1[i]/math.Sqrt(3)+adB2[i]/3, want, 1e-4)
	}
	// two samples from one shuffled set are not significant
	a, b := []float64{1, 3, 5, 7, 9, 11}, []float64{2, 4, 6, 8, 10, 12}
	if r, _ := ADK(a, b); r.P < 0.25 || !r.Capped {
		t.Errorf("interleaved samples: %+v, want p capped at 0.25", r)
	}
	if _, err := ADK(a); err == nil {
		t.Error("one sample was accepted")
	}
}

// Wasserstein-1 against closed forms: a shift by c moves every quantile by c,
// so W1 = c (scipy's documented example: [0,1,3] against [5,6,8] is 5); a
// point mass at 0 against {0, 1}: the ECDFs differ by 1/2 on [0, 1).
func TestWasserstein1(t *testing.T) {
	w, _ := Wasserstein1([]float64{0, 1, 3}, []float64{5, 6, 8})
	near(t, "shifted", w, 5, 1e-15)
	w, _ = Wasserstein1([]float64{0}, []float64{0, 1})
	near(t, "point mass", w, 0.5, 1e-15)
	w, _ = Wasserstein1([]float64{3, 1, 2}, []float64{2, 3, 1})
	near(t, "same", w, 0, 0)
	// mean difference bounds W1 from below; equal for samples ordered by a shift
	x := []float64{0.5, 2, 7, 11}
	y := []float64{1.5, 3, 8, 12}
	w, _ = Wasserstein1(x, y)
	near(t, "shift 1", w, 1, 1e-12)
}

// PSI by hand: the deciles of 1..100 give 10 bins of 10%; an actual sample with
// all of its mass in the first bin has PSI = (1-0.1) ln(1/0.1) +
// 9 (1e-4 - 0.1) ln(1e-4/0.1).
func TestPSI(t *testing.T) {
	e := make([]float64, 100)
	for i := range e {
		e[i] = float64(i + 1)
	}
	p, err := PSI(e, e, 10)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "same", p, 0, 1e-15)
	a := []float64{1, 2, 3, 4, 5}
	p, _ = PSI(e, a, 10)
	want := 0.9*math.Log(10) + 9*(PSIFloor-0.1)*math.Log(PSIFloor/0.1)
	near(t, "all in the first bin", p, want, 1e-12)
	// two bins: 50/50 against 70/30: (0.2) ln(1.4) + (-0.2) ln(0.6)
	near(t, "two bins", PSIBins([]float64{0.5, 0.5}, []float64{0.7, 0.3}), 0.2*math.Log(1.4)-0.2*math.Log(0.6), 1e-15)
	if _, err := PSI(e, a, 1); err == nil {
		t.Error("one bin was accepted")
	}
}

// R type 7: quantile(1:5, 0.1) is 1.4 and quantile(c(1, 3), 0.5) is 2.
func TestQuantileType7(t *testing.T) {
	near(t, "q", Quantile(0.1, []float64{1, 2, 3, 4, 5}), 1.4, 1e-15)
	near(t, "q", Quantile(0.5, []float64{1, 3}), 2, 0)
	near(t, "q", Quantile(1, []float64{1, 3}), 3, 0)
}
