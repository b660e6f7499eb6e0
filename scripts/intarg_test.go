package scripts

import (
	"strings"
	"testing"
	"time"
)

// A number past int64 given where the engine wants an integer (a resource's
// capacity from a parameter that is not declared integer, --set c=1e19) is an
// error naming the argument, not a conversion that wraps to
// -9223372036854775808 (issue 18, Low 11). Each case is one such place.
func TestIntegersDoNotWrap(t *testing.T) {
	for name, body := range map[string]string{
		"resource":     `sim:resource("r", p.c)`,
		"set_capacity": `sim:resource("r", 1):set_capacity(p.c)`,
		"roster":       `sim:resource("r", 1):roster({{at = 0, capacity = p.c}})`,
		"store":        `sim:store("s", p.c)`,
		"rng int":      `sim:rng("x"):int(0, p.c)`,
		"source limit": `sim:source("s", function() return 1 end, function(proc) end, {limit = p.c})`,
		"ed beds":      `require("medtwin.ops").ed(sim, {beds = p.c})`,
	} {
		src := strings.Replace(wrapBuild(body), `replications = 1,`, `replications = 1, params = { c = param(2, {min = 1}) },`, 1)
		sc, err := Load(write(t, "wrap.lua", src), time.Minute)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := sc.Set("c=1e19"); err != nil {
			t.Fatalf("%s: --set c=1e19 refused before the run: %v", name, err)
		}
		_, err = runAll(t, sc, time.Minute, 0)
		if err == nil || !strings.Contains(err.Error(), "within ±2^53, got 1e+19") || strings.Contains(err.Error(), "-9223372036854775808") {
			t.Errorf("%s with 1e19: %v", name, err)
		}
	}
}
