package scripts

import (
	"math"
	"testing"

	"github.com/medtwin/medtwin/engine"
)

// Issue 17 item 2, through Lua: one fair coin flip per replication, counted
// only when it lands heads. Over 400 replications the mean of heads is 0.5
// (binomial: SD 0.5/sqrt(400) = 0.025); before the fix the summary averaged
// only the replications that had a head and reported exactly 1.
func TestLuaCounterMeanCountsZeroReplications(t *testing.T) {
	src := `return scenario {
  name = "coin", replications = 400, horizon = 10,
  build = function(sim, p)
    local coin = sim:rng("coin")
    sim:schedule(1, function() if coin:bernoulli(0.5) then sim:count("heads") end end)
  end,
}`
	res := runLua(t, "coin.lua", src)
	for _, s := range engine.Summaries(res, 0.95) {
		if s.Name == "heads" {
			if s.N != 400 || math.Abs(s.Mean-0.5) > 4*0.025 {
				t.Fatalf("heads: mean %v over %d replications, want 0.5 ± 0.1 over 400", s.Mean, s.N)
			}
			return
		}
	}
	t.Fatal("no heads KPI")
}
