package results

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/medtwin/medtwin/engine"
)

// Issue 17 item 2 and the determinism contract: a counter incremented only in
// replication 3 of 4 summarises to 0.25 (0 in the other three), and the shard
// that never saw it merges into exactly the bytes one machine writes.
func TestCounterSeenInOneShardMergesIdentically(t *testing.T) {
	run := func(dir string, from, to int, shard string) {
		t.Helper()
		e := engine.Experiment{Seed: 3, From: from, To: to, Horizon: 10, Build: func(s *engine.Sim) error {
			if s.Replication() == 3 {
				s.Count("rare", 1)
			}
			s.Record("x", float64(s.Replication()))
			return nil
		}}
		prov := Provenance{Version: "test", Scenario: "rare", Seed: 3, From: from, To: to, Total: 4, Shard: shard}
		rw, err := NewRunWriter(dir, prov, false, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Run(context.Background(), rw.Add); err != nil {
			t.Fatal(err)
		}
		if _, err := rw.Close(); err != nil {
			t.Fatal(err)
		}
		for _, s := range rw.Summaries() {
			if s.Name == "rare" && to == 4 && from == 0 && (s.Mean != 0.25 || s.N != 4) {
				t.Errorf("rare: mean %v over %d, want 0.25 over 4", s.Mean, s.N)
			}
		}
	}
	one := t.TempDir()
	run(one, 0, 4, "1/1")
	var parts []string
	for i, r := range [][2]int{{0, 2}, {2, 4}} {
		d := t.TempDir()
		run(d, r[0], r[1], fmt.Sprintf("%d/2", i+1))
		parts = append(parts, d)
	}
	merged := t.TempDir()
	if _, _, err := MergeRuns(merged, parts); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"kpis.arrow", "summary.arrow"} {
		a, _ := os.ReadFile(filepath.Join(one, name))
		b, err := os.ReadFile(filepath.Join(merged, name))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: merged differs from the one-machine run (%v)", name, err)
		}
	}
}
