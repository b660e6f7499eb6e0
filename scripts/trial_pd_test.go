package scripts

import (
	"context"
	"math"
	"strings"
	"testing"
)

// An effect compartment behind the Emax model: after an IV bolus into one
// compartment (C = C0·e^−kt) the effect site is Ce = C0·ke0/(ke0 − k)·
// (e^−kt − e^−ke0·t) (Sheiner et al. 1979); with E = Ce/(1 + Ce) (E0 0, Emax 1,
// EC50 1, Hill 1) the trial's effect at 2 h and 6 h gives Ce back within the
// grid's first-order-hold error. A constant infusion drives the type I
// indirect response to kin·(1 − Imax·C/(IC50 + C))/kout, C = rate/CL.
func TestTrialEffectCompartmentAndIndirectResponse(t *testing.T) {
	tr, err := LoadTrial(write(t, "pd.lua", `return trial {
  name = "pd", subjects = 4, seed = 2,
  population = { covariates = { { name = "weight_kg", dist = "lognormal", median = 70, sigma = 0.2, min = 40, max = 150 } } },
  model = function(s) return { ncmt = 1, cl = 5 * s.weight_kg / 70, v1 = 50,
    e0 = 0, emax = 1, ec50 = 1, hill = 1, ke0 = 0.5,
    irm = 1, kin = 10, kout = 0.5, rmax = 0.9, r50 = 2 } end,
  arms = { { name = "bolus", doses = { { amt = 500 } } },
           { name = "infusion", doses = { { amt = 30 * 400, rate = 30 } } } },
  endpoints = { e2 = { conc = 2, of = "effect" }, e6 = { conc = 6, of = "effect" }, r = { conc = 300, of = "response" } },
}`))
	if err != nil {
		t.Fatal(err)
	}
	if n := tr.ParamNames(); len(n) != 19 || n[13] != "ke0" || n[14] != "irm" {
		t.Fatalf("parameters %v", n)
	}
	res, err := tr.Run(context.Background(), 0, tr.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		k := r.Params["cl"] / 50
		switch tr.Arms[r.Arm].Name {
		case "bolus":
			for i, at := range []float64{2, 6} {
				e := r.Endpoints[i] // e2, e6 (name order: e2, e6, r)
				ce := e / (1 - e)
				want := 10 * 0.5 / (0.5 - k) * (math.Exp(-k*at) - math.Exp(-0.5*at))
				if math.Abs(ce-want) > 2e-4*want {
					t.Errorf("subject %d: Ce(%g h) = %v, closed form %v", r.Subject, at, ce, want)
				}
			}
		case "infusion":
			c := 30 / r.Params["cl"]
			want := 10 * (1 - 0.9*c/(2+c)) / 0.5
			if got := r.Endpoints[2]; math.Abs(got-want) > 1e-6*want {
				t.Errorf("subject %d: response at steady state %v, closed form %v", r.Subject, got, want)
			}
		}
	}
}

// A response endpoint without a valid indirect-response type is refused
// before any PK runs, naming the subject.
func TestTrialResponseNeedsType(t *testing.T) {
	tr, err := LoadTrial(write(t, "pd.lua", `return trial {
  name = "pd", subjects = 2,
  population = { covariates = { { name = "weight_kg", dist = "normal", mean = 70, sd = 5, min = 40 } } },
  model = function(s) return { ncmt = 1, cl = 5, v1 = 50, irm = 2.5, kin = 1, kout = 1, rmax = 0.5, r50 = 1 } end,
  arms = { { name = "a", doses = { { amt = 100 } } } },
  endpoints = { r = { conc = 3, of = "response" } },
}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Run(context.Background(), 0, 2); err == nil || !strings.Contains(err.Error(), "subject 0") || !strings.Contains(err.Error(), "irm = 1, 2, 3 or 4") {
		t.Fatalf("irm 2.5: %v", err)
	}
}
