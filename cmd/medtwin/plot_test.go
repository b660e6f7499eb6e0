package main

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/medtwin/medtwin/engine/results"
)

// Acceptance (issue 8): plots and an HTML report are produced and checked: files
// non-empty, valid PNG/SVG/HTML, and the report's tables carry the run's KPI values.
func TestPlotsAndReport(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	report := filepath.Join(dir, "report.html")
	out, errs, code := medtwin(t, "run", "../../scenarios/clinic_ed.lua", "--replications", "3", "--out", run, "--quiet", "--report", report, "--json")
	if code != 0 {
		t.Fatalf("run: %s", errs)
	}
	html, err := os.ReadFile(report)
	if err != nil || !bytes.HasPrefix(html, []byte("<!DOCTYPE html>")) || !bytes.Contains(html, []byte("</html>")) {
		t.Fatalf("report: %v", err)
	}
	// the report's table carries the KPI values that the run printed
	for _, kpi := range []string{"door_to_doctor_min", "lwbs_rate", "beds.utilisation"} {
		i := strings.Index(out, `"kpi": "`+kpi+`"`)
		if i < 0 {
			t.Fatalf("no %s in the run output", kpi)
		}
		if !strings.Contains(string(html), "<td>"+kpi+"</td>") {
			t.Errorf("report has no row for %s", kpi)
		}
	}
	if !bytes.Contains(html, []byte("<svg")) {
		t.Error("report has no figure")
	}
	sweep := filepath.Join(dir, "sweep")
	if _, errs, code := medtwin(t, "sweep", "../../scenarios/mmc.lua", "--grid", "servers=10..12", "--grid", "arrival_rate=8,9",
		"--replications", "3", "--set", "customers=3000", "--out", sweep, "--quiet"); code != 0 {
		t.Fatalf("sweep: %s", errs)
	}
	for _, c := range [][]string{
		{"plot", "sweep", filepath.Join(sweep, "sweep.arrow"), "--kpi", "wait_h", "--x", "servers", "-o", filepath.Join(dir, "sweep.svg")},
		{"plot", "sweep", filepath.Join(sweep, "sweep.arrow"), "--kpi", "wait_h", "--x", "servers", "-o", filepath.Join(dir, "sweep.png")},
		{"plot", "tornado", filepath.Join(sweep, "sweep.arrow"), "--kpi", "wait_h", "-o", filepath.Join(dir, "tornado.svg")},
		{"plot", "hourly", run, "--series", "beds.in_use,beds.queue", "-o", filepath.Join(dir, "hourly.png")},
		{"plot", "percentiles", run, "--series", "doctors.in_use", "-o", filepath.Join(dir, "band.svg")},
	} {
		if _, errs, code := medtwin(t, c...); code != 0 {
			t.Fatalf("%v: %s", c, errs)
		}
		path := c[len(c)-1]
		data, err := os.ReadFile(path)
		if err != nil || len(data) < 500 {
			t.Fatalf("%s: %v, %d bytes", path, err, len(data))
		}
		if strings.HasSuffix(path, ".png") && !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s is not a PNG", path)
		}
		if strings.HasSuffix(path, ".svg") {
			var v struct{ XMLName xml.Name }
			if err := xml.Unmarshal(data, &v); err != nil || v.XMLName.Local != "svg" {
				t.Errorf("%s is not valid SVG: %v", path, err)
			}
		}
	}
	if _, errs, code := medtwin(t, "plot", "sweep", filepath.Join(sweep, "sweep.arrow"), "--kpi", "nope", "--x", "servers"); code != 2 || !strings.Contains(errs, "no KPI") {
		t.Errorf("unknown KPI: exit %d %s", code, errs)
	}
}

// Valid Arrow files that are not the table a plot verb reads (a column of
// another type, a column missing) give an error naming the file, not a panic
// (issue 18, Medium 4).
func TestPlotRefusesOtherSchemas(t *testing.T) {
	dir := t.TempDir()
	i64, f64, str := arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64, arrow.BinaryTypes.String
	write := func(path string, cols []results.Column, meta map[string]string) {
		w, err := results.Create(path, cols, meta, 0)
		if err != nil {
			t.Fatal(err)
		}
		for c, col := range cols {
			switch col.Type.ID() {
			case arrow.INT64:
				w.I64(c, 1)
			case arrow.STRING:
				w.Str(c, "beds.in_use")
			default:
				w.F64(c, 1)
			}
		}
		w.EndRow()
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// a sweep file whose combo is int64 and a time series whose replication is int64
	sweep := filepath.Join(dir, "sweep.arrow")
	write(sweep, []results.Column{{Name: "combo", Type: i64}, {Name: "param_x", Type: f64}, {Name: "kpi", Type: str},
		{Name: "mean", Type: f64}, {Name: "ci_low", Type: f64}, {Name: "ci_high", Type: f64}}, map[string]string{"medtwin.table": "sweep"})
	run := filepath.Join(dir, "run")
	os.MkdirAll(run, 0o755)
	write(filepath.Join(run, "timeseries.arrow"), []results.Column{{Name: "replication", Type: i64}, {Name: "time_s", Type: f64},
		{Name: "series", Type: str}, {Name: "value", Type: f64}}, nil)
	for _, args := range [][]string{
		{"plot", "sweep", sweep, "--kpi", "beds.in_use", "--x", "x", "-o", filepath.Join(dir, "a.svg")},
		{"plot", "tornado", sweep, "--kpi", "beds.in_use", "-o", filepath.Join(dir, "b.svg")},
		{"plot", "hourly", run, "--series", "beds.in_use", "-o", filepath.Join(dir, "c.svg")},
		{"plot", "percentiles", run, "--series", "beds.in_use", "-o", filepath.Join(dir, "d.svg")},
	} {
		_, errs, code := medtwin(t, args...)
		if code == 0 || !strings.Contains(errs, dir) || !strings.Contains(errs, "column") {
			t.Errorf("%s: exit %d: %s", args[1], code, errs)
		}
	}
}
