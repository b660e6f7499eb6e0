package scripts

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"
)

const massBalanceTrial = `return trial {
  name = "mb", subjects = 30, seed = 3,
  population = { covariates = { { name = "weight_kg", dist = "lognormal", median = 70, sigma = 0.2, min = 40, max = 150 } } },
  model = function(s) return { ncmt = 1, cl = 5 * s.weight_kg / 70, v1 = 50 } end,
  iiv = { cl = 0.3 },
  arms = { { name = "100 mg q24h", doses = { { amt = 100, ii = 24, addl = 19, cmt = 1 } } } },
  endpoints = { auc_ss = { auc = { 432, 456 } } },
  target = { endpoint = "auc_ss", min = 0, max = 1e9 },
}`

// At steady state the AUC over a dosing interval equals dose/CL (mass balance);
// on a 0.05 h grid the trapezoidal rule is within 1e-3.
func TestTrialMassBalance(t *testing.T) {
	tr, err := LoadTrial(write(t, "mb.lua", massBalanceTrial))
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Run(context.Background(), 0, tr.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		want := 100 / r.Params["cl"]
		if math.Abs(r.Endpoints[0]-want) > 1e-3*want {
			t.Fatalf("subject %d: AUC %v, dose/CL %v", r.Subject, r.Endpoints[0], want)
		}
		if !r.TargetMet {
			t.Fatal("target not met")
		}
	}
	// a subject's row does not depend on the range it is run in
	part, _ := tr.Run(context.Background(), 12, 20)
	if len(part) != 8 {
		t.Fatalf("%d rows for subjects 12-19", len(part))
	}
	for i, p := range part {
		w := res[12+i]
		// crcl is NaN here (no age/serum creatinine); NaN != NaN, so compare bits
		if p.Subject != w.Subject || p.Arm != w.Arm || !reflect.DeepEqual(p.Params, w.Params) ||
			!sameBits(p.Covariates, w.Covariates) || !sameBits(p.Endpoints, w.Endpoints) ||
			!sameBits(p.Samples, w.Samples) || p.TargetMet != w.TargetMet {
			t.Fatalf("subject %d differs when run on its own:\n%+v\n%+v", w.Subject, p, w)
		}
	}
}

func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func TestTrialBadSpecs(t *testing.T) {
	cases := map[string]struct{ src, want string }{
		"weight <= 0":    {strings.Replace(massBalanceTrial, `dist = "lognormal", median = 70, sigma = 0.2, min = 40, max = 150`, `dist = "normal", mean = 70, sd = 20`, 1), "weight_kg must be > 0"},
		"unknown target": {strings.Replace(massBalanceTrial, `endpoint = "auc_ss"`, `endpoint = "auc_s"`, 1), "did you mean 'auc_ss'"},
		"unknown field":  {strings.Replace(massBalanceTrial, `subjects = 30`, `subjetcs = 30`, 1), "did you mean 'subjects'"},
		"bad endpoint":   {strings.Replace(massBalanceTrial, `auc = { 432, 456 }`, `auc = { 456, 432 }`, 1), "0 <= from < to"},
		"no model":       {strings.Replace(massBalanceTrial, `model = function(s)`, `modle = function(s)`, 1), "unknown trial field 'modle'"},
	}
	for name, c := range cases {
		_, err := LoadTrial(write(t, "bad.lua", c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}
