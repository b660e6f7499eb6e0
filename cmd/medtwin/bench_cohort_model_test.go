package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// `medtwin bench cohort --model pk2_oral` runs the reference subjects through
// the library's pk2_oral in the model language and through physio/pk's
// hand-written exact path (an independent implementation), whose
// concentrations agree within 1e-8 of their scale; an unknown model is an
// error listing the library.
func TestBenchCohortModel(t *testing.T) {
	out, errs, code := medtwin(t, "bench", "cohort", "--model", "pk2_oral", "--subjects", "20", "--rounds", "1", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rows []benchRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 5 {
		t.Fatalf("%v: %s", err, out)
	}
	if rows[2].Name != "model pk2_oral on cpu" || !(rows[2].Value > 0 && rows[2].Ratio > 0) {
		t.Errorf("language row: %+v", rows[2])
	}
	if last := rows[4]; !strings.Contains(last.Name, "to the exact path") || !(last.Value <= 1e-8) {
		t.Errorf("difference to the exact path: %+v", last)
	}
	_, errs, code = medtwin(t, "bench", "cohort", "--model", "pk2_orl", "--subjects", "2")
	if code == 0 || !strings.Contains(errs, `no built-in model "pk2_orl"`) || !strings.Contains(errs, "pk2_oral") {
		t.Errorf("unknown model: exit %d, %s", code, errs)
	}
}

// Review of issue 24: --rounds 0 ran no round and then read the results of
// the round that never ran (a nil pointer: medtwin panicked); it is an
// error naming the flag.
func TestBenchCohortModelNoRounds(t *testing.T) {
	_, errs, code := medtwin(t, "bench", "cohort", "--model", "pk2_oral", "--subjects", "2", "--stream", "0", "--rounds", "0")
	if code == 0 || !strings.Contains(errs, "--rounds 0") {
		t.Errorf("--rounds 0: exit %d, %s", code, errs)
	}
}

// Every bench verb with --rounds refuses fewer than one round as a usage
// error (exit 2) before measuring: they printed 0 per second for --rounds 0.
func TestBenchRefusesNoRounds(t *testing.T) {
	for _, verb := range []string{"des", "lua", "ed", "reps", "ode", "cohort", "tmdd", "sepsis"} {
		_, errs, code := medtwin(t, "bench", verb, "--rounds", "0")
		if code != 2 || !strings.Contains(errs, "bench "+verb+": --rounds 0: want at least 1") {
			t.Errorf("bench %s --rounds 0: exit %d, %s", verb, code, errs)
		}
	}
}
