package pd

import (
	"math"
	"testing"
)

func TestEmax(t *testing.T) {
	m := Emax{E0: 10, Emax: 80, EC50: 4}
	if e := m.Effect(4); math.Abs(e-50) > 1e-12 {
		t.Fatalf("E(EC50) = %v, want E0 + Emax/2 = 50", e)
	}
	s := Emax{E0: 0, Emax: 1, EC50: 2, Hill: 3}
	// C = EC50·3^(1/h) gives C^h/(EC50^h + C^h) = 3/4
	if e := s.Effect(2 * math.Cbrt(3)); math.Abs(e-0.75) > 1e-12 {
		t.Fatalf("sigmoid: %v, want 0.75", e)
	}
}

// Effect compartment after a 1-compartment bolus: Ce = D/V·ke0/(ke0 − k)·(e^{−kt} − e^{−ke0·t}).
func TestEffectSiteClosedForm(t *testing.T) {
	const d, v, k, ke0 = 100.0, 50.0, 0.1, 0.7
	conc := func(t float64) float64 { return d / v * math.Exp(-k*t) }
	times := []float64{0.5, 1, 2, 5, 10, 24}
	ce, err := EffectSite(conc, ke0, 0, times)
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range times {
		want := d / v * ke0 / (ke0 - k) * (math.Exp(-k*tt) - math.Exp(-ke0*tt))
		if math.Abs(ce[i]-want) > 1e-8*want {
			t.Errorf("t=%v: %v, want %v", tt, ce[i], want)
		}
	}
}

// At a constant concentration each indirect model settles at its closed-form
// steady state (Dayneka et al. 1993, Table I); without drug it stays at R0.
func TestIndirectSteadyStates(t *testing.T) {
	for typ := InhibitKin; typ <= StimulateKout; typ++ {
		m := Indirect{Type: typ, Kin: 10, Kout: 0.5, Max: 0.8, C50: 2}
		r, err := m.Simulate(func(float64) float64 { return 3 }, 0, 0, []float64{0, 100})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(r[1]-m.SteadyState(3)) > 1e-6*m.SteadyState(3) {
			t.Errorf("type %d: %v, want %v", typ, r[1], m.SteadyState(3))
		}
		r0, _ := m.Simulate(func(float64) float64 { return 0 }, 0, 0, []float64{50})
		if math.Abs(r0[0]-20) > 1e-9 {
			t.Errorf("type %d without drug: %v, want R0 = 20", typ, r0[0])
		}
	}
	if err := (Indirect{Type: InhibitKin, Kin: 1, Kout: 1, Max: 1.5, C50: 1}).Validate(); err == nil {
		t.Fatal("Imax 1.5 accepted")
	}
}
