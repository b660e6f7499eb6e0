package scripts

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
)

// snapshotOutOfReach is false for every way the tests know of to reach a table
// of the snapshot, and true for scenarios that only read library functions.
func TestSnapshotOutOfReach(t *testing.T) {
	sc, err := LoadSource("s.lua", []byte(wrapBuild("")), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	L, err := sc.newState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer L.Close()
	for _, c := range []struct {
		body string
		out  bool
	}{
		{``, true},
		{`local x = math.floor(math.pi) + #string.rep("a", 3); table.insert({}, x)`, true},
		{`local ok = pcall(function() return tostring(1) .. type(2) end); setmetatable({}, {})`, true},
		{`for _, v in ipairs({ 1 }) do sim:record("x", minutes(v)) end`, true},
		{`math.pi = 3`, false},
		{`local m = math; m.pi = 3`, false},
		{`local s = string; s.x = 1`, false},
		{`string.x = 1`, false},
		{`table.insert(string, 1)`, false},
		{`getmetatable("").x = 1`, false},
		{`_G.x = 1`, false},
		{`rawset(_G, "x", 1)`, false},
		{`x = 1`, false},
		{`local m = require("mod")`, false},
		{`local f = function() return math end`, false},
		{`local s = ("x"):rep(2); local t = math["floor"]`, true},
		{`local k = "pi"; local t = math[k]`, false},
		{`local m = model`, false},
	} {
		proto, err := Compile(wrapBuild(c.body), "s.lua")
		if err != nil {
			t.Fatal(err)
		}
		if got := snapshotOutOfReach(proto, L.G.Global); got != c.out {
			t.Errorf("snapshotOutOfReach(%q) = %v, want %v", c.body, got, c.out)
		}
	}
}

// The peers' examples and the M/M/c scenario cannot reach the snapshot (their
// replications skip the comparison), and running them with the comparison
// still made finds every table as set up.
func TestOutOfReachScenariosLeaveTheSnapshot(t *testing.T) {
	for _, name := range []string{"mmc.lua", "peers/bank_renege.lua", "peers/gas_station_refuel.lua", "peers/movie_renege.lua"} {
		sc, err := Load(filepath.Join("..", "scenarios", name), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		w, err := newLuaWorker(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		if !w.outOfReach {
			t.Errorf("%s: its code should not reach the snapshot", name)
		}
		for rep := 0; rep < 3; rep++ {
			s := engine.New(engine.Options{Seed: sc.Seed, Replication: rep})
			if _, err := w.build(s); err != nil {
				t.Fatal(err)
			}
			if err := s.Run(sc.Horizon); err != nil && !(sc.Horizon > 1e300) {
				t.Fatal(err)
			}
			for i := range w.snap {
				if !w.unchanged(i) {
					t.Errorf("%s: replication %d changed table %d of the snapshot", name, rep, i)
				}
			}
			s.Close()
		}
		w.L.Close()
	}
}

// setmetatable sets the metatable of every number, boolean, string or
// function in gopher-lua (not only of tables), a change to the state that is
// no table of the snapshot: the next replication must not see it.
const builtinMetatableScenario = `
return scenario {
  name = "builtinmt", replications = 4, horizon = 10,
  build = function(sim, p)
    local clean = 1
    if pcall(function() return (5).x end) then clean = 0 end
    if pcall(function() return (true).x end) then clean = 0 end
    if pcall(function() return print.x end) then clean = 0 end
    if ("s").x ~= nil or ("s"):rep(2) ~= "ss" then clean = 0 end
    sim:record("clean", clean)
    local mt = { __index = function() return 1 end }
    setmetatable(0, mt)
    setmetatable(false, mt)
    setmetatable(print, mt)
    setmetatable("", mt)
  end,
}
`

func TestBuiltinMetatablesDoNotLeak(t *testing.T) {
	sc, err := LoadSource("builtinmt.lua", []byte(builtinMetatableScenario), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	expectOnes(t, sc, "clean")
}

// readsGlobal finds a global read at any depth of nested functions, and
// not a field, a local or a string of the same name.
func TestReadsGlobal(t *testing.T) {
	for src, want := range map[string]bool{
		`return 1`: false,
		`local setmetatable = 1; local t = { setmetatable = 2 }; return t.setmetatable, "setmetatable"`: false,
		`return setmetatable({}, {})`: true,
		`return function() return function() return function() setmetatable(0, {}) end end end`:                               true,
		`return scenario { name = "a", build = function(sim, p) sim:process(function(proc) local f = setmetatable end) end }`: true,
	} {
		proto, err := Compile(src, "s.lua")
		if err != nil {
			t.Fatal(err)
		}
		if got := readsGlobal(proto, "setmetatable"); got != want {
			t.Errorf("readsGlobal(%q) = %v, want %v", src, got, want)
		}
	}
}
