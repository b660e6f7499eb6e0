package main

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/physio/trial"
)

// A trial's timeseries.arrow is in hours, the spec's unit, with the subject,
// arm and variable in columns of their own (it was in seconds, with the arm
// packed into the series name "conc_mg_l/<arm>"). vancomycin_trial.lua asks
// for hourly curves (timeseries = { every = 1 }) and has three arms.
func TestTrialSeriesInHoursWithArmColumn(t *testing.T) {
	out := filepath.Join(t.TempDir(), "trial")
	if _, errs, code := medtwin(t, "trial", "../../scenarios/vancomycin_trial.lua", "--subjects", "2", "--out", out); code != 0 {
		t.Fatal(errs)
	}
	tab, err := results.Read(filepath.Join(out, "timeseries.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Release()
	for i, c := range trial.SeriesColumns {
		if f := tab.Schema.Field(i); f.Name != c.Name || f.Type.String() != c.Type.String() {
			t.Fatalf("column %d is %s %s, want %s %s", i, f.Name, f.Type, c.Name, c.Type)
		}
	}
	// subject 0's rows: for each arm in turn, hours 0, 1, 2, ...
	times := map[string][]float64{}
	var order []string
	for _, r := range tab.Rows(-1) {
		if r[0] != "0" {
			break
		}
		if r[2] != "conc_mg_l" {
			t.Fatalf("row %v: variable %q, want conc_mg_l", r, r[2])
		}
		if _, ok := times[r[1]]; !ok {
			order = append(order, r[1])
		}
		h, _ := strconv.ParseFloat(r[3], 64)
		times[r[1]] = append(times[r[1]], h)
	}
	if len(order) != 3 || order[0] != "1 g q12h" || order[1] != "15 mg/kg q12h" {
		t.Fatalf("subject 0's arms %q, want the spec's three in order", order)
	}
	for _, a := range order {
		ts := times[a]
		for k, h := range ts {
			if h != float64(k) {
				t.Fatalf("arm %s: times %v, want 0, 1, 2, ... h", a, ts)
			}
		}
		if len(ts) < 24 {
			t.Errorf("arm %s: %d hourly points, want at least a day", a, len(ts))
		}
	}
}
