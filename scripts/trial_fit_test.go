package scripts

import (
	"context"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fitPopulationJSON is a population.json as `medtwin fit --method foce-i`
// writes it (the fields a trial reads), written here by hand: a one-
// compartment oral model, CL ∝ (WT/70)^0.75, V1 sharing CL's η (as V = CL/ke
// in fm3Theo), a 2×2 block Ω over (eta_cl, eta_ka), combined error.
const fitPopulationJSON = `{
  "method": "foce-i",
  "model": {"compartments": 1, "absorption": true, "mm": false},
  "theta": {"CL": 2.5, "V1": 30, "KA": 1.2},
  "eta": {"CL": "eta_cl", "V1": "eta_cl", "KA": "eta_ka"},
  "eta_model": {"CL": "exponential", "V1": "exponential", "KA": "exponential"},
  "covariates": {"CL": [{"covariate": "WT", "relation": "power", "ref": 70, "coef": 0.75}]},
  "omega": {"names": ["eta_cl", "eta_ka"], "matrix": [[0.09, 0.06], [0.06, 0.16]]},
  "sigma": {"kind": "combined", "additive": 0.2, "proportional": 0.1},
  "ofv": 123.456,
  "provenance": {"data": "pk.csv", "data_sha256": "abc123", "seed": 1}
}`

const fitTrial = `local pop = fit("fitdir")
return trial {
  name = "from_fit", subjects = 4000, seed = 5,
  population = { covariates = { { name = "wt", dist = "lognormal", median = 70, sigma = 0.2, min = 40, max = 150 } } },
  model = pop.model,
  arms = { { name = "500 mg", doses = { { amt = 500, cmt = 1 } } } },
  sampling = { times = { 2 }, residual = pop.residual },
  endpoints = { c2 = { conc = 2 } },
}`

func writeFitTrial(t *testing.T, spec string) string {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "fitdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fitdir", "population.json"), []byte(fitPopulationJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "t.lua")
	if err := os.WriteFile(p, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTrialFromFit: fit("DIR") brings the fit's θ, covariate relation, Ω
// (block, with an η shared by two parameters) and σ into the trial, with
// its provenance. Per subject, log(CL/(θ·(WT/70)^0.75)) and log(V1/θ) are
// the same η exactly; over 4000 subjects their variance, KA's and the
// correlation match Ω within sampling error (SE of a variance about
// ω²·√(2/n) ≈ 2%; 8% and 0.05 allowed).
func TestTrialFromFit(t *testing.T) {
	tr, err := LoadTrial(writeFitTrial(t, fitTrial))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Residual.Add != 0.2 || tr.Residual.Prop != 0.1 {
		t.Errorf("residual %+v, want add 0.2 prop 0.1", tr.Residual)
	}
	want := map[string]string{"fit_1_dir": "fitdir", "fit_1_method": "foce-i", "fit_1_ofv": "123.456", "fit_1_data": "pk.csv", "fit_1_data_sha256": "abc123"}
	if !maps.Equal(tr.Sources, want) {
		t.Errorf("provenance %v, want %v", tr.Sources, want)
	}
	res, err := tr.Run(context.Background(), 0, tr.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	var n, scl, skl, scc, skk, sck float64
	for _, r := range res {
		wt := r.Covariates[0]
		ecl := math.Log(r.Params["cl"] / (2.5 * math.Pow(wt/70, 0.75)))
		ev := math.Log(r.Params["v1"] / 30)
		eka := math.Log(r.Params["ka"] / 1.2)
		if math.Abs(ecl-ev) > 1e-12 {
			t.Fatalf("subject %d: η of CL %v, of V1 %v: the shared η differs", r.Subject, ecl, ev)
		}
		n, scl, skl, scc, skk, sck = n+1, scl+ecl, skl+eka, scc+ecl*ecl, skk+eka*eka, sck+ecl*eka
	}
	vcl, vka := scc/n-(scl/n)*(scl/n), skk/n-(skl/n)*(skl/n)
	corr := (sck/n - scl/n*skl/n) / math.Sqrt(vcl*vka)
	t.Logf("ω²cl %.4f (0.09) ω²ka %.4f (0.16) corr %.3f (%.3f)", vcl, vka, corr, 0.06/math.Sqrt(0.09*0.16))
	if math.Abs(vcl-0.09) > 0.08*0.09 || math.Abs(vka-0.16) > 0.08*0.16 || math.Abs(corr-0.5) > 0.05 {
		t.Errorf("ω²cl %.4f ω²ka %.4f corr %.3f; want 0.09, 0.16, 0.5", vcl, vka, corr)
	}
}

// TestTrialFromFitErrors: a missing fit directory and a fit covariate the
// trial's population lacks are said plainly.
func TestTrialFromFitErrors(t *testing.T) {
	_, err := LoadTrial(writeFitTrial(t, strings.Replace(fitTrial, `fit("fitdir")`, `fit("nofit")`, 1)))
	if err == nil || !strings.Contains(err.Error(), "--method foce-i --out nofit") {
		t.Errorf("missing fit: %v", err)
	}
	tr, err := LoadTrial(writeFitTrial(t, strings.Replace(fitTrial, `name = "wt"`, `name = "weight_kg"`, 1)))
	if err == nil {
		_, err = tr.Run(context.Background(), 0, 1)
	}
	if err == nil || !strings.Contains(err.Error(), "the fit's covariate WT is not a covariate of the trial's population") {
		t.Errorf("missing covariate: %v", err)
	}
}
