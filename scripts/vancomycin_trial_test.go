package scripts

import (
	"context"
	"math"
	"testing"
)

// The vancomycin trial is the model of Goti et al. 2018 (Ther Drug Monit
// 40:212–221) as published: typical CL = 4.5·(CrCL/120)^0.8 L/h with CrCL by
// Cockcroft–Gault (Cockcroft & Gault 1976, Nephron 16:31), where for patients
// older than 60 a serum creatinine below 1 mg/dL is set to 1 mg/dL first and
// CrCL is capped at 150 mL/min (Goti 2018, Methods); and IIV on CL, V1 and V2 of
// 39.8%, 81.6% and 57.1% CV (Goti 2018, Table 2; the same values in nlmixr2lib's
// Goti_2018_vancomycin model). The creatinine rule raised the typical clearance
// of older patients with low creatinine, and V2 had no IIV.
func TestVancomycinTrialIsGoti2018(t *testing.T) {
	tr, err := LoadTrial("../scenarios/vancomycin_trial.lua")
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]float64{"cl": 0.398, "v1": 0.816, "v2": 0.571} {
		if tr.IIV[p] != want {
			t.Errorf("IIV on %s: %v, want %v", p, tr.IIV[p], want)
		}
	}
	tr.IIV = map[string]float64{} // typical values
	res, err := tr.Run(context.Background(), 0, 300)
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for i, n := range tr.CovariateNames() {
		idx[n] = i
	}
	floored := 0
	for _, r := range res {
		c := r.Covariates
		age, wt, scr, female := c[idx["age_y"]], c[idx["weight_kg"]], c[idx["scr_mg_dl"]], c[idx["female"]]
		if age > 60 && scr < 1 {
			scr = 1
			floored++
		}
		crcl := (140 - age) * wt / (72 * scr)
		if female == 1 {
			crcl *= 0.85
		}
		want := 4.5 * math.Pow(math.Min(crcl, 150)/120, 0.8)
		if got := r.Params["cl"]; math.Abs(got-want) > 1e-12*want {
			t.Fatalf("subject %d (age %.1f, creatinine %.2f): typical CL %v L/h, want %v", r.Subject, age, c[idx["scr_mg_dl"]], got, want)
		}
		if math.Abs(r.Params["v1"]-58.4*wt/70) > 1e-12*r.Params["v1"] || r.Params["v2"] != 38.4 || r.Params["q2"] != 6.5 {
			t.Fatalf("subject %d: typical %v", r.Subject, r.Params)
		}
	}
	if floored == 0 {
		t.Fatal("no subject older than 60 with creatinine below 1 mg/dL: the rule is not tested")
	}
}
