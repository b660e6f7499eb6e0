package results

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/medtwin/medtwin/engine"
)

// A model's own series (Observe, Lua's sim:observe) reach timeseries.arrow
// without sample_every, also when only some replications observe anything.
// They used to vanish: the run wrote timeseries.arrow only when it sampled.
func TestObservedSeriesKeptWithoutSampling(t *testing.T) {
	// straight to the final files, and through checkpoint groups resumed
	// after a kill (the groups are merged, some without a series file)
	for _, resumed := range []bool{false, true} {
		dir := t.TempDir()
		prov := Provenance{Version: "test", Scenario: "observe", Seed: 1, From: 0, To: 4, Total: 4}
		cp := &Checkpoint{Dir: dir, Prov: prov, Schedule: Schedule{Off: !resumed, Every: 1}}
		cp.Start(false)
		e := engine.Experiment{Seed: 1, From: 0, To: 4, Horizon: 100, Build: func(s *engine.Sim) error {
			if s.Replication()%2 == 1 { // replications 1 and 3 observe twice, 0 and 2 never
				return s.Schedule(10, func() {
					s.Observe("lactate_mmol_l", 2)
					s.Schedule(5, func() { s.Observe("lactate_mmol_l", 4.5) })
				})
			}
			return nil
		}}
		if err := e.Run(context.Background(), cp.Add); err != nil {
			t.Fatal(err)
		}
		if resumed {
			cp.Stop() // as a kill after the last group: the groups stay
			cp = &Checkpoint{Dir: dir, Prov: prov, Schedule: Schedule{Every: 1}}
			if next := cp.Start(true); next != 4 {
				t.Fatalf("resume at %d, want 4", next)
			}
		}
		if _, err := cp.Finish(); err != nil {
			t.Fatal(err)
		}
		tab, err := Read(filepath.Join(dir, "timeseries.arrow"))
		if err != nil {
			t.Fatalf("resumed %v: no timeseries.arrow: %v", resumed, err)
		}
		rows := tab.Rows(-1)
		tab.Release()
		want := [][]string{
			{"1", "10", "lactate_mmol_l", "0", "2"}, {"1", "15", "lactate_mmol_l", "0", "4.5"},
			{"3", "10", "lactate_mmol_l", "0", "2"}, {"3", "15", "lactate_mmol_l", "0", "4.5"},
		}
		if len(rows) != len(want) {
			t.Fatalf("resumed %v: rows %v, want %v", resumed, rows, want)
		}
		for i := range want {
			for j := range want[i] {
				if rows[i][j] != want[i][j] {
					t.Errorf("resumed %v: row %d: %v, want %v", resumed, i, rows[i], want[i])
					break
				}
			}
		}
	}
}
