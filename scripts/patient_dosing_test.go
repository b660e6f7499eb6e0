package scripts

import (
	"math"
	"strings"
	"testing"
	"time"
)

// oralConc is the one-compartment oral closed form with bioavailability F
// and lag ALAG (Gibaldi & Perrier 1982, eq. 1.57, time shifted by the lag):
// C(t) = F·D·ka / (V·(ka − k)) · (e^{−k(t−ALAG)} − e^{−ka(t−ALAG)}), 0 before
// the lag.
func oralConc(F, alag, dose, ka, cl, v, t float64) float64 {
	if t <= alag {
		return 0
	}
	k, s := cl/v, t-alag
	return F * dose * ka / (v * (ka - k)) * (math.Exp(-k*s) - math.Exp(-ka*s))
}

// Issue 24: the Lua pk patient had no F or lag; pt:dose and pt:regimen gave
// every dose whole and at once. Now the model's F and ALAG apply (the pk
// model's f and alag, a model file's F() and ALAG()).
func TestPatientDoseAppliesFAndLag(t *testing.T) {
	src := `local model = require("medtwin.model")
` + wrapBuild(`
    local a = sim:patient("pk", { cl = 5, v1 = 50, ka = 1.2, f = 0.6, alag = 1.5 })
    local b = sim:patient("pk", { cl = 5, v1 = 50, ka = 1.2, f = 0.6, alag = 1.5 })
    local m = model { name = "oral", params = { CL = 5, V = 50, KA = 1.2, F1 = 0.6, TLAG = 1.5 },
      states = { depot = 0, central = 0 },
      equations = [[
        F(depot) = F1
        ALAG(depot) = TLAG
        d/dt(depot) = -KA*depot
        d/dt(central) = KA*depot - CL/V*central
        cp = central/V
      ]], outputs = { "cp" } }
    local c = sim:patient(m, {})
    a:dose(100, { state = "depot" })
    b:regimen({ { time = 0, amt = 100, cmt = "depot" } })
    c:dose(100, { state = "depot" })
    sim:schedule(hours(1), function() sim:set("a1", a:conc()); sim:set("b1", b:conc()); sim:set("c1", c:output("cp")) end)
    sim:schedule(hours(4), function() sim:set("a4", a:conc()); sim:set("b4", b:conc()); sim:set("c4", c:output("cp")) end)`)
	src = strings.Replace(src, "horizon = 100", "horizon = days(1)", 1)
	sc, err := Load(write(t, "oral.lua", src), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(t, sc, time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"a", "b", "c"} {
		for _, h := range []float64{1, 4} {
			name := who + map[float64]string{1: "1", 4: "4"}[h]
			want := oralConc(0.6, 1.5, 100, 1.2, 5, 50, h)
			k, ok := kpi(res[0], name)
			if !ok || math.Abs(k.Value-want) > 1e-5*math.Max(want, 1e-3) {
				t.Errorf("%s: C(%g h) = %v, want %v (F 0.6, ALAG 1.5 h)", name, h, k.Value, want)
			}
		}
	}
}
