package cohort

import (
	"math"
	"strconv"
	"testing"

	"github.com/medtwin/medtwin/engine/benchref"
)

// On the floor's own subjects (its generator ported), medtwin's exact path gives
// the floor's mean concentration at 336 h to the 4 decimals the floor prints.
func TestMeanConcMatchesFloor(t *testing.T) {
	dir := benchref.Dir()
	if dir == "" {
		t.Skip("../shared/bench not found")
	}
	bin, err := benchref.BuildC(dir, t.TempDir())
	if err != nil {
		t.Skip(err)
	}
	const n = 20000
	res, err := benchref.Run(bin, strconv.Itoa(n))
	if err != nil {
		t.Fatal(err)
	}
	b := FloorParams(n)
	cpu, _ := Get("cpu")
	if err := cpu.Simulate(b); err != nil {
		t.Fatal(err)
	}
	got, want := b.MeanAt(336), res["floor"]["mean_conc_at_336"]
	t.Logf("mean at 336 h: medtwin %.8f, floor %.4f (printed)", got, want)
	if math.Abs(got-want) > 0.5e-4 {
		t.Fatalf("mean %v vs floor %v", got, want)
	}
}
