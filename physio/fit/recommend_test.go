package fit

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/rng"
	"gonum.org/v1/gonum/mat"
)

// vancoModel is a one-compartment IV model with vancomycin-like population
// values (CL 4 L/h, V 50 L; ω 0.3 on CL and 0.2 on V, uncorrelated) and
// combined error (1 mg/L, 10%): the shape of the models the 2020 ASHP/IDSA
// guideline asks Bayesian software to carry (Rybak et al. 2020, Am J
// Health-Syst Pharm 77:835).
func vancoModel() *Model {
	st, _ := NewPK(1, false, false)
	return &Model{Structure: st,
		Params: []Param{{Name: "CL", Typical: 4, Eta: "eta_cl"}, {Name: "V1", Typical: 50, Eta: "eta_v"}},
		Etas:   []string{"eta_cl", "eta_v"}, Omega: mat.NewSymDense(2, []float64{0.09, 0, 0, 0.04}),
		Error: ErrorModel{Kind: Combined, Add: 1, Prop: 0.1}}
}

// vancoRegimens: 500–3000 mg every 8, 12 or 24 h, 1-h infusions.
func vancoRegimens() []Regimen {
	var rs []Regimen
	for _, tau := range []float64{8, 12, 24} {
		for d := 500.0; d <= 3000; d += 250 {
			rs = append(rs, Regimen{DoseMg: d, IntervalH: tau, InfusionH: 1})
		}
	}
	return rs
}

// TestRecommendCalibrated: simulated patients with known CL and V get 1 g
// every 12 h (1-h infusions), two levels after the third dose (a peak at
// 25.5 h, a trough at 35.9 h), are fitted by MAP and given the regimen with
// the highest posterior probability of an AUC24 in 400–600 mg·h/L. The
// fraction of patients whose true AUC24 (daily dose/true CL) is in range
// must match the mean stated probability (the posterior is calibrated) and
// beat the fixed 1 g every 12 h and a trough-guided rule (the dose scaled by
// 17.5 mg/L over the measured trough, toward the 15–20 mg/L troughs of the
// 2009 guideline that the 2020 one replaced; Rybak et al. 2020).
func TestRecommendCalibrated(t *testing.T) {
	m := vancoModel()
	const n = 150
	target := Target{Metric: "auc24", Min: 400, Max: 600}
	var stated, hit, fixedHit, troughHit, troughOver, mapOver float64
	for id := 1; id <= n; id++ {
		s := rng.New(11, 0, "fit-test-patient", uint64(id))
		cl, v := 4*math.Exp(0.3*s.Normal(0, 1)), 50*math.Exp(0.2*s.Normal(0, 1))
		k := cl / v
		// two levels after doses at 0, 12, 24 h (1-h infusions of 1000 mg)
		level := func(t float64) float64 {
			c := 0.0
			for _, td := range []float64{0, 12, 24} {
				tau := t - td
				if tau <= 0 {
					continue
				}
				r := 1000.0 / 1
				if tau <= 1 {
					c += r / cl * (1 - math.Exp(-k*tau))
				} else {
					c += r / cl * (1 - math.Exp(-k)) * math.Exp(-k*(tau-1))
				}
			}
			return c
		}
		var b strings.Builder
		b.WriteString("ID,TIME,AMT,RATE,II,ADDL,DV,EVID\n")
		fmt.Fprintf(&b, "%d,0,1000,1000,12,2,.,1\n", id)
		var trough float64
		for _, t := range []float64{25.5, 35.9} {
			f := level(t)
			y := f + s.Normal(0, 1)*math.Sqrt(1+0.01*f*f)
			fmt.Fprintf(&b, "%d,%g,0,0,0,0,%.4f,0\n", id, t, y)
			trough = y
		}
		// trough-guided: 1 g q12h scaled to a 17.5 mg/L trough, in 250 mg steps
		dose := math.Min(3000, math.Max(500, 250*math.Round(1000*17.5/math.Max(trough, 1)/250)))
		if auc := 2 * dose / cl; auc >= 400 && auc <= 600 {
			troughHit++
		} else if auc > 600 {
			troughOver++
		}
		ds, err := ReadCSV(strings.NewReader(b.String()), "vanco.csv")
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Check(ds.Covariates); err != nil {
			t.Fatal(err)
		}
		e, err := m.MAP(ds, &ds.Subjects[0], BFGS)
		if err != nil {
			t.Fatal(err)
		}
		cands, best, err := m.Recommend(ds, &ds.Subjects[0], e, vancoRegimens(), target, 1000, 5, uint64(id))
		if err != nil {
			t.Fatal(err)
		}
		r := cands[best]
		stated += r.PTA
		if auc := 24 / r.IntervalH * r.DoseMg / cl; auc >= 400 && auc <= 600 {
			hit++
		} else if auc > 600 {
			mapOver++
		}
		if auc := 2000 / cl; auc >= 400 && auc <= 600 {
			fixedHit++
		}
	}
	stated, hit, fixedHit, troughHit, troughOver, mapOver = stated/n, hit/n, fixedHit/n, troughHit/n, troughOver/n, mapOver/n
	t.Logf("%d patients: MAP stated PTA %.3f, attained %.3f (AUC24 > 600: %.3f); trough-guided %.3f (> 600: %.3f); fixed 1 g q12h %.3f",
		n, stated, hit, mapOver, troughHit, troughOver, fixedHit)
	// binomial SE at n = 150 and p ≈ 0.8 is 0.033: allow 2.5 SE
	if math.Abs(hit-stated) > 0.083 {
		t.Errorf("attained %.3f, stated %.3f: the posterior is not calibrated", hit, stated)
	}
	if hit < fixedHit+0.15 || hit < troughHit+0.15 {
		t.Errorf("attained %.3f with MAP dosing, %.3f with fixed dosing, %.3f trough-guided", hit, fixedHit, troughHit)
	}
}

// TestRecommendTrough: the trough at the mode equals the steady-state
// one-compartment infusion formula R/CL·(1 − e^{−kT})·e^{−k(τ−T)}/(1 − e^{−kτ})
// (Gibaldi & Perrier 1982), and bad targets or regimens are refused.
func TestRecommendTrough(t *testing.T) {
	m := vancoModel()
	ds, err := ReadCSV(strings.NewReader("ID,TIME,AMT,RATE,DV,EVID\n1,0,1000,1000,.,1\n1,6,0,0,12,0\n"), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Fit(ds, BFGS)
	if err != nil {
		t.Fatal(err)
	}
	e := res.Estimates[0]
	reg := Regimen{DoseMg: 1500, IntervalH: 12, InfusionH: 1.5}
	cands, best, err := m.Recommend(ds, &ds.Subjects[0], e, []Regimen{reg}, Target{Metric: "trough", Min: 10, Max: 20}, 200, 1, 1)
	if err != nil || best != 0 {
		t.Fatal(err, best)
	}
	cl, v := e.Params[0], e.Params[1]
	k, r := cl/v, 1500/1.5
	want := r / cl * (1 - math.Exp(-k*1.5)) * math.Exp(-k*(12-1.5)) / (1 - math.Exp(-k*12))
	if got := cands[0].AtMode; math.Abs(got-want) > 1e-6*want {
		t.Errorf("trough at the mode %.9g, formula %.9g", got, want)
	}
	if !(cands[0].P5 <= cands[0].Median && cands[0].Median <= cands[0].P95) {
		t.Errorf("quantiles out of order: %+v", cands[0])
	}
	for _, c := range []struct {
		regs   []Regimen
		target Target
		want   string
	}{
		{[]Regimen{reg}, Target{Metric: "peak", Min: 1, Max: 2}, "want auc24 or trough"},
		{[]Regimen{reg}, Target{Metric: "auc24", Min: 600, Max: 400}, "must be increasing"},
		{[]Regimen{{DoseMg: 100, IntervalH: 0}}, Target{Metric: "auc24", Min: 400, Max: 600}, "regimen 1"},
		{nil, Target{Metric: "auc24", Min: 400, Max: 600}, "no candidate regimens"},
	} {
		if _, _, err := m.Recommend(ds, &ds.Subjects[0], e, c.regs, c.target, 10, 1, 1); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}
