package plan_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	. "github.com/medtwin/medtwin/scripts/plan"
)

// Compare runs each of R replications three times (baseline, variant with
// common random numbers, variant on independent streams): the progress
// callback is called 3R times.
func TestCompareReportsProgress(t *testing.T) {
	p := filepath.Join(t.TempDir(), "coin.lua")
	os.WriteFile(p, []byte(`return scenario {
  name = "coin", replications = 7, horizon = 10,
  params = { p = param(0.5, { min = 0, max = 1 }) },
  build = function(sim, p)
    local coin = sim:rng("coin")
    sim:schedule(1, function() if coin:bernoulli(p.p) then sim:count("heads") end end)
  end,
}`), 0o644)
	base := load(t, p)
	variant := base.Clone()
	if err := variant.Set("p=0.6"); err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	ctx := WithProgress(context.Background(), func() { n.Add(1) })
	if _, err := Compare(ctx, base, variant, 2); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 21 {
		t.Errorf("progress called %d times, want 3 × 7 = 21", n.Load())
	}
}
