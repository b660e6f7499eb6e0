package models

import (
	"math"
	"strings"
	"testing"
)

// Michaelis–Menten elimination in the Lua-facing pk model: an IV bolus into
// one compartment follows C = KM·W((C0/KM)·exp((C0 − Vm·t)/KM)), Vm = VMax/V
// (Lambert W by Halley's iteration here, independent of physio/pk).
func TestPKMichaelisMentenClosedForm(t *testing.T) {
	m, err := New("pk", map[string]float64{"cl": 0, "v1": 50, "vmax": 30, "km": 4})
	if err != nil {
		t.Fatal(err)
	}
	w := func(x float64) float64 {
		v := math.Log1p(x)
		for i := 0; i < 100; i++ {
			e := math.Exp(v)
			f := v*e - x
			d := f / (e*(v+1) - (v+2)*f/(2*v+2))
			v -= d
			if math.Abs(d) < 1e-15*(1+math.Abs(v)) {
				break
			}
		}
		return v
	}
	times := []float64{1, 6, 24, 48}
	ys := solve(t, m, []float64{0, 1000, 0, 0}, times)
	for i, tt := range times {
		got, _ := m.Output("conc_mg_l", tt, ys[i])
		want := 4 * w(20.0/4*math.Exp((20-0.6*tt)/4))
		if math.Abs(got-want) > 1e-6*want {
			t.Errorf("t = %v h: %v, closed form %v", tt, got, want)
		}
	}
}

// vmax without km is refused by New; Set keeps the old value when a change
// would break the model.
func TestPKValidation(t *testing.T) {
	if _, err := New("pk", map[string]float64{"vmax": 10}); err == nil || !strings.Contains(err.Error(), "km > 0") {
		t.Errorf("vmax without km: %v", err)
	}
	if _, err := New("pk", map[string]float64{"v1": 0}); err == nil || !strings.Contains(err.Error(), "v1") {
		t.Errorf("v1 = 0: %v", err)
	}
	m, _ := New("pk", map[string]float64{"vmax": 10, "km": 4})
	if err := m.Set("km", 0); err == nil {
		t.Error("km = 0 accepted while vmax > 0")
	}
	if err := m.Set("vmax", 0); err != nil {
		t.Fatal(err)
	}
	if err := m.Set("km", 0); err != nil {
		t.Errorf("km = 0 with a linear model: %v", err)
	}
}
