package scripts

import (
	"math"
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

// exactInt converts exactly the whole numbers within ±2^53 and says why not
// for the others, at the edges of its inlined fast path too: ±2^53 convert,
// ±(2^53+2) and -2^63 (which int() converts back exactly) are beyond,
// NaN, infinities and fractions are not integers.
func TestExactIntEdges(t *testing.T) {
	const p53 = 1 << 53
	for _, tc := range []struct {
		v    float64
		want int
		why  string // part of the message; "" when it converts
	}{
		{0, 0, ""}, {math.Copysign(0, -1), 0, ""}, {3, 3, ""}, {-3, -3, ""},
		{p53, p53, ""}, {-p53, -p53, ""},
		{p53 + 2, 0, "within ±2^53"}, {-p53 - 2, 0, "within ±2^53"},
		{-9223372036854775808, 0, "within ±2^53"}, {1e19, 0, "within ±2^53"}, {-1e19, 0, "within ±2^53"},
		{2.5, 0, "must be an integer, got"}, {math.NaN(), 0, "must be an integer, got"},
		{math.Inf(1), 0, "must be an integer, got"}, {math.Inf(-1), 0, "must be an integer, got"},
	} {
		got, why := exactInt(tc.v)
		if tc.why == "" && (why != "" || got != tc.want) || tc.why != "" && !strings.Contains(why, tc.why) {
			t.Errorf("exactInt(%v) = %d, %q; want %d, %q", tc.v, got, why, tc.want, tc.why)
		}
	}
}
