package stats

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// KSResult is a two-sample Kolmogorov–Smirnov test.
type KSResult struct {
	D float64 // sup |F1 - F2|
	P float64 // asymptotic p-value (Kolmogorov's limiting distribution)
}

// KS2 is the two-sample Kolmogorov–Smirnov test of whether x and y come from
// the same continuous distribution. The p-value is Kolmogorov's limit
// Q(sqrt(n m/(n+m)) D) (scipy.stats.ks_2samp with method="asymp"), good for
// samples of a few dozen and more. NaNs are an error.
func KS2(x, y []float64) (KSResult, error) {
	a, b, err := sortedPair("KS2", x, y)
	if err != nil {
		return KSResult{}, err
	}
	n, m := float64(len(a)), float64(len(b))
	var d float64
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		v := math.Min(a[i], b[j])
		for i < len(a) && a[i] == v {
			i++
		}
		for j < len(b) && b[j] == v {
			j++
		}
		d = math.Max(d, math.Abs(float64(i)/n-float64(j)/m))
	}
	return KSResult{D: d, P: KolmogorovQ(math.Sqrt(n*m/(n+m)) * d)}, nil
}

// KolmogorovQ is the survival function of Kolmogorov's distribution,
// Q(λ) = 2 Σ_{j≥1} (-1)^{j-1} exp(-2 j² λ²) (Kolmogorov 1933; scipy kstwobign.sf).
func KolmogorovQ(lambda float64) float64 {
	if lambda <= 0 {
		return 1
	}
	if lambda < 0.2 {
		return 1 // the series converges slowly here; Q > 1 - 1e-20
	}
	var sum, sign float64 = 0, 1
	for j := 1; j <= 200; j++ {
		term := math.Exp(-2 * float64(j*j) * lambda * lambda)
		sum += sign * term
		if term < 1e-17*sum {
			break
		}
		sign = -sign
	}
	return math.Max(0, math.Min(1, 2*sum))
}

// ADResult is a k-sample Anderson–Darling test.
type ADResult struct {
	A2    float64 // A²akN, the midrank version for data with ties (Scholz & Stephens 1987, eq. 7)
	Sigma float64 // standard deviation of A² under the null (ibid., eq. 4)
	T     float64 // standardised statistic (A² - (k-1)) / Sigma
	P     float64 // approximate p-value, clamped to [0.001, 0.25] (Capped says when)
	// Capped is true when T lies outside the tabulated range and P is a bound.
	Capped bool
}

// ADK is the k-sample Anderson–Darling test of Scholz & Stephens (1987), "K-sample
// Anderson–Darling tests", JASA 82:918–924, in its midrank form A²akN (eq. 7),
// which allows ties. The p-value interpolates their Table 1 critical points
// t_m(α) ≈ b0 + b1/√m + b2/m with a quadratic in log α (as scipy.stats.anderson_ksamp does).
func ADK(samples ...[]float64) (ADResult, error) {
	k := len(samples)
	if k < 2 {
		return ADResult{}, fmt.Errorf("stats: ADK needs at least 2 samples, got %d", k)
	}
	var z []float64
	sorted := make([][]float64, k)
	for i, s := range samples {
		if len(s) == 0 {
			return ADResult{}, fmt.Errorf("stats: ADK: sample %d is empty", i+1)
		}
		for _, v := range s {
			if math.IsNaN(v) {
				return ADResult{}, fmt.Errorf("stats: ADK: sample %d has a NaN", i+1)
			}
		}
		sorted[i] = slices.Sorted(slices.Values(s))
		z = append(z, s...)
	}
	slices.Sort(z)
	N := float64(len(z))
	if len(z) < 4 {
		return ADResult{}, fmt.Errorf("stats: ADK needs at least 4 observations, got %d", len(z))
	}
	distinct := slices.Compact(slices.Clone(z))
	// for each distinct value: l (multiplicity) and B (number below plus half the ties)
	l := make([]float64, len(distinct))
	B := make([]float64, len(distinct))
	for j, v := range distinct {
		lo, _ := slices.BinarySearch(z, v)
		hi := upper(z, v)
		l[j] = float64(hi - lo)
		B[j] = float64(lo) + l[j]/2
	}
	var a2 float64
	for _, s := range sorted {
		ni := float64(len(s))
		var inner float64
		for j, v := range distinct {
			lo, _ := slices.BinarySearch(s, v)
			hi := upper(s, v)
			m := float64(hi) - float64(hi-lo)/2
			den := B[j]*(N-B[j]) - N*l[j]/4
			if den <= 0 {
				continue // only when every observation is tied
			}
			d := N*m - B[j]*ni
			inner += l[j] / N * d * d / den
		}
		a2 += inner / ni
	}
	a2 *= (N - 1) / N
	// variance under the null (eq. 4), with h = Σ_{i<N} 1/i and
	// g = Σ_{i=1}^{N-2} Σ_{j=i+1}^{N-1} 1/((N-i) j), summed in O(N)
	var H, h, g, cs float64
	for _, s := range samples {
		H += 1 / float64(len(s))
	}
	for i := 1; i < len(z); i++ {
		h += 1 / float64(i)
	}
	n := len(z)
	for j := 2; j <= n-1; j++ {
		cs += 1 / float64(n-j+1) // Σ_{i=1}^{j-1} 1/(N-i)
		g += cs / float64(j)
	}
	K := float64(k)
	a := (4*g-6)*(K-1) + (10-6*g)*H
	b := (2*g-4)*K*K + 8*h*K + (2*g-14*h-4)*H - 8*h + 4*g - 6
	c := (6*h+2*g-2)*K*K + (4*h-4*g+6)*K + (2*h-6)*H + 4*h
	d := (2*h+6)*K*K - 4*h*K
	v := (a*N*N*N + b*N*N + c*N + d) / ((N - 1) * (N - 2) * (N - 3))
	res := ADResult{A2: a2, Sigma: math.Sqrt(v)}
	res.T = (a2 - (K - 1)) / res.Sigma
	res.P, res.Capped = adPValue(res.T, K-1)
	return res, nil
}

// upper returns the index of the first element of sorted s greater than v.
func upper(s []float64, v float64) int {
	i, _ := slices.BinarySearchFunc(s, v, func(e, t float64) int {
		if e <= t {
			return -1
		}
		return 1
	})
	return i
}

// Scholz & Stephens (1987), Table 1 interpolation coefficients of the critical
// points of the standardised statistic at the levels adSig.
var (
	adSig = [7]float64{0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001}
	adB0  = [7]float64{0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085}
	adB1  = [7]float64{-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615}
	adB2  = [7]float64{-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154}
)

// adPValue fits log α = c0 + c1 t + c2 t² through the 7 critical points for m
// = k-1 degrees of freedom (least squares) and evaluates it at t.
func adPValue(t, m float64) (float64, bool) {
	X := mat.NewDense(7, 3, nil)
	y := mat.NewVecDense(7, nil)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range adSig {
		crit := adB0[i] + adB1[i]/math.Sqrt(m) + adB2[i]/m
		lo, hi = math.Min(lo, crit), math.Max(hi, crit)
		X.Set(i, 0, 1)
		X.Set(i, 1, crit)
		X.Set(i, 2, crit*crit)
		y.SetVec(i, math.Log(adSig[i]))
	}
	var coef mat.VecDense
	if err := coef.SolveVec(X, y); err != nil {
		return math.NaN(), true
	}
	p := math.Exp(coef.AtVec(0) + coef.AtVec(1)*t + coef.AtVec(2)*t*t)
	switch {
	case t < lo:
		return 0.25, true
	case t > hi:
		return 0.001, true
	}
	return math.Max(0.001, math.Min(0.25, p)), false
}

// Wasserstein1 is the first Wasserstein (earth mover's) distance between the
// empirical distributions of x and y: ∫ |F_x(t) - F_y(t)| dt
// (scipy.stats.wasserstein_distance without weights).
func Wasserstein1(x, y []float64) (float64, error) {
	a, b, err := sortedPair("Wasserstein1", x, y)
	if err != nil {
		return 0, err
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(a), b...)))
	n, m := float64(len(a)), float64(len(b))
	var w float64
	i, j := 0, 0
	for k := 0; k < len(all)-1; k++ {
		for i < len(a) && a[i] <= all[k] {
			i++
		}
		for j < len(b) && b[j] <= all[k] {
			j++
		}
		w += math.Abs(float64(i)/n-float64(j)/m) * (all[k+1] - all[k])
	}
	return w, nil
}

// PSIFloor is the share given to an empty bin in PSI, so that log(0) never
// occurs (a common choice; Siddiqi 2006, Credit Risk Scorecards, ch. 8, uses
// the same device).
const PSIFloor = 1e-4

// PSI is the population stability index of actual against expected over bins
// bounded by the expected sample's quantiles (bins equal-count in expected):
// Σ (a_i - e_i) ln(a_i / e_i) over the bins' shares (Siddiqi 2006). Rules of
// thumb: < 0.1 stable, 0.1–0.25 some shift, > 0.25 a significant shift.
func PSI(expected, actual []float64, bins int) (float64, error) {
	e, a, err := sortedPair("PSI", expected, actual)
	if err != nil {
		return 0, err
	}
	if bins < 2 {
		return 0, fmt.Errorf("stats: PSI needs at least 2 bins, got %d", bins)
	}
	// interior edges at the expected sample's quantiles (R type 7), duplicates removed
	var edges []float64
	for q := 1; q < bins; q++ {
		edges = append(edges, Quantile(float64(q)/float64(bins), e))
	}
	edges = slices.Compact(edges)
	return PSIBins(binShares(e, edges), binShares(a, edges)), nil
}

// PSIBins is the population stability index of two vectors of bin shares
// (each summing to 1); empty bins count as PSIFloor.
func PSIBins(expected, actual []float64) float64 {
	var s float64
	for i := range expected {
		e, a := math.Max(expected[i], PSIFloor), math.Max(actual[i], PSIFloor)
		s += (a - e) * math.Log(a/e)
	}
	return s
}

// binShares returns the share of sorted s in (-inf, e0], (e0, e1], ..., (e_last, inf).
func binShares(s []float64, edges []float64) []float64 {
	out := make([]float64, len(edges)+1)
	prev := 0
	for i, e := range edges {
		k := upper(s, e)
		out[i] = float64(k-prev) / float64(len(s))
		prev = k
	}
	out[len(edges)] = float64(len(s)-prev) / float64(len(s))
	return out
}

func sortedPair(name string, x, y []float64) ([]float64, []float64, error) {
	if len(x) == 0 || len(y) == 0 {
		return nil, nil, fmt.Errorf("stats: %s needs two non-empty samples, got %d and %d", name, len(x), len(y))
	}
	for _, s := range [][]float64{x, y} {
		for _, v := range s {
			if math.IsNaN(v) {
				return nil, nil, fmt.Errorf("stats: %s: a sample has a NaN", name)
			}
		}
	}
	return sortedView(x), sortedView(y), nil
}

// sortedView returns s itself when already sorted (callers that compare one
// reference with many samples sort it once), else a sorted copy.
func sortedView(s []float64) []float64 {
	if slices.IsSorted(s) {
		return s
	}
	return slices.Sorted(slices.Values(s))
}
