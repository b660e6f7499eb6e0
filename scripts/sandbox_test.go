package scripts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A script must not read files, run programs, reach the environment or loop
// forever. Each attempt must fail with an error, not succeed and not hang.
func TestSandboxRefusesEscapes(t *testing.T) {
	attempts := map[string]string{
		"io.open":         `local f = io.open("/etc/passwd")`,
		"os.execute":      `os.execute("touch /tmp/medtwin-pwned")`,
		"os.getenv":       `local h = os.getenv("HOME")`,
		"dofile":          `dofile("/etc/passwd")`,
		"loadfile":        `loadfile("/etc/passwd")`,
		"load string":     `load("return 1")`,
		"loadstring":      `loadstring("return 1")`,
		"require path":    `require("../../etc/passwd")`,
		"require missing": `require("nosuchmodule")`,
		"debug":           `debug.getinfo(1)`,
		"package":         `package.loadlib("libc.so.6", "system")`,
		"coroutine":       `coroutine.create(function() end)`,
		"getfenv":         `getfenv(1)`,
		"huge string":     `local s = string.rep("x", 2^40)`,
		"collectgarbage":  `collectgarbage("collect")`,
		"rep via method":  `local s = ("x"):rep(2^40)`,
		"network":         `local s = require("socket")`,
		"wrong receiver":  `sim.resource(42, "x", 1)`,
		"method on proc":  `sim.schedule("not a sim", 1, function() end)`,
	}
	for name, code := range attempts {
		t.Run(name, func(t *testing.T) {
			path := write(t, "evil.lua", wrapBuild("    "+code))
			sc, err := Load(path, time.Minute)
			if err == nil {
				_, err = runAll(t, sc, 10*time.Second, 0)
			}
			if err == nil {
				t.Fatalf("%s succeeded", code)
			}
			if !strings.Contains(err.Error(), "evil.lua") {
				t.Errorf("error %q does not name the scenario", err)
			}
		})
	}
	if _, err := os.Stat("/tmp/medtwin-pwned"); err == nil {
		t.Fatal("a script ran a program")
	}
}

func TestRequireStaysInScenarioDirectory(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "helpers.lua"), []byte(`return { double = function(x) return 2 * x end }`), 0o644)
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.lua"), []byte(`return "secret"`), 0o644)
	os.Symlink(filepath.Join(outside, "secret.lua"), filepath.Join(dir, "escape.lua"))
	ok := filepath.Join(dir, "ok.lua")
	os.WriteFile(ok, []byte(wrapBuild(`    local h = require("helpers")
    sim:set("x", h.double(21))`)), 0o644)
	sc, err := Load(ok, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(t, sc, time.Minute, 0)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := kpi(res[0], "x"); k.Value != 42 {
		t.Fatalf("x = %v", k.Value)
	}
	bad := filepath.Join(dir, "bad.lua")
	os.WriteFile(bad, []byte(wrapBuild(`    local s = require("escape")`)), 0o644)
	sc, _ = Load(bad, time.Minute)
	if _, err := runAll(t, sc, time.Minute, 0); err == nil || !strings.Contains(err.Error(), "outside the scenario's directory") {
		t.Fatalf("a symlink out of the directory was followed: %v", err)
	}
}

func TestRunawayScriptsAreStopped(t *testing.T) {
	cases := map[string]struct {
		src  string
		want string
	}{
		"loop at load": {"while true do end\n" + wrapBuild(""), "time limit"},
		"loop in build": {wrapBuild(`    local i = 0
    while true do i = i + 1 end`), "time limit"},
		"loop in a process": {wrapBuild(`    sim:process(function(proc)
      proc:timeout(5)
      while true do end
    end)`), "time limit"},
		"loop in a callback": {wrapBuild(`    sim:schedule(1, function() while true do end end)`), "time limit"},
		"recursion": {wrapBuild(`    local function f(n) return 1 + f(n + 1) end
    f(1)`), "stack overflow"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := write(t, "runaway.lua", c.src)
			start := time.Now()
			sc, err := Load(path, 300*time.Millisecond)
			if err == nil {
				_, err = runAll(t, sc, 300*time.Millisecond, 0)
			}
			if err == nil {
				t.Fatal("runaway script was not stopped")
			}
			if el := time.Since(start); el > 10*time.Second {
				t.Fatalf("took %v to stop", el)
			}
			if !strings.Contains(err.Error(), "runaway.lua") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q should name the scenario and say %q", err, c.want)
			}
		})
	}
}

func TestMemoryLimitStopsTableGrowth(t *testing.T) {
	path := write(t, "hog.lua", wrapBuild(`    local t = {}
    local i = 0
    while true do i = i + 1; t[i] = { i, i, i, i } end`))
	sc, err := Load(path, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, err = runAll(t, sc, time.Minute, 256<<20)
	if err == nil || !strings.Contains(err.Error(), "memory limit") {
		t.Fatalf("got %v, want a memory limit error", err)
	}
}

// A format width cannot allocate without bound: gopher-lua's string.format caps it.
func TestFormatWidthIsBounded(t *testing.T) {
	path := write(t, "fmt.lua", wrapBuild(`    sim:set("n", #string.format("%0999999999d", 1))`))
	sc, err := Load(path, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runAll(t, sc, 10*time.Second, 256<<20)
	if err != nil {
		return // an error is as good as a bounded string
	}
	if k, _ := kpi(res[0], "n"); k.Value > 1<<20 {
		t.Fatalf("string.format produced %v bytes", k.Value)
	}
}

// The prelude's hooks for the host are out of a scenario's reach, at the top
// level and in build (issue 18, Low 12: calling __medtwin_worker by hand could
// end another process).
func TestPreludeHooksHidden(t *testing.T) {
	for _, code := range []string{"__medtwin_worker(function() end)", "__medtwin_use()"} {
		path := write(t, "hook.lua", "local w = "+strings.SplitN(code, "(", 2)[0]+"\n"+wrapBuild("    "+code))
		sc, err := Load(path, time.Minute)
		if err == nil {
			_, err = runAll(t, sc, 10*time.Second, 0)
		}
		if err == nil || !strings.Contains(err.Error(), "unknown name") {
			t.Errorf("%s: %v", code, err)
		}
	}
}
