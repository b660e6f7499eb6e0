package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// `medtwin bench tmdd` runs both sides and the typical subject's total
// concentration at 336 h agrees with deSolve's (a hand-written C RHS, an
// independent implementation of Gibiansky 2008) to 1e-6. Skips without
// Rscript and deSolve (make r-reference).
func TestBenchTMDD(t *testing.T) {
	if _, err := exec.LookPath("Rscript"); err != nil {
		t.Skip("no Rscript: make r-reference")
	}
	if err := exec.Command("Rscript", "-e", "library(deSolve)").Run(); err != nil {
		t.Skip("no deSolve: make r-reference")
	}
	out, errs, code := medtwin(t, "bench", "tmdd", "--subjects", "20", "--desolve-subjects", "3", "--rounds", "1", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rows []benchRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 4 {
		t.Fatalf("%v: %s", err, out)
	}
	if rows[0].Value <= 0 || rows[1].Ratio <= 0 || !strings.HasPrefix(rows[3].Name, "typical ctot") || rows[3].Value > 1e-6 {
		t.Errorf("rows: %+v", rows)
	}
}
