package scripts

import (
	"math"
	"strings"
	"testing"
)

const noCovariateTrial = `return trial {
  name = "iiv only", subjects = 40, seed = 5,
  model = function(s) return { ncmt = 1, cl = 5, v1 = 50 } end,
  iiv = { cl = 0.3, v1 = 0.2 },
  arms = { { name = "100 mg q24h", doses = { { amt = 100, ii = 24, addl = 19, cmt = 1 } } } },
  endpoints = { auc_ss = { auc = { 432, 456 } } },
}`

// Issue 24: a trial insisted on at least one covariate. A spec with no
// population, or one with no covariates, is an IIV-only cohort (what an
// mrgsolve or rxode2 user writes for a simple population): subjects differ
// by their η alone, and each one's steady-state AUC over a dosing interval
// is dose/CL (mass balance).
func TestTrialWithoutCovariates(t *testing.T) {
	var runs [][]float64
	for _, src := range []string{noCovariateTrial,
		strings.Replace(noCovariateTrial, "seed = 5,", "seed = 5, population = { covariates = {} },", 1)} {
		tr, res := runTrial(t, src)
		cls := map[float64]bool{}
		var aucs []float64
		for _, r := range res {
			want := 100 / r.Params["cl"]
			if math.Abs(r.Endpoints[0]-want) > 1e-3*want {
				t.Fatalf("subject %d: AUC %v, dose/CL %v", r.Subject, r.Endpoints[0], want)
			}
			cls[r.Params["cl"]] = true
			aucs = append(aucs, r.Endpoints[0])
		}
		if len(cls) != tr.Subjects {
			t.Errorf("CL took %d values over %d subjects: no IIV", len(cls), tr.Subjects)
		}
		runs = append(runs, aucs)
	}
	if !sameBits(runs[0], runs[1]) {
		t.Error("no population and a population with no covariates give different subjects")
	}
	bad := strings.Replace(noCovariateTrial, "seed = 5,", `seed = 5, population = { covariates = { name = "weight_kg", dist = "normal" } },`, 1)
	if _, err := LoadTrial(write(t, "bad.lua", bad)); err == nil || !strings.Contains(err.Error(), "population.covariates must be a list") {
		t.Errorf("covariates not a list: %v", err)
	}
}
