package scripts

import (
	"testing"
)

// Issue 17 item 7: rng:empirical cached its distribution by the values table
// alone, so new weights for a values table it had seen were ignored. With all
// the weight on one value, every draw must be that value: first 10, then 20
// with a new weights table, then 30 after the weights table is changed in place.
func TestEmpiricalFollowsNewWeights(t *testing.T) {
	src := wrapBuild(`
    local r = sim:rng("e")
    local vals = { 10, 20, 30 }
    local function draws(w)
      local s = 0
      for i = 1, 50 do s = s + r:empirical(vals, w) end
      return s / 50
    end
    sim:set("first", draws({ 1, 0, 0 }))
    sim:set("second", draws({ 0, 1, 0 }))
    local w = { 0, 1, 0 }
    draws(w)
    w[2], w[3] = 0, 5
    sim:set("in_place", draws(w))`)
	res := runLua(t, "emp.lua", src)
	for name, want := range map[string]float64{"first": 10, "second": 20, "in_place": 30} {
		if k, _ := kpi(res[0], name); k.Value != want {
			t.Errorf("%s: mean draw %v, want %v (all the weight on %v)", name, k.Value, want, want)
		}
	}
}
