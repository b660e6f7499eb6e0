package pk

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"
)

// IIV is log-normal inter-individual variability: η ~ N(0, Ω) and each
// individual parameter is θ·exp(η), as in NONMEM's exponential model.
type IIV struct {
	Names []string
	// Omega is the covariance matrix of η (variances on the diagonal: an SD of
	// 0.3 on the log scale is a variance of 0.09, about 30% CV).
	Omega *mat.SymDense
	l     mat.TriDense // Cholesky factor: Ω = L·Lᵀ
}

// NewIIV builds the distribution; a covariance matrix that is not positive
// definite is an error.
func NewIIV(names []string, omega *mat.SymDense) (*IIV, error) {
	if omega == nil || omega.SymmetricDim() != len(names) {
		return nil, fmt.Errorf("pk: IIV: Omega must be %d×%d for %v", len(names), len(names), names)
	}
	for i := 0; i < len(names); i++ {
		if v := omega.At(i, i); !(v >= 0) {
			return nil, fmt.Errorf("pk: IIV: variance of %s is %v, want >= 0", names[i], v)
		}
	}
	if _, ok := distmv.NewNormal(make([]float64, len(names)), omega, nil); !ok {
		return nil, fmt.Errorf("pk: IIV: the covariance (correlation) matrix of %v is not positive definite", names)
	}
	v := &IIV{Names: names, Omega: omega}
	var chol mat.Cholesky
	chol.Factorize(omega) // succeeds: distmv accepted the matrix
	chol.LTo(&v.l)
	return v, nil
}

// NewIIVCorr builds Ω from standard deviations and a correlation matrix.
func NewIIVCorr(names []string, sd []float64, corr *mat.SymDense) (*IIV, error) {
	n := len(names)
	if len(sd) != n || corr == nil || corr.SymmetricDim() != n {
		return nil, fmt.Errorf("pk: IIV: need %d standard deviations and a %d×%d correlation matrix", n, n, n)
	}
	om := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		if corr.At(i, i) != 1 {
			return nil, fmt.Errorf("pk: IIV: correlation matrix diagonal entry %d is %v, want 1", i+1, corr.At(i, i))
		}
		for j := i; j < n; j++ {
			r := corr.At(i, j)
			if math.Abs(r) > 1 {
				return nil, fmt.Errorf("pk: IIV: correlation %d,%d is %v, outside [-1, 1]", i+1, j+1, r)
			}
			om.SetSym(i, j, r*sd[i]*sd[j])
		}
	}
	return NewIIV(names, om)
}

// Eta draws one individual's η from src into dst (len(Names)): η = L·z with
// z standard normal.
func (v *IIV) Eta(src rand.Source, dst []float64) {
	r := rand.New(src)
	var zbuf [16]float64
	z := zbuf[:0]
	for range dst {
		z = append(z, r.NormFloat64())
	}
	for i := range dst {
		s := 0.0
		for j := 0; j <= i; j++ {
			s += v.l.At(i, j) * z[j]
		}
		dst[i] = s
	}
}

// Residual is the residual error model of observations: additive (SD Add, mg/L),
// proportional (SD Prop, a fraction) or both (combined): y = f·(1 + εp) + εa.
type Residual struct {
	Add, Prop float64
}

// Observe returns a noisy observation of the prediction f drawn with src.
func (e Residual) Observe(f float64, src rand.Source) float64 {
	r := rand.New(src)
	return f*(1+e.Prop*r.NormFloat64()) + e.Add*r.NormFloat64()
}

// SD returns the standard deviation of an observation of f.
func (e Residual) SD(f float64) float64 { return math.Sqrt(e.Add*e.Add + e.Prop*e.Prop*f*f) }
