package results

import (
	"context"
	"testing"

	"github.com/medtwin/medtwin/engine"
)

// Issue 24 (--horizon, --warmup): a checkpoint written with one horizon is
// not resumed by a run with another, and the provenance reads back what was
// written.
func TestCheckpointKeepsItsHorizon(t *testing.T) {
	dir := t.TempDir()
	prov := Provenance{Version: "test", Scenario: "mmc", Seed: 3, From: 0, To: 10, Total: 10,
		Params: map[string]string{"c": "2"}, Horizon: 500, Warmup: 50}
	cp := &Checkpoint{Dir: dir, Prov: prov, Schedule: Schedule{Every: 3}}
	cp.Start(false)
	e := engine.Experiment{Seed: 3, From: 0, To: 10, Horizon: 500, Warmup: 50, Build: engine.MMc{C: 2, Lambda: 1.5, Mu: 1}.Build}
	n := 0
	e.Run(context.Background(), func(r engine.RepResult) error {
		if n == 6 {
			return context.Canceled
		}
		n++
		return cp.Add(r)
	})
	same := &Checkpoint{Dir: dir, Prov: prov, Schedule: Schedule{Every: 3}}
	if got := same.Start(true); got != 6 {
		t.Fatalf("same horizon: resumes at %d, want 6", got)
	}
	other := prov
	other.Horizon = 600
	cp2 := &Checkpoint{Dir: dir, Prov: other, Schedule: Schedule{Every: 3}}
	if got := cp2.Start(true); got != 0 {
		t.Errorf("horizon 600 resumed a horizon-500 checkpoint at %d, want 0", got)
	}
	md := prov.Metadata("kpis")
	back, err := ProvenanceFromMeta(md)
	if err != nil || back.Horizon != 500 || back.Warmup != 50 {
		t.Errorf("provenance round trip: %+v %v", back, err)
	}
	if _, ok := (Provenance{Seed: 1}).Metadata("kpis")["medtwin.horizon_s"]; ok {
		t.Error("a provenance without a horizon writes one")
	}
}
