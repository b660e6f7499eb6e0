package scripts

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
)

// Steady-state closed forms of the one-compartment model (Gibaldi M,
// Perrier D 1982, Pharmacokinetics, 2nd ed., Marcel Dekker, ch. 3 "Multiple
// dosing"), t the time since the last dose and τ the dosing interval; each
// is the superposition Σₙ c₁(t + nτ) of the single-dose curve c₁, summed as
// a geometric series.

// ssBolus is C_ss(t) = D/V · e^{−kt} / (1 − e^{−kτ}) (eq. 3.13).
func ssBolus(dose, cl, v, tau, t float64) float64 {
	k := cl / v
	return dose / v * math.Exp(-k*t) / (1 - math.Exp(-k*tau))
}

// ssInfusion is the steady state of an infusion at R0 = dose/T over T h
// every τ: the current infusion (R0/CL)(1 − e^{−kt}) while it runs, plus
// every earlier one, ended, (R0/CL)(1 − e^{−kT}) e^{−k(t − T + nτ)}, n >= 1
// (after the infusion, t > T, the current one is such a term with n = 0).
func ssInfusion(dose, dur, cl, v, tau, t float64) float64 {
	k, r0 := cl/v, dose/dur
	ended := r0 / cl * (1 - math.Exp(-k*dur)) * math.Exp(-k*(t-dur))
	if t <= dur {
		return r0/cl*(1-math.Exp(-k*t)) + ended*math.Exp(-k*tau)/(1-math.Exp(-k*tau))
	}
	return ended / (1 - math.Exp(-k*tau))
}

// ssOral is C_ss(t) = F·D·ka/(V(ka − k)) · (e^{−ks}/(1 − e^{−kτ}) −
// e^{−ka·s}/(1 − e^{−ka·τ})) (eq. 3.34) with s = t − ALAG, or s + τ before
// the lag (the previous dose's curve).
func ssOral(F, alag, dose, ka, cl, v, tau, t float64) float64 {
	k, s := cl/v, t-alag
	if s < 0 {
		s += tau
	}
	return F * dose * ka / (v * (ka - k)) * (math.Exp(-k*s)/(1-math.Exp(-k*tau)) - math.Exp(-ka*s)/(1-math.Exp(-ka*tau)))
}

// runDay runs a wrapBuild scenario over a day (its replications' results).
func runDay(t *testing.T, src string) []engine.RepResult {
	t.Helper()
	src = strings.Replace(src, "horizon = 100", "horizon = days(1)", 1)
	sc, err := Load(write(t, "ss.lua", src), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(t, sc, time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Issue 24: SS records were refused in Lua. pt:regimen and pt:dose now put
// the pk patient in steady state (SS=1) or add it (SS=2), bolus, infusion
// and oral, with the model's F and ALAG.
func TestPatientSteadyState(t *testing.T) {
	const cl, v, ka, F, alag = 5.0, 50.0, 1.2, 0.6, 0.5
	src := wrapBuild(`
    local pk = { cl = 5, v1 = 50, ka = 1.2, f = 0.6, alag = 0.5 }
    local bolus, inf, oral, dose, add = sim:patient("pk", pk), sim:patient("pk", pk), sim:patient("pk", pk), sim:patient("pk", pk), sim:patient("pk", pk)
    bolus:regimen({ { time = 0, amt = 500, ii = 8, ss = 1, cmt = "central" } })
    inf:regimen({ { time = 0, amt = 1000, rate = 500, ii = 12, ss = 1, cmt = "central" } })
    oral:regimen({ { time = 0, amt = 400, ii = 6, ss = 1 } })
    dose:dose(500, { state = "central", ss = 1, ii = 8 })
    add:regimen({ { time = 0, amt = 100, cmt = 2 }, { time = 4, amt = 500, ii = 8, ss = 2, cmt = 2 } })
    for i, h in ipairs({ 0.25, 1, 3, 5 }) do
      sim:schedule(hours(h), function()
        sim:set("bolus" .. i, bolus:conc()); sim:set("inf" .. i, inf:conc())
        sim:set("oral" .. i, oral:conc()); sim:set("dose" .. i, dose:conc())
      end)
    end
    sim:schedule(hours(6), function() sim:set("add6", add:conc()) end)`)
	res := runDay(t, src)
	want := map[string]float64{"add6": 100/v*math.Exp(-cl/v*6) + ssBolus(500, cl, v, 8, 2)}
	for i, h := range []float64{0.25, 1, 3, 5} {
		name := func(s string) string { return fmt.Sprint(s, i+1) }
		want[name("bolus")] = ssBolus(500, cl, v, 8, h)
		want[name("dose")] = ssBolus(500, cl, v, 8, h)
		want[name("inf")] = ssInfusion(1000, 2, cl, v, 12, h)
		want[name("oral")] = ssOral(F, alag, 400, ka, cl, v, 6, h)
	}
	for name, w := range want {
		k, ok := kpi(res[0], name)
		if !ok || math.Abs(k.Value-w) > 1e-6*w {
			t.Errorf("%s = %v, closed form %v", name, k.Value, w)
		}
	}
}

// A model of the model language puts itself in steady state too (the fixed
// point of one dosing interval, physio/modlang's Patient.SteadyState): a
// one-compartment model written in a scenario has the closed form
// (Gibaldi & Perrier 1982, eq. 3.13), by SS = 1 and SS = 2.
func TestPatientSteadyStateLanguageModel(t *testing.T) {
	src := `local model = require("medtwin.model")
` + wrapBuild(`
    local m = model { name = "one", params = { CL = 5, V = 50 }, states = { central = 0 },
      equations = [[
        d/dt(central) = -CL/V*central
        cp = central/V
      ]], outputs = { "cp" } }
    local a, b = sim:patient(m, {}), sim:patient(m, {})
    a:regimen({ { amt = 500, ii = 8, ss = 1 } })
    b:dose(500, { ss = 2, ii = 8 })
    sim:schedule(hours(3), function() sim:set("a3", a:output("cp")); sim:set("b3", b:output("cp")) end)`)
	res := runDay(t, src)
	for _, name := range []string{"a3", "b3"} {
		w := ssBolus(500, 5, 50, 8, 3)
		if k, ok := kpi(res[0], name); !ok || math.Abs(k.Value-w) > 1e-6*w {
			t.Errorf("%s = %v, closed form %v", name, k.Value, w)
		}
	}
}

// A regimen with no steady state (a model of the language that does not
// eliminate the dose) or one the model refuses is an error naming the
// record and why, at the line that gives it; ii without ss is an error too.
func TestPatientSteadyStateRefused(t *testing.T) {
	lang := `local m = model { name = "one", params = { CL = 5, V = 50 }, states = { central = 0 },
      equations = [[
        d/dt(central) = -CL/V*central
        cp = central/V
      ]], outputs = { "cp" } }
    local pt = sim:patient(m, { CL = 0 })
`
	for code, msg := range map[string]string{
		lang + `    pt:regimen({ { amt = 500, ii = 8, ss = 1 } })`: "dosing record 1: model one: no steady state of 500 every 8 h into central",
		lang + `    pt:dose(500, { ss = 2, ii = 8 })`:              "pt:dose: model one: no steady state",
		`local pt = sim:patient("pk", {})
    pt:dose(500, { ii = 8 })`: "give ss = 1 or 2 with it",
		`local pt = sim:patient("pk", { alag = 9 })
    pt:dose(500, { ss = 1, ii = 8 })`: "lag time >= II",
	} {
		src := `local model = require("medtwin.model")
` + wrapBuild("    "+code)
		sc, err := Load(write(t, "bad.lua", src), time.Minute)
		if err == nil {
			_, err = runAll(t, sc, time.Minute, 0)
		}
		if err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), "bad.lua:") {
			t.Errorf("%s:\n%v, want %q", code, err, msg)
		}
	}
}

// Review of issue 24: pt:dose read ss with LVAsNumber, so ss = 1.5 became
// SS = 1 silently (pt:regimen refuses it) and ss = "xyz" or ss = true
// became 0 and was reported as "ii without ss". Like a dosing record's ss,
// the option must be an integer number.
func TestPatientDoseSteadyStateOptionChecked(t *testing.T) {
	for code, msg := range map[string]string{
		`pt:dose(500, { ss = 1.5, ii = 8 })`:   "ss must be an integer, got 1.5",
		`pt:dose(500, { ss = "xyz", ii = 8 })`: "ss must be a number, got string",
		`pt:dose(500, { ss = true, ii = 8 })`:  "ss must be a number, got boolean",
		`pt:dose(500, { ss = 1, ii = "8" })`:   "ii must be a number, got string",
		// rate was read loosely: "x" became 0, a bolus
		`pt:dose(500, { rate = "x" })`: "rate must be a number >= 0",
		`pt:dose(500, { rate = -5 })`:  "rate must be a number >= 0",
	} {
		src := wrapBuild(`    local pt = sim:patient("pk", {})
    ` + code)
		sc, err := Load(write(t, "bad.lua", src), time.Minute)
		if err == nil {
			_, err = runAll(t, sc, time.Minute, 0)
		}
		if err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), "bad.lua:") {
			t.Errorf("%s:\n%v, want %q", code, err, msg)
		}
	}
}
