package scripts

import (
	"strings"
	"testing"
	"time"
)

// Each bad script must give an error that names the file and line and says what
// was expected.
func TestErrorsNameFileLineAndExpectation(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{"param out of bounds", `return scenario {
  name = "t",
  params = {
    beds = param(-3, { min = 1 }),
  },
  build = function(sim, p) end,
}`, []string{"bad.lua:4:", "beds must be >= 1, got -3"}},
		{"misspelt method", wrapBuild(`    local r = sim:resourse("beds", 3)`), []string{"bad.lua:4:", "sim has no method 'resourse'", "did you mean 'resource'"}},
		{"misspelt global", wrapBuild(`    local x = hour(2)`), []string{"bad.lua:4:", "unknown name 'hour'", "did you mean 'hours'"}},
		{"wrong type", wrapBuild(`    local r = sim:resource("beds", "ten")`), []string{"bad.lua:4:", "number expected, got string"}},
		{"zero capacity", wrapBuild(`    local r = sim:resource("beds", 0)`), []string{"bad.lua:4:", "capacity must be at least 1, got 0"}},
		{"negative delay", wrapBuild(`    sim:schedule(-5, function() end)`), []string{"bad.lua:4:", "delay must be >= 0, got -5"}},
		{"syntax error", "return scenario {\n  name = \"t\",\n  build = function(sim, p) local x = = 1 end,\n}", []string{"bad.lua:3:", "syntax error"}},
		{"unknown field", `return scenario {
  name = "t", replicatons = 5,
  build = function(sim, p) end,
}`, []string{"bad.lua:1:", "unknown scenario field 'replicatons'", "did you mean 'replications'"}},
		{"no scenario", `return 42`, []string{"bad.lua", "return scenario"}},
		{"unknown param read", `return scenario {
  name = "t", params = { beds = param(3) },
  build = function(sim, p)
    local n = p.bedz
  end,
}`, []string{"bad.lua:4:", "no parameter 'bedz'", "did you mean 'beds'"}},
		{"bad request option", wrapBuild(`    local r = sim:resource("beds", 1)
    sim:process(function(proc) proc:request(r, { priorty = 1 }) end)`), []string{"bad.lua:5:", "unknown request option 'priorty'", "did you mean 'priority'"}},
		{"runtime error in process", wrapBuild(`    sim:process(function(proc)
      proc:timeout(1)
      local x = nil + 1
    end)`), []string{"bad.lua:6:", "cannot perform add operation"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := write(t, "bad.lua", c.src)
			sc, err := Load(path, time.Minute)
			if err == nil {
				_, err = runAll(t, sc, time.Minute, 0)
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestSetErrors(t *testing.T) {
	sc, err := Load("../scenarios/mmc.lua", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for assign, want := range map[string][]string{
		"sevrers=12":      {"no parameter 'sevrers'", "did you mean 'servers'", "declares: servers"},
		"servers=0":       {"mmc.lua:10:", "servers must be >= 1, got 0"},
		"servers=2.5":     {"servers must be an integer"},
		"servers=ten":     {"servers is a number, got \"ten\""},
		"arrival_rate":    {"want name=value"},
		"service_mean=-1": {"service_mean must be >= 0"},
	} {
		err := sc.Clone().Set(assign)
		if err == nil {
			t.Errorf("--set %s accepted", assign)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("--set %s: %q does not contain %q", assign, err, w)
			}
		}
	}
	c := sc.Clone()
	if err := c.Set("servers=12"); err != nil || c.Param("servers").Value != 12.0 || sc.Param("servers").Value != 10.0 {
		t.Fatalf("a valid --set failed or leaked into the original: %v", err)
	}
}
