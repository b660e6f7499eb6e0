package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/medtwin/medtwin/engine/results"
)

// flowCSV writes a run's flow.arrow as an observed-visits CSV in hours, with
// each LOS multiplied by losFactor (boarding kept: the decision to admit moves
// with the departure), plus one bad row.
func flowCSV(t *testing.T, flow, path string, losFactor float64) {
	t.Helper()
	tab, err := results.Read(flow)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Release()
	var b strings.Builder
	b.WriteString("arrival,acuity,seen,departure,disposition,admit_decision\n")
	h := func(s float64) string {
		if math.IsNaN(s) {
			return ""
		}
		return fmt.Sprint(s / 3600)
	}
	for _, rec := range tab.Batches {
		arr, end := rec.Column(3).(*array.Float64), rec.Column(4).(*array.Float64)
		acu, d2d, disp := rec.Column(5).(*array.Int32), rec.Column(7).(*array.Float64), rec.Column(8).(*array.String)
		board := rec.Column(10).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			if disp.Value(i) == "in_system" || disp.Value(i) == "diverted" {
				continue
			}
			a := arr.Value(i)
			dep := a + (end.Value(i)-a)*losFactor
			fmt.Fprintf(&b, "%s,%d,%s,%s,%s,%s\n", h(a), acu.Value(i), h(a+d2d.Value(i)), h(dep), disp.Value(i), h(dep-board.Value(i)))
		}
	}
	b.WriteString("-3,2,,,discharged\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// validate (plumbing; the statistics are tested in ops) against the visits of
// the very replication it simulates: every KPI passes with KS D = 0; against the
// same visits with LOS doubled: LOS fails. The bad row is named,
// the tables and the report are written, drift windows are listed.
func TestValidateCommand(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := medtwin(t, "run", "../../scenarios/ed_staffing.lua", "--replications", "1", "--seed", "99", "--quiet", "--out", dir); code != 0 {
		t.Fatal(errs)
	}
	same, longer := filepath.Join(dir, "same.csv"), filepath.Join(dir, "longer.csv")
	flowCSV(t, filepath.Join(dir, "flow.arrow"), same, 1)
	flowCSV(t, filepath.Join(dir, "flow.arrow"), longer, 2)
	out := filepath.Join(dir, "val")
	stdout, errs, code := medtwin(t, "validate", "../../scenarios/ed_staffing.lua", "--observed", same, "--replications", "1",
		"--seed", "99", "--window", "7d", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(stdout, "arrival: \"-3\" is not a number of hours >= 0") || !regexpLine(stdout, "los_h", "pass") ||
		!regexpLine(stdout, "door_to_doctor_min", "pass") || !regexpLine(stdout, "boarding_h", "pass") ||
		!strings.Contains(stdout, "of 20 window-KPI comparisons flagged") {
		t.Errorf("output:\n%s", stdout)
	}
	for _, f := range []string{"validation.arrow", "drift.arrow", "report.html"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty", f)
		}
	}
	report, err := os.ReadFile(filepath.Join(out, "report.html"))
	for _, fig := range []string{"ECDF: los_h", "QQ: los_h", "ECDF: boarding_h", "arrivals by hour of day",
		"door-to-doctor by hour of arrival", "length of stay by hour of arrival"} {
		if err != nil || !strings.Contains(string(report), fig) {
			t.Errorf("report.html has no figure %q (%v)", fig, err)
		}
	}
	stdout, _, code = medtwin(t, "validate", "../../scenarios/ed_staffing.lua", "--observed", longer, "--replications", "1", "--seed", "99", "--out", out)
	if code != 0 || !regexpLine(stdout, "los_h", "fail") {
		t.Errorf("LOS doubled: exit %d\n%s", code, stdout)
	}
	if _, errs, code := medtwin(t, "validate", "../../scenarios/mmc.lua", "--observed", same, "--replications", "1", "--set", "customers=100", "--out", out); code == 0 || !strings.Contains(errs, "no patient flow") {
		t.Errorf("a scenario without flow: exit %d, %s", code, errs)
	}
}

// regexpLine reports whether a line starts with kpi and ends with verdict.
func regexpLine(text, kpi, verdict string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, kpi+" ") && strings.HasSuffix(strings.TrimSpace(l), verdict) {
			return true
		}
	}
	return false
}
