package scripts

import (
	"strings"
	"testing"
	"time"
)

// Issue 17 item 3: math.random drew from Go's global generator, so the same
// scenario and seed gave different numbers on every run. It and math.randomseed
// are now errors that name the scenario's line and point to sim:rng streams.
func TestMathRandomIsRefused(t *testing.T) {
	for _, code := range []string{`sim:set("x", math.random())`, `sim:set("x", math.random(1, 6))`, `math.randomseed(42)`} {
		sc, err := Load(write(t, "dice.lua", wrapBuild("    "+code)), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		res, err := runAll(t, sc, 10*time.Second, 0)
		if err == nil {
			k, _ := kpi(res[0], "x")
			t.Fatalf("%s ran (x = %v), want an error", code, k.Value)
		}
		for _, want := range []string{"dice.lua:4:", "math.random", `sim:rng("`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not contain %q", code, err, want)
			}
		}
	}
}
