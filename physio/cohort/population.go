package cohort

import (
	"fmt"
	"math"

	"github.com/medtwin/medtwin/engine/rng"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Covariate is one covariate's marginal distribution. Continuous covariates are
// "normal" (Mean, SD) or "lognormal" (Median, Sigma on the log scale); "bernoulli"
// takes P (sex: P(female)). Min and Max truncate (a subject outside is redrawn).
type Covariate struct {
	Name   string
	Dist   string
	Mean   float64
	SD     float64
	Median float64
	Sigma  float64
	P      float64
	Min    float64
	Max    float64
}

// Population is a set of covariates whose dependence is a Gaussian copula with
// the given correlation matrix (nil: independent).
type Population struct {
	Covariates  []Covariate
	Correlation *mat.SymDense
	chol        *mat.TriDense // Cholesky factor of cholOf, cached by Validate
	cholOf      *mat.SymDense // the matrix chol was computed from
}

// positive lists covariates that can only be positive: a distribution that
// allows zero or less for them is rejected before any subject is drawn.
var positive = map[string]bool{"weight_kg": true, "height_cm": true, "scr_mg_dl": true, "age_y": false}

// Validate checks the population before any subject runs. A population
// with no covariates is valid: its subjects are alike but for their
// inter-individual variability (mrgsolve's and rxode2's IIV-only cohort).
func (p *Population) Validate() error {
	for i, c := range p.Covariates {
		where := fmt.Sprintf("cohort: covariate %d (%s)", i+1, c.Name)
		switch c.Dist {
		case "normal":
			if !(c.SD > 0) {
				return fmt.Errorf("%s: a normal needs sd > 0, got %v", where, c.SD)
			}
			if positive[c.Name] && !(c.Min > 0) {
				return fmt.Errorf("%s: %s must be > 0 but a normal can give values <= 0: set min > 0", where, c.Name)
			}
		case "lognormal":
			if !(c.Median > 0) || c.Sigma < 0 {
				return fmt.Errorf("%s: a lognormal needs median > 0 and sigma >= 0", where)
			}
		case "bernoulli":
			if !(c.P >= 0 && c.P <= 1) {
				return fmt.Errorf("%s: p must be in [0, 1], got %v", where, c.P)
			}
		default:
			return fmt.Errorf("%s: unknown distribution %q (normal, lognormal, bernoulli)", where, c.Dist)
		}
		if c.Max != 0 && c.Max <= c.Min {
			return fmt.Errorf("%s: max %v is not above min %v", where, c.Max, c.Min)
		}
	}
	n := len(p.Covariates)
	if p.Correlation != nil {
		if p.Correlation.SymmetricDim() != n {
			return fmt.Errorf("cohort: the correlation matrix is %d×%d for %d covariates", p.Correlation.SymmetricDim(), p.Correlation.SymmetricDim(), n)
		}
		for i := 0; i < n; i++ {
			if p.Correlation.At(i, i) != 1 {
				return fmt.Errorf("cohort: correlation diagonal entry %d is %v, want 1", i+1, p.Correlation.At(i, i))
			}
		}
		l, err := cholesky(p.Correlation)
		if err != nil {
			return err
		}
		p.chol, p.cholOf = l, p.Correlation
	}
	return nil
}

// cholesky returns the lower Cholesky factor of a correlation matrix.
func cholesky(c *mat.SymDense) (*mat.TriDense, error) {
	var ch mat.Cholesky
	if !ch.Factorize(c) {
		return nil, fmt.Errorf("cohort: the correlation matrix is not positive definite")
	}
	l := &mat.TriDense{}
	ch.LTo(l)
	return l, nil
}

// factor returns the Cholesky factor of the population's correlation (nil:
// independent covariates): the one Validate cached when it was made from the
// current matrix, else a new one. Sample does not depend on Validate having
// been called, and never writes to p, so that subjects can be drawn in parallel.
func (p *Population) factor() (*mat.TriDense, error) {
	if p.Correlation == nil {
		return nil, nil
	}
	if p.chol != nil && p.cholOf == p.Correlation {
		return p.chol, nil
	}
	if n := len(p.Covariates); p.Correlation.SymmetricDim() != n {
		return nil, fmt.Errorf("cohort: the correlation matrix is %d×%d for %d covariates", p.Correlation.SymmetricDim(), p.Correlation.SymmetricDim(), n)
	}
	return cholesky(p.Correlation)
}

// Sample draws subject id's covariates from its own stream (seed, "subject", id)
// into dst (len(Covariates)), correlated as Correlation says whether or not
// Validate was called. Truncated draws are repeated, up to 10000 times.
func (p *Population) Sample(seed uint64, id uint64, dst []float64) error {
	chol, err := p.factor()
	if err != nil {
		return err
	}
	st := rng.New(seed, 0, "subject", id)
	n := len(p.Covariates)
	z := make([]float64, n)
	u := make([]float64, n)
	for attempt := 0; attempt < 10000; attempt++ {
		for i := range u {
			u[i] = st.Normal(0, 1)
		}
		for i := 0; i < n; i++ {
			if chol == nil {
				z[i] = u[i]
				continue
			}
			s := 0.0
			for j := 0; j <= i; j++ {
				s += chol.At(i, j) * u[j]
			}
			z[i] = s
		}
		ok := true
		for i, c := range p.Covariates {
			var v float64
			switch c.Dist {
			case "normal":
				v = c.Mean + c.SD*z[i]
			case "lognormal":
				v = c.Median * math.Exp(c.Sigma*z[i])
			case "bernoulli":
				if distuv.UnitNormal.CDF(z[i]) < c.P {
					v = 1
				}
			}
			if c.Dist != "bernoulli" && (v < c.Min || (c.Max != 0 && v > c.Max)) {
				ok = false
				break
			}
			dst[i] = v
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("cohort: subject %d: no draw within the truncation bounds in 10000 tries", id)
}
