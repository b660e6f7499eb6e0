package scripts

import (
	"context"
	"math"
	"strings"
	"testing"
)

// TestTrialBayesianArm: an adapt callback fits the subject's one level by
// ctx:map (a one-compartment model, η on CL only, a prior centred on the
// wrong CL with a broad Ω, an assay SD of 1e-3 mg/L on exact levels) and doses
// by its recommendation for a steady-state AUC24 of 18–22 mg·h/L. The data
// dominate the prior, so the MAP CL is the subject's true CL (drawn by the
// trial with IIV; the level is 100/50·e^{−23·CL/50}, the closed form) but for
// the prior's first-order pull on η̂ (at most about 1e-4), and
// the dose picked gives, in the trial's own simulation of the true model, a
// steady-state AUC (dose/CL) inside 18–22.
func TestTrialBayesianArm(t *testing.T) {
	src := strings.Replace(massBalanceTrial, `arms = { { name = "100 mg q24h", doses = { { amt = 100, ii = 24, addl = 19, cmt = 1 } } } },`, `arms = {
    { name = "Bayesian", doses = { { amt = 100, ii = 24, addl = 19, cmt = 1 } },
      adapt = { at = 24, fn = function(s, levels, t, ctx)
        assert(#ctx.doses == 1 and ctx.doses[1].time == 0 and ctx.doses[1].amt == 100 and ctx.doses[1].cmt == 1)
        local doses = {}
        for d = 1, 300 do doses[d] = d end
        local r = ctx:map {
          model = { compartments = 1 },
          theta = { CL = 2, V1 = 50 }, eta = { CL = "eta_cl" },
          omega = { names = { "eta_cl" }, diag = { 4 } },
          sigma = { additive = 1e-3 },
          recommend = { target = { metric = "auc24", min = 18, max = 22 }, doses = doses, intervals = { 24 }, draws = 200 },
        }
        assert(r.converged, r.warning)
        -- the true CL from the level (closed form of the one-compartment bolus)
        local cl = 50 * math.log(100 / 50 / levels[1].dv) / 23
        -- the prior's pull on η̂, to first order: the MAP objective
        -- (y - f)²/σ² + η²/ω² is stationary at Δη = -(η/ω²)·σ²/f'², with
        -- f' = df/dη = -f·23·CL/50 (up to 1e-4 for a subject far from the
        -- prior's CL)
        local eta = math.log(cl / 2)
        local slope = levels[1].dv * 23 * cl / 50
        -- (the second-order terms are within 2% of the pull)
        local pull = (eta / 4) * 1e-6 / slope ^ 2
        local want, tol = eta - pull, 0.02 * pull + 1e-8
        assert(math.abs(r.eta.eta_cl - want) < tol, "MAP eta " .. r.eta.eta_cl .. " want " .. want)
        assert(math.abs(r.params.CL - 2 * math.exp(r.eta.eta_cl)) < 1e-9 * cl, "MAP CL " .. r.params.CL .. " is not 2·exp(η̂)")
        assert(r.recommend.interval_h == 24 and r.recommend.pta > 0.9)
        return { { time = 24, amt = r.recommend.dose_mg, ii = 24, addl = 18, cmt = 1 } }
      end } },
  },
  sampling = { times = { 23 } },`, 1)
	tr, err := LoadTrial(write(t, "bayes.lua", src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Run(context.Background(), 0, tr.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		cl := r.Params["cl"]
		dose := (r.TotalDose - 100) / 19
		if auc := r.Endpoints[0]; auc < 18*(1-1e-3) || auc > 22*(1+1e-3) || math.Abs(auc-dose/cl) > 1e-3*auc {
			t.Errorf("subject %d (CL %.4g L/h): %v mg q24h gives a steady-state AUC of %.4g (dose/CL %.4g), want 18–22", r.Subject, cl, dose, auc, dose/cl)
		}
	}
}

// TestTrialBayesianArmBadModel: a model ctx:map cannot fit stops the trial
// with the spec's line and the reason.
func TestTrialBayesianArmBadModel(t *testing.T) {
	src := strings.Replace(massBalanceTrial, `arms = { { name = "100 mg q24h", doses = { { amt = 100, ii = 24, addl = 19, cmt = 1 } } } },`, `arms = {
    { name = "Bayesian", doses = { { amt = 100, ii = 24, addl = 19, cmt = 1 } },
      adapt = { at = 24, fn = function(s, levels, t, ctx)
        local r = ctx:map { model = { compartments = 1 }, theta = { CL = -2, V1 = 50 }, eta = { CL = "eta_cl" },
          omega = { names = { "eta_cl" }, diag = { 4 } }, sigma = { additive = 1 } }
      end } },
  },
  sampling = { times = { 23 } },`, 1)
	tr, err := LoadTrial(write(t, "bayes_bad.lua", src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Run(context.Background(), 0, 2)
	if err == nil || !strings.Contains(err.Error(), "bayes_bad.lua:") || !strings.Contains(err.Error(), "typical CL is -2") {
		t.Fatalf("error %v, want the spec's line and the non-positive typical CL", err)
	}
}
