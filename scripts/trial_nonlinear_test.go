package scripts

import (
	"context"
	"math"
	"strings"
	"testing"
)

// A model with Michaelis–Menten elimination runs on the ODE path. Under a
// constant infusion R < Vmax (CL = 0) the level approaches the closed form
// Css = Km·R/(Vmax − R); mass balance at steady state makes the AUC over 24 h
// equal 24·Css. Each subject has its own Vmax (IIV), so the check is per row.
func TestTrialMichaelisMentenSteadyState(t *testing.T) {
	tr, err := LoadTrial(write(t, "mm.lua", `return trial {
  name = "mm", subjects = 20, seed = 5,
  population = { covariates = { { name = "weight_kg", dist = "lognormal", median = 70, sigma = 0.2, min = 40, max = 150 } } },
  model = function(s) return { ncmt = 1, cl = 0, v1 = 0.65 * s.weight_kg, vmax = 20, km = 4 } end,
  iiv = { vmax = 0.2 },
  arms = { { name = "12 mg/h", doses = { { amt = 12 * 4000, rate = 12 } } } },
  grid = 0.5,
  endpoints = { css = { conc = 3000 }, auc24 = { auc = { 2976, 3000 } } },
}`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Run(context.Background(), 0, tr.Subjects)
	if err != nil {
		t.Fatal(err)
	}
	// endpoints are in name order: auc24, css
	varied, checked := false, 0
	for _, r := range res {
		vmax, km := r.Params["vmax"], r.Params["km"]
		if vmax != 20 {
			varied = true
		}
		if vmax <= 12 {
			continue // no steady state: the level keeps rising
		}
		// the approach to Css is slowest near it: time constant V(Km+C)²/(Vmax·Km)
		css := km * 12 / (vmax - 12)
		if tau := r.Params["v1"] * (km + css) * (km + css) / (vmax * km); 3000 < 25*tau {
			continue
		}
		checked++
		if got := r.Endpoints[1]; math.Abs(got-css) > 1e-5*css {
			t.Errorf("subject %d (Vmax %.3g): level %v, closed form %v", r.Subject, vmax, got, css)
		}
		if got := r.Endpoints[0]; math.Abs(got-24*css) > 1e-4*24*css {
			t.Errorf("subject %d: AUC24 %v, 24·Css %v", r.Subject, got, 24*css)
		}
	}
	if checked < 10 {
		t.Errorf("only %d of %d subjects reached steady state", checked, len(res))
	}
	if !varied {
		t.Error("IIV on vmax did not vary it")
	}
}

// vmax without km is refused before the PK runs, naming the subject.
func TestTrialMichaelisMentenBadModel(t *testing.T) {
	tr, err := LoadTrial(write(t, "bad.lua", `return trial {
  name = "bad", subjects = 3,
  population = { covariates = { { name = "weight_kg", dist = "normal", mean = 70, sd = 5, min = 40 } } },
  model = function(s) return { ncmt = 1, cl = 0, v1 = 40, vmax = 20 } end,
  arms = { { name = "a", doses = { { amt = 100 } } } },
  endpoints = { c = { conc = 10 } },
}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Run(context.Background(), 0, tr.Subjects)
	if err == nil || !strings.Contains(err.Error(), "subject 0") || !strings.Contains(err.Error(), "KM") {
		t.Fatalf("vmax without km: %v", err)
	}
}
