package models

import (
	"math"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/ode"
)

func solve(t *testing.T, m Model, y0 []float64, times []float64) [][]float64 {
	t.Helper()
	sol, err := ode.Solve(m.Deriv, 0, y0, times, ode.Options{RTol: 1e-10, ATol: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	return sol.Y
}

// Goti 2018: at the reference covariates the model returns the published
// typical values; at steady state the AUC over a day equals the daily dose over
// CL (mass balance).
func TestVancomycin(t *testing.T) {
	m, err := New("vancomycin", nil)
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := m.Output("cl_l_h", 0, nil)
	v1, _ := m.Output("v1_l", 0, nil)
	if cl != 4.5 || v1 != 58.4 {
		t.Fatalf("typical CL %v V1 %v, want 4.5 and 58.4 (Goti 2018)", cl, v1)
	}
	d, _ := New("vancomycin", map[string]float64{"dial": 1, "crcl": 60, "wt": 90})
	cl, _ = d.Output("cl_l_h", 0, nil)
	if want := 4.5 * math.Pow(0.5, 0.8) * 0.7; math.Abs(cl-want) > 1e-12 {
		t.Fatalf("dialysis CL %v, want %v", cl, want)
	}
	// 1000 mg over 1 h every 12 h for 10 days, then integrate the concentration over the last day
	var y = []float64{0, 0}
	auc := 0.0
	for dose := 0; dose < 20; dose++ {
		for _, seg := range []struct{ dur, rate float64 }{{1, 1000}, {11, 0}} {
			m.Set("rate_mg_h", seg.rate)
			n := int(seg.dur * 100)
			for k := 0; k < n; k++ {
				yy, _, err := ode.RK4(m.Deriv, 0, y, 0.01, 1)
				if err != nil {
					t.Fatal(err)
				}
				if dose >= 18 {
					c0, _ := m.Output("conc_mg_l", 0, y)
					c1, _ := m.Output("conc_mg_l", 0, yy)
					auc += (c0 + c1) / 2 * 0.01
				}
				y = yy
			}
		}
	}
	if want := 2000 / 4.5; math.Abs(auc-want) > 1e-3*want {
		t.Fatalf("steady-state AUC24 %v, want dose/CL = %v", auc, want)
	}
}

// Under a constant insulin step ΔI, X(t) = (p3ΔI/p2)(1 − e^{−p2 t}) and glucose
// settles at p1·Gb/(p1 + X∞) (closed form of the minimal model's equations).
func TestBergmanInsulinStep(t *testing.T) {
	m, _ := New("bergman", map[string]float64{"insulin": 57.3})
	ys := solve(t, m, Init(m), []float64{10, 60, 2000})
	p2, p3, dI := 0.02, 1e-5, 50.0
	for i, tt := range []float64{10, 60} {
		want := p3 * dI / p2 * (1 - math.Exp(-p2*tt))
		if math.Abs(ys[i][1]-want) > 1e-9 {
			t.Errorf("X(%v) = %v, want %v", tt, ys[i][1], want)
		}
	}
	xinf := p3 * dI / p2
	if want := 0.03 * 92 / (0.03 + xinf); math.Abs(ys[2][0]-want) > 1e-6*want {
		t.Errorf("glucose %v, want %v", ys[2][0], want)
	}
	si, _ := m.Output("si", 0, nil)
	if math.Abs(si-5e-4) > 1e-15 {
		t.Errorf("SI = %v", si)
	}
}

// In periodic steady state the mean of dPc/dt over a beat is zero, so mean Pc =
// R·mean Q, and the mean arterial pressure P = Pc + Zc·Q is (R + Zc)·mean Q
// (MAP = CO·(TPR + Zc)); with the defaults about 96 mmHg, a normal MAP.
func TestWindkesselMeanPressure(t *testing.T) {
	m, _ := New("windkessel", nil)
	w := m.(*Windkessel)
	T := 0.8
	y := []float64{80}
	for beat := 0; beat < 60; beat++ {
		sol, err := ode.Solve(m.Deriv, float64(beat)*T, y, []float64{float64(beat+1) * T}, ode.Options{RTol: 1e-10, ATol: 1e-10, HMax: 0.005})
		if err != nil {
			t.Fatal(err)
		}
		y = sol.Y[0]
	}
	times := make([]float64, 801)
	for i := range times {
		times[i] = 60*T + float64(i)*T/800
	}
	sol, _ := ode.Solve(m.Deriv, 60*T, y, times, ode.Options{RTol: 1e-10, ATol: 1e-10, HMax: 0.005})
	mean := 0.0
	for i := 1; i < len(times); i++ {
		p0, _ := m.Output("p_mmhg", times[i-1], sol.Y[i-1])
		p1, _ := m.Output("p_mmhg", times[i], sol.Y[i])
		mean += (p0 + p1) / 2 * (T / 800)
	}
	mean /= T
	want := (1.05 + 0.05) * 70 / T // (R + Zc) × mean flow, mean flow = SV/T
	_ = w
	if math.Abs(mean-want) > 2e-3*want || want < 70 || want > 100 {
		t.Fatalf("MAP %v, want %v", mean, want)
	}
}

// The infection-free state P = N* = D = 0, CA = sc/μc is an equilibrium, and a
// small inoculum is cleared by the local defences (Reynolds et al. 2006, §3).
func TestInflammationHealthyEquilibrium(t *testing.T) {
	m, _ := New("inflammation", nil)
	dy := make([]float64, 4)
	y0 := Init(m)
	m.Deriv(0, y0, dy)
	for i, d := range dy {
		if math.Abs(d) > 1e-15 {
			t.Fatalf("state %d moves at the healthy equilibrium: %v", i, d)
		}
	}
	y0[0] = 0.05
	sol, err := ode.Solve(m.Deriv, 0, y0, []float64{200}, ode.Options{RTol: 1e-8, ATol: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	if sol.Y[0][0] > 1e-3 {
		t.Fatalf("a small inoculum was not cleared: P(200 h) = %v", sol.Y[0][0])
	}
}

func TestRegistry(t *testing.T) {
	if len(List()) != 5 {
		t.Fatalf("%d models", len(List()))
	}
	if _, err := New("vanco", nil); err == nil || !strings.Contains(err.Error(), "vancomycin") {
		t.Fatalf("%v", err)
	}
	if _, err := New("bergman", map[string]float64{"p9": 1}); err == nil || !strings.Contains(err.Error(), "parameters: p1") {
		t.Fatalf("%v", err)
	}
}
