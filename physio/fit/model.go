package fit

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Relation is how a covariate scales a typical value.
type Relation int

const (
	// Power: (cov/ref)^coef (allometry: coef 0.75 on clearances, 1 on volumes;
	// Holford 1996 / Anderson & Holford 2008).
	Power Relation = iota
	// Exponential: exp(coef·(cov − ref)).
	Exponential
	// Linear: 1 + coef·(cov − ref).
	Linear
)

// ParseRelation reads "power", "exponential" (or "exp") and "linear".
func ParseRelation(s string) (Relation, error) {
	switch strings.ToLower(s) {
	case "power", "":
		return Power, nil
	case "exponential", "exp":
		return Exponential, nil
	case "linear", "lin":
		return Linear, nil
	}
	return 0, fmt.Errorf("fit: covariate relation %q: want power, exponential or linear", s)
}

// CovariateEffect scales a parameter's typical value by a covariate.
type CovariateEffect struct {
	Covariate string // the data-set column (any case)
	Relation  Relation
	Ref       float64 // reference value (power: > 0)
	Coef      float64 // exponent or slope
}

func (c CovariateEffect) factor(v float64) float64 {
	switch c.Relation {
	case Exponential:
		return math.Exp(c.Coef * (v - c.Ref))
	case Linear:
		return 1 + c.Coef*(v-c.Ref)
	}
	return math.Pow(v/c.Ref, c.Coef)
}

// EtaModel is how an η enters a parameter.
type EtaModel int

const (
	// EtaExp: P = TV·exp(η) (log-normal; the usual choice).
	EtaExp EtaModel = iota
	// EtaAdd: P = TV + η.
	EtaAdd
	// EtaProp: P = TV·(1 + η).
	EtaProp
)

// Param is one structural parameter's statistical model.
type Param struct {
	Name       string  // the structure's parameter name (upper case)
	Typical    float64 // θ: the typical value at the covariates' reference values
	Eta        string  // the η acting on it ("": none); several parameters may share one
	EtaModel   EtaModel
	Covariates []CovariateEffect
}

// ErrorKind is the residual error model.
type ErrorKind int

const (
	// Additive: sd = Add.
	Additive ErrorKind = iota
	// Proportional: sd = Prop·f.
	Proportional
	// Combined: sd = sqrt(Add² + Prop²·f²).
	Combined
	// ExponentialError: log y = log f + ε, sd(ε) = Add (on the log scale).
	ExponentialError
)

// ParseErrorKind reads "additive", "proportional", "combined", "exponential".
func ParseErrorKind(s string) (ErrorKind, error) {
	switch strings.ToLower(s) {
	case "additive", "add":
		return Additive, nil
	case "proportional", "prop":
		return Proportional, nil
	case "combined":
		return Combined, nil
	case "exponential", "exp", "log":
		return ExponentialError, nil
	}
	return 0, fmt.Errorf("fit: residual error %q: want additive, proportional, combined or exponential", s)
}

// ErrorModel is the residual error: standard deviations (not variances).
type ErrorModel struct {
	Kind ErrorKind
	Add  float64 // mg/L (additive, combined) or log-scale SD (exponential)
	Prop float64 // fraction (proportional, combined)
}

// sd returns the residual SD at prediction f (on the log scale for
// exponential error).
func (e ErrorModel) sd(f float64) float64 {
	switch e.Kind {
	case Proportional:
		return e.Prop * math.Abs(f)
	case Combined:
		return math.Sqrt(e.Add*e.Add + e.Prop*e.Prop*f*f)
	}
	return e.Add
}

// Model is a statistical model over a structure: each parameter's typical
// value and covariate effects, the η with covariance Omega (full, in Etas
// order) and the residual error.
type Model struct {
	Structure Structure
	Params    []Param
	Etas      []string
	Omega     *mat.SymDense
	Error     ErrorModel

	// filled by Check
	omegaInv *mat.SymDense
	logDetOm float64
	pidx     []int // Structure parameter index -> Params index (-1: default 0)
	eidx     []int // Params index -> Etas index (-1: none)
	chol     mat.Cholesky
	cidx     [][]int // Params index -> data-set covariate index per effect
}

// Check validates the model (names, Ω positive definite, error SDs) and
// prepares it; call it before fitting. covariates are the data set's columns.
func (m *Model) Check(covariates []string) error {
	if m.Structure == nil {
		return fmt.Errorf("fit: the model has no structure")
	}
	names := m.Structure.ParamNames()
	m.pidx = make([]int, len(names))
	for i := range m.pidx {
		m.pidx[i] = -1
	}
	m.eidx = make([]int, len(m.Params))
	m.cidx = m.cidx[:0]
	for j, p := range m.Params {
		found := false
		for i, n := range names {
			if strings.EqualFold(n, p.Name) {
				if m.pidx[i] >= 0 {
					return fmt.Errorf("fit: parameter %s is given twice", n)
				}
				m.pidx[i], found = j, true
			}
		}
		if !found {
			return fmt.Errorf("fit: the model has no parameter %s (it has %s)", p.Name, strings.Join(names, ", "))
		}
		if math.IsNaN(p.Typical) || math.IsInf(p.Typical, 0) {
			return fmt.Errorf("fit: parameter %s: typical value %v is not finite", p.Name, p.Typical)
		}
		m.eidx[j] = -1
		if p.Eta != "" {
			for k, e := range m.Etas {
				if e == p.Eta {
					m.eidx[j] = k
				}
			}
			if m.eidx[j] < 0 {
				return fmt.Errorf("fit: parameter %s: η %q is not in omega (it has %s)", p.Name, p.Eta, strings.Join(m.Etas, ", "))
			}
		}
		m.cidx = append(m.cidx, nil)
		for _, c := range p.Covariates {
			ok := false
			for ci, n := range covariates {
				if strings.EqualFold(n, c.Covariate) {
					ok = true
					m.cidx[j] = append(m.cidx[j], ci)
					break
				}
			}
			if !ok {
				return fmt.Errorf("fit: parameter %s: covariate %s is not a column of the data set (it has %s)", p.Name, c.Covariate, strings.Join(covariates, ", "))
			}
			if c.Relation == Power && !(c.Ref > 0) {
				return fmt.Errorf("fit: parameter %s: a power relation on %s needs ref > 0, got %v", p.Name, c.Covariate, c.Ref)
			}
		}
	}
	for i, n := range names {
		if m.pidx[i] < 0 && m.Structure.Required(i) {
			return fmt.Errorf("fit: parameter %s needs a typical value", n)
		}
	}
	k := len(m.Etas)
	if k == 0 {
		return fmt.Errorf("fit: the model has no η (omega is empty): there is nothing to individualise")
	}
	if m.Omega == nil || m.Omega.SymmetricDim() != k {
		return fmt.Errorf("fit: omega must be %d×%d (one row per η)", k, k)
	}
	if !m.chol.Factorize(m.Omega) {
		return fmt.Errorf("fit: omega is not positive definite")
	}
	m.omegaInv = mat.NewSymDense(k, nil)
	if err := m.chol.InverseTo(m.omegaInv); err != nil {
		return fmt.Errorf("fit: omega cannot be inverted: %v", err)
	}
	m.logDetOm = m.chol.LogDet()
	e := m.Error
	switch {
	case e.Kind == Additive && !(e.Add > 0), e.Kind == ExponentialError && !(e.Add > 0):
		return fmt.Errorf("fit: the residual error needs an SD > 0, got %v", e.Add)
	case e.Kind == Proportional && !(e.Prop > 0):
		return fmt.Errorf("fit: a proportional residual error needs prop > 0, got %v", e.Prop)
	case e.Kind == Combined && (!(e.Add > 0) || !(e.Prop >= 0)):
		return fmt.Errorf("fit: a combined residual error needs add > 0 and prop >= 0, got %v and %v", e.Add, e.Prop)
	}
	return nil
}

// Individual writes the structure's parameters for covariates cov (in the
// order of the covariates given to Check) and η (nil: the typical values) into
// out (len(Structure.ParamNames())).
func (m *Model) Individual(cov []float64, eta, out []float64) {
	for i := range out {
		j := m.pidx[i]
		if j < 0 {
			out[i] = 0
			continue
		}
		p := m.Params[j]
		v := p.Typical
		for k, c := range p.Covariates {
			v *= c.factor(cov[m.cidx[j][k]])
		}
		if e := m.eidx[j]; e >= 0 && eta != nil {
			switch p.EtaModel {
			case EtaAdd:
				v += eta[e]
			case EtaProp:
				v *= 1 + eta[e]
			default:
				v *= math.Exp(eta[e])
			}
		}
		out[i] = v
	}
}
