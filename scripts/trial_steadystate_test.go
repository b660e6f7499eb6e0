package scripts

import (
	"context"
	"math"
	"strings"
	"testing"
)

// Issue 24: SS records were refused in trial specs. A trial takes them,
// with a pk model and with a model of the model language (the library's
// one-compartment oral model, same parameters): every subject alike (no
// IIV), its endpoints at 0.25, 1, 3 and 5 h after a steady-state dose equal
// the closed forms of patient_steadystate_test.go (Gibaldi & Perrier 1982,
// ch. 3).
func TestTrialSteadyState(t *testing.T) {
	for _, model := range []string{
		`model = function(s) return { ncmt = 1, cl = 5, v1 = 50, ka = 1.2, f = 0.6, alag = 0.5 } end,`,
		`model = model.library("pk1_oral"),
  params = function(s) return { CL = 5, V1 = 50, KA = 1.2, F1 = 0.6, ALAG1 = 0.5 } end,`,
	} {
		steadyStateTrial(t, model)
	}
}

func steadyStateTrial(t *testing.T, model string) {
	tr, res := runTrial(t, `return trial {
  name = "ss", subjects = 2,
  population = { covariates = { { name = "weight_kg", dist = "lognormal", median = 70, sigma = 0.2 } } },
  `+model+`
  arms = {
    { name = "bolus", doses = { { amt = 500, ii = 8, ss = 1, cmt = 2 } } },
    { name = "infusion", doses = { { amt = 1000, rate = 500, ii = 12, ss = 1, cmt = 2 } } },
    { name = "oral", doses = { { amt = 400, ii = 6, ss = 1, cmt = 1 } } },
    { name = "added", doses = { { amt = 100, cmt = 2 }, { time = 4, amt = 500, ii = 8, ss = 2, cmt = 2 } } },
  },
  endpoints = { a = { conc = 0.25 }, b = { conc = 1 }, c = { conc = 3 }, d = { conc = 5 }, e = { conc = 6 } },
  grid = 0.25,
}`)
	const cl, v = 5.0, 50.0
	hours := []float64{0.25, 1, 3, 5, 6}
	want := map[string]func(h float64) float64{
		"bolus":    func(h float64) float64 { return ssBolus(500, cl, v, 8, h) },
		"infusion": func(h float64) float64 { return ssInfusion(1000, 2, cl, v, 12, h) },
		// at 6 h the next dose is not due yet: it would enter after the lag, at 6.5 h
		"oral": func(h float64) float64 { return ssOral(0.6, 0.5, 400, 1.2, cl, v, 6, h) },
		// the 100 mg bolus at 0 h plus, from 4 h, the steady state added (SS=2)
		"added": func(h float64) float64 { return 100/v*math.Exp(-cl/v*h) + ssBolus(500, cl, v, 8, h-4) },
	}
	for _, r := range res {
		arm := tr.Arms[r.Arm].Name
		for k, h := range hours {
			if arm == "added" && h < 4 {
				continue // before the SS=2 record: the bolus alone
			}
			w := want[arm](h)
			if math.Abs(r.Endpoints[k]-w) > 1e-9*w {
				t.Errorf("%s: arm %s, subject %d: C(%g h) = %v, closed form %v", model, arm, r.Subject, h, r.Endpoints[k], w)
			}
		}
	}
}

// A steady state a model-language trial cannot give (here a lag >= II) is
// an error that names the record and says why.
func TestTrialLangSteadyStateRefused(t *testing.T) {
	tr, err := LoadTrial(write(t, "ss.lua", `return trial {
  name = "ss", subjects = 1,
  `+langPopulation+`
  model = model.library("pk1_oral"),
  params = function(s) return { ALAG1 = 13 } end,
  arms = { { name = "a", doses = { { amt = 100, ii = 12, ss = 1 } } } },
  endpoints = { c1 = { conc = 1 } }, grid = 1,
}`))
	if err == nil {
		_, err = tr.Run(context.Background(), 0, 1)
	}
	if err == nil || !strings.Contains(err.Error(), `arm "a" dosing record 1 (SS = 1): model pk1_oral: steady state with a lag time >= II is not supported (ALAG = 13, II = 12)`) {
		t.Fatalf("%v, want the SS record named and why", err)
	}
}

// An adjustment keeps the doses given before it as they were: a
// steady-state record stays one (AdaptInfo.Given, Administration.Record),
// so re-giving the same regimen from 16 h on changes nothing.
func TestTrialAdaptKeepsSteadyState(t *testing.T) {
	tr, res := runTrial(t, `return trial {
  name = "ss adapt", subjects = 2,
  model = function(s) return { ncmt = 1, cl = 5, v1 = 50 } end,
  iiv = { cl = 0.2 },
  arms = {
    { name = "fixed", doses = { { amt = 500, ii = 8, addl = 5, ss = 1, cmt = 1 } } },
    { name = "adapted", doses = { { amt = 500, ii = 8, addl = 5, ss = 1, cmt = 1 } },
      adapt = { at = 16, fn = function(s, levels, t, ctx)
        assert(ctx.doses[1].ss == 1 and ctx.doses[1].ii == 8, "the SS record is given to adapt as one")
        return { { time = 16, amt = 500, ii = 8, addl = 3, cmt = 1 } }
      end } },
  },
  sampling = { times = { 4, 12 } },
  endpoints = { c2 = { conc = 2 }, auc = { auc = { 0, 40 } } },
}`)
	for i := 0; i < len(res); i += len(tr.Arms) {
		if !sameBits(res[i].Endpoints, res[i+1].Endpoints) || res[i].TotalDose != res[i+1].TotalDose {
			t.Errorf("subject %d: fixed %v (%v mg), adapted %v (%v mg)", res[i].Subject, res[i].Endpoints, res[i].TotalDose, res[i+1].Endpoints, res[i+1].TotalDose)
		}
	}
}
