package results

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/medtwin/medtwin/engine"
)

// synthRep is replication r of a made-up run: two KPIs, and a flow row for
// every third replication only, so that flow.arrow has replications without
// rows next to block edges (1023 has none, 1024 has one).
func synthRep(r int) engine.RepResult {
	res := engine.RepResult{Replication: r, KPIs: []engine.KPIValue{
		{Name: "wait", Kind: engine.KindTally, Value: float64(r) / 7, N: int64(r%5 + 1)},
		{Name: "served", Kind: engine.KindCounter, Value: float64(r % 11), N: 1},
	}}
	if r%3 == 0 {
		res.Flow = []engine.FlowRow{{Entity: int64(r), Source: "s", Arrival: 1, End: 2, Acuity: 1,
			DoorTriage: engine.NoTime, DoorDoctor: engine.NoTime, Disposition: "left", Boarding: engine.NoTime}}
	}
	return res
}

func writeSynth(t *testing.T, dir string, from, to, total int, shard string) {
	t.Helper()
	prov := Provenance{Version: "test", Scenario: "synth", Seed: 1, From: from, To: to, Total: total, Shard: shard}
	rw, err := NewRunWriter(dir, prov, false, false)
	if err != nil {
		t.Fatal(err)
	}
	for r := from; r < to; r++ {
		if err := rw.Add(synthRep(r)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rw.Close(); err != nil {
		t.Fatal(err)
	}
}

// Issue 25: a run's tables put the rows of a block of RepsPerBatch
// replications into one record batch (was one per replication), cut by the
// replication numbers alone: shards cut anywhere and merged give the one-machine
// bytes, and so does a checkpointed run killed and resumed.
func TestRecordBatchesHoldBlocksOfReplications(t *testing.T) {
	const n = 2*RepsPerBatch + 500
	one := t.TempDir()
	writeSynth(t, one, 0, n, n, "1/1")

	tab, err := Read(filepath.Join(one, "kpis.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Release()
	if len(tab.Batches) != 3 {
		t.Fatalf("kpis.arrow of %d replications has %d record batches, want 3 (blocks of %d)", n, len(tab.Batches), RepsPerBatch)
	}
	for i, b := range tab.Batches {
		reps := b.Column(0).(*array.Int32)
		if first := int(reps.Value(0)); first != i*RepsPerBatch {
			t.Errorf("batch %d begins with replication %d, want %d", i, first, i*RepsPerBatch)
		}
	}

	var parts []string
	for i, r := range [][2]int{{0, 1000}, {1000, 2100}, {2100, n}} { // edges off the blocks
		d := t.TempDir()
		writeSynth(t, d, r[0], r[1], n, fmt.Sprintf("%d/3", i+1))
		parts = append(parts, d)
	}
	merged := t.TempDir()
	if _, _, err := MergeRuns(merged, parts); err != nil {
		t.Fatal(err)
	}
	sameRunFiles(t, merged, one, "shards merged vs one run")

	// killed after 1500 replications with groups of 700, then resumed
	dir := t.TempDir()
	prov := Provenance{Version: "test", Scenario: "synth", Seed: 1, From: 0, To: n, Total: n, Shard: "1/1"}
	cp := &Checkpoint{Dir: dir, Prov: prov, Schedule: Schedule{Every: 700}}
	for r := cp.Start(false); r < 1500; r++ {
		if err := cp.Add(synthRep(r)); err != nil {
			t.Fatal(err)
		}
	}
	cp = &Checkpoint{Dir: dir, Prov: prov, Schedule: Schedule{Every: 700}}
	start := cp.Start(true)
	if start != 1400 {
		t.Fatalf("resume starts at %d, want 1400", start)
	}
	for r := start; r < n; r++ {
		if err := cp.Add(synthRep(r)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cp.Finish(); err != nil {
		t.Fatal(err)
	}
	sameRunFiles(t, dir, one, "killed and resumed vs one run")
}

func sameRunFiles(t *testing.T, a, b, what string) {
	t.Helper()
	for _, name := range []string{"kpis.arrow", "flow.arrow", "summary.arrow"} {
		x, err1 := os.ReadFile(filepath.Join(a, name))
		y, err2 := os.ReadFile(filepath.Join(b, name))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if string(x) != string(y) {
			t.Errorf("%s: %s differs", what, name)
		}
	}
}
