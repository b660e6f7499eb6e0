package scripts

import (
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/scripts/plan"
)

// Issue 19 item 3: a scenario declares its KPIs' directions (kpis = {...}),
// they reach plan.Description, and a bad declaration names file and line.
func TestScenarioDeclaresKPIDirections(t *testing.T) {
	sc, err := Load("../scenarios/mmc.lua", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	d := sc.Describe()
	if b, declared := plan.Direction(d, "wait_h"); b != plan.Lower || !declared {
		t.Fatalf("wait_h: %v declared %v, want lower, declared", b, declared)
	}
	if p := d.Param("servers"); p == nil || p.Value != "10" || !p.Integer || p.Min != 1 {
		t.Fatalf("servers: %+v", p)
	}
	m, err := sc.With("servers", "11")
	if err != nil || m.Describe().Param("servers").Value != "11" || sc.Param("servers").Value != 10.0 {
		t.Fatalf("With: %v; the receiver must stay unchanged", err)
	}
	for src, want := range map[string]string{
		`kpis = { wait_h = { better = "smaller" } },`:            `t.lua:1: kpis.wait_h.better must be "lower" or "higher", got smaller`,
		`kpis = { wait_h = "lower" },`:                           `kpis.wait_h must be a table`,
		`kpis = { wait_h = { better = "lower", units = "h" } },`: `unknown field 'units'`,
		`kpis = 3,`: `kpis must be a table`,
	} {
		_, err := LoadSource("t.lua", []byte(`return scenario { name = "t", `+src+` build = function(sim, p) end }`), time.Minute)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", src, err, want)
		}
	}
}
