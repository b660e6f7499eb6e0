package scripts

import (
	"context"
	"fmt"
	"github.com/medtwin/medtwin/physio/trial"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"
)

const langPopulation = `population = { covariates = { { name = "weight_kg", dist = "lognormal", median = 70, sigma = 0.2, min = 40, max = 150 } } },`

const langArmsEndpoints = `
  arms = { { name = "oral q12h", doses = { { amt = 500, ii = 12, addl = 5 } } },
           { name = "iv 2 h", doses = { { amt = 500, rate = 250, cmt = 2 } } } },
  grid = 0.1,
  endpoints = { auc = { auc = { 0, 72 } }, cmax = { cmax = { 0, 72 } }, trough = { conc = 71.9 },
                above = { time_above = 2, window = { 0, 72 } } },
  target = { endpoint = "trough", min = 1, max = 100 },
  sampling = { times = { 1, 12, 24 }, residual = { prop = 0.1 } },
}`

// A trial on the library's pk2_oral (exact path) gives the endpoints of the
// same trial on pk's built-in two-compartment oral model (an independent
// implementation, physio/pk) with the very same subject parameters: the
// language trial's drawn parameters are written into the built-in spec.
func TestTrialLangMatchesBuiltinPK(t *testing.T) {
	lang, err := LoadTrial(write(t, "lang.lua", `local model = require("medtwin.model")
return trial {
  name = "lang", subjects = 25, seed = 7,
  `+langPopulation+`
  model = model.library("pk2_oral"),
  params = function(s) return { CL = 5 * (s.weight_kg / 70)^0.75, V1 = 50 * s.weight_kg / 70 } end,
  iiv = { KA = 0.3, Q2 = 0.2 },
  omega = { params = { "CL", "V1" }, block = { 0.09, 0.03, 0.04 } },`+langArmsEndpoints))
	if err != nil {
		t.Fatal(err)
	}
	lres, err := lang.Run(context.Background(), 0, lang.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	var tab strings.Builder
	for i := 0; i < lang.Subjects; i++ {
		p := lres[2*i].Params
		fmt.Fprintf(&tab, "  [%d] = { ncmt = 2, ka = %.17g, cl = %.17g, v1 = %.17g, q2 = %.17g, v2 = %.17g },\n", i, p["KA"], p["CL"], p["V1"], p["Q2"], p["V2"])
	}
	builtin, err := LoadTrial(write(t, "builtin.lua", `local P = {
`+tab.String()+`}
return trial {
  name = "builtin", subjects = 25, seed = 7,
  `+langPopulation+`
  model = function(s) return P[s.id] end,`+langArmsEndpoints))
	if err != nil {
		t.Fatal(err)
	}
	bres, err := builtin.Run(context.Background(), 0, builtin.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	if len(lres) != len(bres) || len(lres) != 50 {
		t.Fatalf("%d and %d rows", len(lres), len(bres))
	}
	varied := map[float64]bool{}
	for j := range lres {
		l, b := lres[j], bres[j]
		varied[l.Params["CL"]] = true
		for k := range l.Endpoints {
			if d := math.Abs(l.Endpoints[k] - b.Endpoints[k]); d > 1e-10*math.Max(1e-3, math.Abs(b.Endpoints[k])) {
				t.Errorf("subject %d arm %d endpoint %s: language %.15g, built-in %.15g", l.Subject, l.Arm, lang.Endpoints[k].Name, l.Endpoints[k], b.Endpoints[k])
			}
		}
		for k := range l.Samples {
			if d := math.Abs(l.Samples[k] - b.Samples[k]); d > 1e-10*math.Abs(b.Samples[k]) {
				t.Errorf("subject %d arm %d sample %d: %v vs %v", l.Subject, l.Arm, k, l.Samples[k], b.Samples[k])
			}
		}
		if l.TargetMet != b.TargetMet || l.TotalDose != b.TotalDose {
			t.Errorf("subject %d arm %d: target %v/%v, dose %v/%v", l.Subject, l.Arm, l.TargetMet, b.TargetMet, l.TotalDose, b.TotalDose)
		}
	}
	if len(varied) < 20 {
		t.Errorf("CL took only %d values over 25 subjects", len(varied))
	}
}

// The Ω block's η have the specified covariance: Var(η_CL) = 0.09,
// Var(η_V1) = 0.04, Cov = 0.03 (correlation 0.5). With 4000 subjects the
// sample correlation's standard error is (1−ρ²)/√n ≈ 0.012.
func TestTrialOmegaBlockCorrelation(t *testing.T) {
	tr, err := LoadTrial(write(t, "omega.lua", `return trial {
  name = "omega", subjects = 4000, seed = 3,
  `+langPopulation+`
  model = model.library("pk1"),
  omega = { params = { "CL", "V1" }, block = { 0.09, 0.03, 0.04 } },
  arms = { { name = "a", doses = { { amt = 100 } } } },
  endpoints = { c1 = { conc = 1 } }, grid = 1,
}`))
	if err != nil {
		t.Fatal(err)
	}
	var a, b []float64
	for i := 0; i < tr.Subjects; i++ {
		e := tr.Lang.Etas(tr.Seed, i)
		a, b = append(a, e["CL"]), append(b, e["V1"])
	}
	if r := stat.Correlation(a, b, nil); math.Abs(r-0.5) > 0.05 {
		t.Errorf("sample correlation %v, want 0.5", r)
	}
	if v := stat.Variance(a, nil); math.Abs(v-0.09) > 0.09*0.1 {
		t.Errorf("Var(η_CL) = %v, want 0.09", v)
	}
	if v := stat.Variance(b, nil); math.Abs(v-0.04) > 0.04*0.1 {
		t.Errorf("Var(η_V1) = %v, want 0.04", v)
	}
}

// Issue 19: adding IIV on one parameter must not change another's draws.
func TestTrialLangEtaStreamsIndependent(t *testing.T) {
	one := &trial.LangModel{SD: map[string]float64{"CL": 0.3}}
	two := &trial.LangModel{SD: map[string]float64{"CL": 0.3, "KA": 0.5}}
	for i := 0; i < 50; i++ {
		if a, b := one.Etas(9, i)["CL"], two.Etas(9, i)["CL"]; a != b {
			t.Fatalf("subject %d: η_CL %v without and %v with IIV on KA", i, a, b)
		}
	}
}

// A TMDD model (nonlinear: Taylor path) runs end to end; an endpoint reads the
// model's own quantity (the total target). Target-mediated elimination makes
// exposure more than dose-proportional: AUC(10×dose) > 10·AUC(dose); with
// KINT < KDEG the complex outlives free target, so total target rises above
// its baseline KSYN/KDEG, the more so the higher the dose (Gibiansky et al.
// 2008, the QSS model's total target equation).
func TestTrialTMDD(t *testing.T) {
	tr, err := LoadTrial(write(t, "tmdd.lua", `return trial {
  name = "tmdd", subjects = 10, seed = 1,
  `+langPopulation+`
  model = model.library("tmdd_qss"),
  iiv = { CL = 0.2, KSYN = 0.2 },
  arms = { { name = "10 nmol", doses = { { amt = 10 } } }, { name = "100 nmol", doses = { { amt = 100 } } } },
  grid = 1,
  endpoints = { auc = { auc = { 0, 672 } }, rmax = { cmax = { 0, 672 }, of = "rtot" } },
}`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Run(context.Background(), 0, tr.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(res); i += 2 {
		lo, hi := res[i], res[i+1]
		if !(hi.Endpoints[0] > 10*lo.Endpoints[0]) {
			t.Errorf("subject %d: AUC %v at 10 nmol, %v at 100 nmol: not more than dose-proportional", lo.Subject, lo.Endpoints[0], hi.Endpoints[0])
		}
		base := lo.Params["KSYN"] / lo.Params["KDEG"]
		if !(hi.Endpoints[1] > lo.Endpoints[1] && lo.Endpoints[1] > base) {
			t.Errorf("subject %d: highest total target %v (10) %v (100), baseline %v", lo.Subject, lo.Endpoints[1], hi.Endpoints[1], base)
		}
	}
}

// Bad input names the trial field.
func TestTrialLangErrors(t *testing.T) {
	for _, c := range []struct{ field, want string }{
		{`iiv = { CLL = 0.3 },`, `no parameter "CLL"`},
		{`omega = { params = { "CL", "V1" }, block = { 0.09, 0.5, 0.04 } },`, "not positive definite"},
		{`omega = { params = { "CL", "V1" }, block = { 0.09, 0.04 } },`, "want 3"},
		{`output = "cq",`, `no quantity "cq"`},
		{`solver = "rk4",`, "solver 'rk4' unknown"},
	} {
		_, err := LoadTrial(write(t, "bad.lua", `return trial {
  name = "bad", subjects = 2,
  `+langPopulation+`
  model = model.library("pk1"),
  `+c.field+`
  arms = { { name = "a", doses = { { amt = 100 } } } },
  endpoints = { c1 = { conc = 1 } }, grid = 1,
}`))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad.lua:") {
			t.Errorf("%s: error %v, want %q with the file", c.field, err, c.want)
		}
	}
}

// The sandbox's global model is require("medtwin.model"): model { ... } works
// without require, and require still does.
func TestGlobalModelIsRequire(t *testing.T) {
	L, err := newSandbox(context.Background(), Limits{}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer L.Close()
	if err := L.DoString(`assert(model == require("medtwin.model"))
local m = model { name = "k", params = { {"K", 2} }, states = { {"a", 1} }, equations = "d/dt(a) = -K*a" }
local out = m:simulate({}, {0, 1})
assert(math.abs(out.a[2] - math.exp(-2)) < 1e-12, out.a[2])`); err != nil {
		t.Fatal(err)
	}
}

// The shipped TMDD trial runs end to end, the same twice, and the free-drug
// trough rises with the dose (more than proportionally: target-mediated
// clearance saturates).
func TestShippedTMDDTrial(t *testing.T) {
	tr, err := LoadTrial("../scenarios/tmdd_trial.lua")
	if err != nil {
		t.Fatal(err)
	}
	a, err := tr.Run(context.Background(), 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tr.Run(context.Background(), 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	k := 2 // endpoints in name order: auc_c, rtot_max, trough
	for i := 0; i < len(a); i += 3 {
		for j := 0; j < 3; j++ {
			if a[i+j].Endpoints[k] != b[i+j].Endpoints[k] {
				t.Fatalf("subject %d: trough %v, then %v", a[i].Subject, a[i+j].Endpoints[k], b[i+j].Endpoints[k])
			}
		}
		lo, mid, hi := a[i].Endpoints[k], a[i+1].Endpoints[k], a[i+2].Endpoints[k]
		if !(mid > 3*lo && hi > 10.0/3*mid) {
			t.Errorf("subject %d: troughs %v, %v, %v at 100, 300, 1000 nmol", a[i].Subject, lo, mid, hi)
		}
	}
}
