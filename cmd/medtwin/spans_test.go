package main

import (
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/results"
)

// Issue 24: horizon and warm-up could not be set from the command line.
// --horizon 30d --warmup 0 runs each replication for 30 days (the arrivals
// counted match a Poisson count over 30 days, not 365) and records the span
// in the files' provenance (a checkpoint with another horizon is not
// resumed: TestCheckpointKeepsItsHorizon).
func TestHorizonAndWarmupFlags(t *testing.T) {
	out := filepath.Join(t.TempDir(), "mmc")
	_, errs, code := medtwin(t, "run", "../../scenarios/mmc.lua", "-q", "-r", "2", "--horizon", "30d", "--warmup", "0", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	tb, err := results.Read(filepath.Join(out, "kpis.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	md := tb.Meta()
	tb.Release()
	if md["medtwin.horizon_s"] != "2.592e+06" || md["medtwin.warmup_s"] != "0" {
		t.Errorf("provenance horizon %q warm-up %q, want 2.592e+06 and 0", md["medtwin.horizon_s"], md["medtwin.warmup_s"])
	}
	// 9 arrivals per hour for 720 h: 6480 expected, sd 80; a 365-day horizon gives 78840
	sum, err := results.Read(filepath.Join(out, "summary.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer sum.Release()
	found := false
	ki, mi := sum.Column("kpi"), sum.Column("mean")
	for _, row := range sum.Rows(int(sum.NumRows())) {
		if row[ki] == "servers.arrivals" {
			found = true
			// two replications: the mean's sd is 80/sqrt(2) = 57
			if m, err := strconv.ParseFloat(row[mi], 64); err != nil || math.Abs(m-6480) > 5*57 {
				t.Errorf("servers.arrivals mean %s over 30 days, want 6480 +- 285", row[mi])
			}
		}
	}
	if !found {
		t.Fatal("no servers.arrivals in summary.arrow")
	}
	for _, bad := range [][]string{{"--horizon", "0d"}, {"--horizon", "10"}, {"--horizon", "1d", "--warmup", "2d"}, {"--warmup", "-1h"}} {
		args := append([]string{"run", "../../scenarios/mmc.lua", "-q", "-r", "1", "--out", filepath.Join(t.TempDir(), "x")}, bad...)
		if _, errs, code := medtwin(t, args...); code != 2 || !strings.Contains(errs, "--horizon") && !strings.Contains(errs, "warm") {
			t.Errorf("%v: exit %d: %s", bad, code, errs)
		}
	}
}
