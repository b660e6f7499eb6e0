package pk

import (
	"fmt"
	"math"
	"sort"
)

// CockcroftGault returns creatinine clearance in mL/min from age (years),
// weight (kg), serum creatinine (mg/dL) and sex (Cockcroft & Gault 1976,
// Nephron 16:31–41): (140 − age)·weight / (72·SCr), times 0.85 for women.
func CockcroftGault(ageY, weightKg, scrMgDL float64, female bool) (float64, error) {
	if !(ageY >= 0 && ageY < 130) || !(weightKg > 0) || !(scrMgDL > 0) {
		return 0, fmt.Errorf("pk: Cockcroft–Gault needs age in [0, 130) y, weight > 0 kg and creatinine > 0 mg/dL; got %v, %v, %v", ageY, weightKg, scrMgDL)
	}
	c := (140 - ageY) * weightKg / (72 * scrMgDL)
	if female {
		c *= 0.85
	}
	return c, nil
}

// Allometric scales a typical value to a body weight: value·(weight/ref)^exponent,
// the usual 0.75 for clearances and 1 for volumes (Anderson & Holford 2008,
// Annu Rev Pharmacol Toxicol 48:303).
func Allometric(value, weightKg, refKg, exponent float64) float64 {
	return value * math.Pow(weightKg/refKg, exponent)
}

// Interp is how a time-varying covariate is read between observations.
type Interp int

const (
	// LOCF carries the last observation forward (NONMEM's default for covariates
	// on records: the value holds from its time until the next one).
	LOCF Interp = iota
	// NOCB carries the next observation backward.
	NOCB
	// Linear interpolates between observations (constant beyond the ends).
	Linear
)

// Series is a time-varying covariate of one subject: observations at Times
// (ascending, hours) read with the declared interpolation.
type Series struct {
	Name   string
	Times  []float64
	Values []float64
	Interp Interp
}

// Check validates the series; subject names the subject in errors.
func (s Series) Check(subject string) error {
	if len(s.Times) == 0 {
		return fmt.Errorf("pk: subject %s: covariate %s is missing (no observation)", subject, s.Name)
	}
	if len(s.Times) != len(s.Values) {
		return fmt.Errorf("pk: subject %s: covariate %s has %d times but %d values", subject, s.Name, len(s.Times), len(s.Values))
	}
	for i := range s.Times {
		if math.IsNaN(s.Values[i]) {
			return fmt.Errorf("pk: subject %s: covariate %s is missing at t=%g h", subject, s.Name, s.Times[i])
		}
		if i > 0 && !(s.Times[i] > s.Times[i-1]) {
			return fmt.Errorf("pk: subject %s: covariate %s times are not ascending at entry %d", subject, s.Name, i+1)
		}
	}
	return nil
}

// At returns the covariate at time t.
func (s Series) At(t float64) float64 {
	n := len(s.Times)
	i := sort.SearchFloat64s(s.Times, t) // first index with Times[i] >= t
	if i < n && s.Times[i] == t {
		return s.Values[i]
	}
	switch s.Interp {
	case NOCB:
		if i >= n {
			return s.Values[n-1]
		}
		return s.Values[i]
	case Linear:
		if i == 0 {
			return s.Values[0]
		}
		if i >= n {
			return s.Values[n-1]
		}
		w := (t - s.Times[i-1]) / (s.Times[i] - s.Times[i-1])
		return s.Values[i-1] + w*(s.Values[i]-s.Values[i-1])
	default: // LOCF
		if i == 0 {
			return s.Values[0]
		}
		return s.Values[i-1]
	}
}
