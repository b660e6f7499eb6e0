package plan_test

import (
	"context"
	"sync/atomic"
	"testing"

	. "github.com/medtwin/medtwin/scripts/plan"
)

// Compare runs each of R replications three times (baseline, variant with
// common random numbers, variant on independent streams): the progress
// callback is called 3R times.
func TestCompareReportsProgress(t *testing.T) {
	base := coinScenario(t, 7)
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
