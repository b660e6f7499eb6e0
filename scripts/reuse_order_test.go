package scripts

import (
	"context"
	"testing"
	"time"

	"github.com/medtwin/medtwin/engine"
)

// orderScenario records the order in which pairs visits the string library
// (a table of more than 8 keys: a Go map in the carried gopher-lua) and then
// changes the library, so that the next replication on the same state gets a
// copy of it made by luaWorker.reset.
const orderScenario = `
return scenario {
  name = "order", replications = 6, horizon = 10,
  build = function(sim, p)
    local h, i = 0, 0
    for k in pairs(string) do i = i + 1; h = (h * 31 + #k * i) % 1000003 end
    sim:record("order_hash", h)
    string.extra = sim:replication()
  end,
}
`

// Issue 25: a replication on a reused state starts from the same state as the
// first, down to the order in which pairs visits a library table that the
// replication before changed. The snapshot was taken with LTable.ForEach,
// which walks a Go map in random order, so the copy made by reset visited
// its keys in another order than the table set up, and than the copy of the
// run before: same seed, other results.
func TestReusedStateKeepsPairsOrder(t *testing.T) {
	sc, err := Load(write(t, "order.lua", orderScenario), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e := sc.Experiment(ctx, 0, sc.Replications)
	e.Workers = 1
	var hashes []float64
	err = e.Run(ctx, func(r engine.RepResult) error {
		for _, k := range r.KPIs {
			if k.Name == "order_hash" {
				hashes = append(hashes, k.Value)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(hashes) != sc.Replications {
		t.Fatalf("%d order_hash values, want %d", len(hashes), sc.Replications)
	}
	for i, h := range hashes {
		if h != hashes[0] {
			t.Errorf("replication %d visits the string library in another order (hash %v) than the first (%v)", i+1, h, hashes[0])
		}
	}
}
