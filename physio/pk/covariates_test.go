package pk

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Worked example from Cockcroft & Gault 1976: a 40-year-old 72 kg man with
// SCr 1.0 mg/dL has (140−40)·72/(72·1) = 100 mL/min; a woman 85 mL/min.
func TestCockcroftGault(t *testing.T) {
	m, _ := CockcroftGault(40, 72, 1, false)
	f, _ := CockcroftGault(40, 72, 1, true)
	if math.Abs(m-100) > 1e-12 || math.Abs(f-85) > 1e-12 {
		t.Fatalf("%v %v", m, f)
	}
	if _, err := CockcroftGault(40, 0, 1, false); err == nil {
		t.Fatal("weight 0 accepted")
	}
}

func TestSeriesInterpolation(t *testing.T) {
	s := Series{Name: "SCR", Times: []float64{0, 24, 48}, Values: []float64{1, 2, 4}}
	for _, c := range []struct {
		interp Interp
		t, v   float64
	}{{LOCF, 12, 1}, {LOCF, 24, 2}, {LOCF, 100, 4}, {NOCB, 12, 2}, {NOCB, -5, 1}, {Linear, 12, 1.5}, {Linear, 36, 3}, {Linear, 60, 4}} {
		s.Interp = c.interp
		if got := s.At(c.t); got != c.v {
			t.Errorf("interp %v at %v: %v, want %v", c.interp, c.t, got, c.v)
		}
	}
	if err := (Series{Name: "WT"}).Check("17"); err == nil || !strings.Contains(err.Error(), "subject 17: covariate WT is missing") {
		t.Fatalf("%v", err)
	}
}

// Sample covariance of η must match Ω (standard error of a variance estimate
// from n draws is about var·sqrt(2/n)).
func TestIIVCovariance(t *testing.T) {
	corr := mat.NewSymDense(2, []float64{1, 0.6, 0.6, 1})
	v, err := NewIIVCorr([]string{"CL", "V"}, []float64{0.3, 0.2}, corr)
	if err != nil {
		t.Fatal(err)
	}
	src := rand.NewPCG(1, 2)
	const n = 100000
	var s00, s11, s01 float64
	eta := make([]float64, 2)
	for i := 0; i < n; i++ {
		v.Eta(src, eta)
		s00 += eta[0] * eta[0]
		s11 += eta[1] * eta[1]
		s01 += eta[0] * eta[1]
	}
	for name, c := range map[string][2]float64{"var CL": {s00 / n, 0.09}, "var V": {s11 / n, 0.04}, "cov": {s01 / n, 0.6 * 0.3 * 0.2}} {
		if math.Abs(c[0]-c[1]) > 5*0.09*math.Sqrt(2.0/n) {
			t.Errorf("%s: %v, want %v", name, c[0], c[1])
		}
	}
	bad := mat.NewSymDense(2, []float64{1, 1.5, 1.5, 1})
	if _, err := NewIIVCorr([]string{"CL", "V"}, []float64{0.3, 0.2}, bad); err == nil {
		t.Fatal("a correlation of 1.5 was accepted")
	}
	notPD := mat.NewSymDense(3, []float64{1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1})
	if _, err := NewIIVCorr([]string{"a", "b", "c"}, []float64{1, 1, 1}, notPD); err == nil || !strings.Contains(err.Error(), "not positive definite") {
		t.Fatalf("not positive definite: %v", err)
	}
}

func TestResidualError(t *testing.T) {
	e := Residual{Add: 0.5, Prop: 0.1}
	src := rand.NewPCG(3, 4)
	const n, f = 200000, 20.0
	var s, ss float64
	for i := 0; i < n; i++ {
		y := e.Observe(f, src)
		s += y
		ss += y * y
	}
	mean := s / n
	sd := math.Sqrt(ss/n - mean*mean)
	if math.Abs(mean-f) > 5*e.SD(f)/math.Sqrt(n) || math.Abs(sd-e.SD(f)) > 0.02*e.SD(f) {
		t.Fatalf("mean %v sd %v, want %v and %v", mean, sd, f, e.SD(f))
	}
}
