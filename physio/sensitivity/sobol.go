// Package sensitivity computes global sensitivity indices by Monte Carlo: Sobol
// first-order and total-effect indices with the Saltelli sampling design, the
// first-order estimator of Saltelli et al. 2010 (Comput Phys Commun 181:259,
// Table 2 (b)) and the total-effect estimator of Jansen 1999 (Table 2 (f)), with
// bootstrap confidence intervals. Inputs are independent and uniform on their
// ranges; the model is any function of them.
package sensitivity

import (
	"fmt"
	"math"
	"sort"

	"github.com/medtwin/medtwin/engine/rng"
	"github.com/medtwin/medtwin/engine/stats"
)

// Input is one uncertain input, uniform on [Low, High].
type Input struct {
	Name      string
	Low, High float64
}

// Index is one input's first-order (S) and total-effect (ST) index with 95%
// bootstrap intervals.
type Index struct {
	Name              string
	S, SLow, SHigh    float64
	ST, STLow, STHigh float64
}

// Result is a Sobol analysis.
type Result struct {
	Indices     []Index
	Mean, Var   float64 // of the output over the A and B samples
	Evaluations int
}

// Sobol evaluates f at N·(k+2) points (matrices A, B and A_B^i, Saltelli 2010)
// and returns the indices, with boot bootstrap resamples for the intervals (0:
// none). The points are drawn from the stream (seed, "sobol").
func Sobol(inputs []Input, n int, seed uint64, f func(x []float64) (float64, error), boot int) (*Result, error) {
	k := len(inputs)
	if k == 0 || n < 10 {
		return nil, fmt.Errorf("sensitivity: need at least one input and N >= 10 samples")
	}
	for _, in := range inputs {
		if !(in.High > in.Low) {
			return nil, fmt.Errorf("sensitivity: input %s: high %v must exceed low %v", in.Name, in.High, in.Low)
		}
	}
	st := rng.New(seed, 0, "sobol", 0)
	draw := func() []float64 {
		x := make([]float64, k)
		for j, in := range inputs {
			x[j] = in.Low + (in.High-in.Low)*st.Float64()
		}
		return x
	}
	a, b := make([][]float64, n), make([][]float64, n)
	for r := 0; r < n; r++ {
		a[r], b[r] = draw(), draw()
	}
	fa, fb := make([]float64, n), make([]float64, n)
	fab := make([][]float64, k)
	f0 := f
	f = func(x []float64) (float64, error) {
		v, err := f0(x)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			err = fmt.Errorf("sensitivity: the output is %v at %v (a KPI with no observation? check the warm-up and horizon)", v, x)
		}
		return v, err
	}
	for r := 0; r < n; r++ {
		var err error
		if fa[r], err = f(a[r]); err != nil {
			return nil, err
		}
		if fb[r], err = f(b[r]); err != nil {
			return nil, err
		}
	}
	x := make([]float64, k)
	for i := 0; i < k; i++ {
		fab[i] = make([]float64, n)
		for r := 0; r < n; r++ {
			copy(x, a[r])
			x[i] = b[r][i] // A with column i from B
			v, err := f(x)
			if err != nil {
				return nil, err
			}
			fab[i][r] = v
		}
	}
	idx := func(rows []int) ([]float64, []float64, float64, float64) {
		m := float64(len(rows))
		mean, sq := 0.0, 0.0
		for _, r := range rows {
			mean += fa[r] + fb[r]
		}
		mean /= 2 * m
		for _, r := range rows {
			sq += (fa[r]-mean)*(fa[r]-mean) + (fb[r]-mean)*(fb[r]-mean)
		}
		variance := sq / (2*m - 1)
		s, stt := make([]float64, k), make([]float64, k)
		for i := 0; i < k; i++ {
			vi, vti := 0.0, 0.0
			for _, r := range rows {
				vi += fb[r] * (fab[i][r] - fa[r])
				d := fa[r] - fab[i][r]
				vti += d * d
			}
			s[i] = vi / m / variance
			stt[i] = vti / (2 * m) / variance
		}
		return s, stt, mean, variance
	}
	all := make([]int, n)
	for r := range all {
		all[r] = r
	}
	s, stt, mean, variance := idx(all)
	res := &Result{Mean: mean, Var: variance, Evaluations: n * (k + 2)}
	// bootstrap: resample rows with replacement
	bs, bst := make([][]float64, k), make([][]float64, k)
	bt := rng.New(seed, 0, "sobol-bootstrap", 0)
	rows := make([]int, n)
	for rep := 0; rep < boot; rep++ {
		for r := range rows {
			rows[r] = bt.IntN(n)
		}
		s2, st2, _, _ := idx(rows)
		for i := 0; i < k; i++ {
			bs[i] = append(bs[i], s2[i])
			bst[i] = append(bst[i], st2[i])
		}
	}
	q := func(v []float64, p float64) float64 {
		sort.Float64s(v)
		return stats.Quantile(p, v) // NaN if empty
	}
	for i, in := range inputs {
		res.Indices = append(res.Indices, Index{Name: in.Name, S: s[i], SLow: q(bs[i], 0.025), SHigh: q(bs[i], 0.975),
			ST: stt[i], STLow: q(bst[i], 0.025), STHigh: q(bst[i], 0.975)})
	}
	return res, nil
}

// Ishigami is the test function of Ishigami & Homma 1990: sin x1 + a sin² x2 +
// b x3⁴ sin x1 with a = 7, b = 0.1, inputs uniform on [−π, π].
func Ishigami(x []float64) (float64, error) {
	const a, b = 7, 0.1
	return math.Sin(x[0]) + a*math.Sin(x[1])*math.Sin(x[1]) + b*math.Pow(x[2], 4)*math.Sin(x[0]), nil
}

// IshigamiIndices returns the analytic first-order and total indices of the
// Ishigami function (a = 7, b = 0.1; Sobol' & Levitan 1999; Saltelli et al. 2008,
// Global Sensitivity Analysis: The Primer, §4.8): V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2,
// V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V3 = 0, V13 = 8b²π⁸/225.
func IshigamiIndices() (s, st [3]float64) {
	const a, b = 7.0, 0.1
	p4, p8 := math.Pow(math.Pi, 4), math.Pow(math.Pi, 8)
	v := a*a/8 + b*p4/5 + b*b*p8/18 + 0.5
	v1 := 0.5 * (1 + b*p4/5) * (1 + b*p4/5)
	v2 := a * a / 8
	v13 := 8 * b * b * p8 / 225
	return [3]float64{v1 / v, v2 / v, 0}, [3]float64{(v1 + v13) / v, v2 / v, v13 / v}
}

// IshigamiInputs are the three inputs on [−π, π].
var IshigamiInputs = []Input{{"x1", -math.Pi, math.Pi}, {"x2", -math.Pi, math.Pi}, {"x3", -math.Pi, math.Pi}}
