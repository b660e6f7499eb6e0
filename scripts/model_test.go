package scripts

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A model declared in a scenario simulates a one-compartment bolus as the
// closed form D/V·exp(−CL/V·t) (checked inside the script), the table form
// and the model-file form agree, and a built-in model loads by name.
func TestModelInScenario(t *testing.T) {
	src := `local model = require("medtwin.model")
local m = model {
  name = "one", time = "h",
  params = { {"CL", 4, unit = "L/h"}, {"V", 40, unit = "L", doc = "volume"} },
  states = { {"central", 0, unit = "mg"} },
  equations = [[
    cp = central / V
    d/dt(central) = -CL/V*central
  ]],
  outputs = { "cp" },
}
local out = m:simulate({ {time = 0, amt = 100, cmt = "central"} }, {0, 1, 6, 24}, { params = { CL = 5 } })
for i, t in ipairs(out.time) do
  local want = 100 / 40 * math.exp(-5 / 40 * t)
  if math.abs(out.cp[i] - want) > 1e-12 then error("cp(" .. t .. ") = " .. out.cp[i] .. ", want " .. want) end
end
local f = model [[
$PROB one_file
$PARAM
CL [L/h] = 5
V [L] = 40
$STATE
central [mg] = 0
$ODE
cp = central / V
d/dt(central) = -CL/V*central
$OUTPUT cp
]]
-- SS = 1: the steady state of 100 mg every 12 h, 6 h after a dose,
-- D/V·e^{−6k}/(1 − e^{−12k}) with k = CL/V = 0.1/h (Gibaldi & Perrier 1982, eq. 3.13)
local ss = m:simulate({ {amt = 100, ii = 12, ss = 1} }, {6})
local want = 100 / 40 * math.exp(-0.6) / (1 - math.exp(-1.2))
if math.abs(ss.cp[1] - want) > 1e-12 then error("ss cp(6) = " .. ss.cp[1] .. ", want " .. want) end
local o2 = f:simulate({ {amt = 100} }, {6}, { path = "taylor" })
if math.abs(o2.cp[1] - out.cp[3]) > 1e-9 then error("file form " .. o2.cp[1] .. " vs " .. out.cp[3]) end
local tm = model.library("tmdd_qss")
if tm.name ~= "tmdd_qss" or tm.linear or not m.linear then error("library model") end
if not string.find(model.show("pk1"), "$PROB pk1", 1, true) then error("show") end
return scenario { name = "t", build = function(sim, p) end }
`
	if _, err := Load(write(t, "ok.lua", src), time.Minute); err != nil {
		t.Fatal(err)
	}
}

// Errors in a model name the Lua file, the line of the faulty equation in
// that file and its column; a model in a module names the module's file.
func TestModelErrorsNameLuaFileAndLine(t *testing.T) {
	head := `local model = require("medtwin.model")
local m = model {
  name = "bad",
  params = { {"CL", 4, unit = "L/h"}, {"V", 40, unit = "L"} },
  states = { {"central", 0, unit = "mg"} },
  equations = [[
    cp = central / V
`
	cases := []struct{ eq, want string }{
		{"    d/dt(central) = -CL/Vv*central\n", `bad.lua:8:25: model bad: undefined symbol "Vv" (did you mean "V"?)`},
		{"    V = 3\n    d/dt(central) = 0\n", `bad.lua:8:5: model bad: cannot assign to "V": it is a parameter`},
		{"    d/dt(central) = -CL*central\n", `bad.lua:8:19: model bad: unit mismatch: d/dt(central)`},
	}
	for _, c := range cases {
		src := head + c.eq + "  ]],\n}\nreturn scenario { name = \"t\", build = function(sim, p) end }\n"
		_, err := Load(write(t, "bad.lua", src), time.Minute)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v\nwant %s", err, c.want)
		}
	}
	// a model in a module loaded by require
	dir := t.TempDir()
	mod := "local model = require(\"medtwin.model\")\nreturn model {\n  name = \"m\",\n  states = { \"x\" },\n  equations = [[\nd/dt(x) = -k*x\n]],\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "mymodel.lua"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "main.lua")
	if err := os.WriteFile(p, []byte("local m = require(\"mymodel\")\nreturn scenario { name = \"t\", build = function(sim, p) end }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "mymodel.lua:6:12: model m: undefined symbol \"k\"") {
		t.Errorf("module: %v", err)
	}
	// an unknown key in the model table
	_, err = Load(write(t, "bad.lua", "local model = require(\"medtwin.model\")\nlocal m = model { name = \"x\", equation = \"\" }\n"), time.Minute)
	if err == nil || !strings.Contains(err.Error(), "bad.lua:2: model: unknown key 'equation'; did you mean 'equations'?") {
		t.Errorf("unknown key: %v", err)
	}
}

// sim:patient(m, params) runs a model of the language as a hybrid twin: the
// library's idr1 with CL = 5, V1 = 50 dosed 100 mg IV at 1 h gives
// C = 2·e^{−0.1 t}; the response starts at KIN/KOUT = 20.
func TestModelPatientInScenario(t *testing.T) {
	src := `local model = require("medtwin.model")
` + wrapBuild(`
    local pt = sim:patient(model.library("idr1"), { CL = 5, V1 = 50 })
    sim:set("r0", pt:state("response"))
    sim:schedule(hours(1), function() pt:dose(100, { state = "central" }) end)
    sim:schedule(hours(11), function() sim:set("c10h", pt:output("cp")) end)`)
	src = strings.Replace(src, "horizon = 100", "horizon = days(1)", 1)
	sc, err := Load(write(t, "pt.lua", src), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(t, sc, time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{"c10h": 2 * math.Exp(-1), "r0": 20} {
		k, _ := kpi(res[0], name)
		if math.Abs(k.Value-want) > 1e-6*want {
			t.Errorf("%s = %v, want %v", name, k.Value, want)
		}
	}
}
