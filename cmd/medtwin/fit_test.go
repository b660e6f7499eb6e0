package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/results"
)

// TestFitTheophylline: `medtwin fit` writes the Arrow tables, the report and
// the manifest; the tables carry nlme's subject 1 random effects (Pinheiro &
// Bates fm3Theo.nlme, see physio/fit's theoph test) and are byte-identical
// on a second run.
func TestFitTheophylline(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir()}
	for i, dir := range dirs {
		args := []string{"fit", "../../scenarios/theophylline_fit.lua", "--data", "../../scenarios/theophylline.csv", "--out", dir}
		if i == 1 {
			args = append(args, "--no-report")
		}
		out, errs, code := medtwin(t, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if !strings.Contains(out, "shrinkage eta_ka") || !strings.Contains(out, "OFV") {
			t.Fatalf("no summary:\n%s", out)
		}
	}
	for _, f := range []string{"individual.arrow", "records.arrow", "report.html", "manifest.json"} {
		if st, err := os.Stat(filepath.Join(dirs[0], f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty", f)
		}
	}
	for _, f := range []string{"individual.arrow", "records.arrow"} {
		a, _ := os.ReadFile(filepath.Join(dirs[0], f))
		b, _ := os.ReadFile(filepath.Join(dirs[1], f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", f)
		}
	}
	tab, err := results.Read(filepath.Join(dirs[0], "individual.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Release()
	if tab.NumRows() != 12 {
		t.Fatalf("%d rows, want 12", tab.NumRows())
	}
	rows := tab.Rows(1)
	ka, cl := rows[0][tab.Column("eta_ka")], rows[0][tab.Column("eta_cl")]
	// nlme: subject 1 b̂ = (−0.11925, −0.35425)
	if !strings.HasPrefix(ka, "-0.119") || !strings.HasPrefix(cl, "-0.354") {
		t.Errorf("subject 1 η = %s, %s; nlme −0.11925, −0.35425", ka, cl)
	}
	rec, err := results.Read(filepath.Join(dirs[0], "records.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if rec.NumRows() != 144 || rec.Column("ipred") < 0 || rec.Column("iwres") < 0 || rec.Column("pred") < 0 {
		t.Errorf("records.arrow: %d rows, columns %v", rec.NumRows(), rec.Schema)
	}
	html, _ := os.ReadFile(filepath.Join(dirs[0], "report.html"))
	if c := strings.Count(string(html), "<svg"); c != 12 {
		t.Errorf("report has %d figures, want 12", c)
	}
}

// TestFitRecommendJSON: --recommend writes recommendation.json and --json
// prints the best regimen with its probability of attainment.
func TestFitRecommendJSON(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := medtwin(t, "fit", "../../scenarios/vancomycin_map.lua", "--data", "../../scenarios/vancomycin_levels.csv",
		"--recommend", "1", "--out", dir, "--json", "--no-report")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var v struct {
		Recommendation struct {
			Best struct {
				PTA       float64 `json:"pta"`
				DoseMg    float64 `json:"dose_mg"`
				IntervalH float64 `json:"interval_h"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if b := v.Recommendation.Best; !(b.PTA > 0.5 && b.PTA <= 1) || b.DoseMg <= 0 {
		t.Errorf("best %+v", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "recommendation.json")); err != nil {
		t.Error(err)
	}
}

// TestFitErrors: a bad row, an unknown subject and a bad spec are named.
func TestFitErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("ID,TIME,AMT,DV,EVID\n1,0,100,.,1\n1,x,0,3,0\n"), 0o644)
	spec := filepath.Join(dir, "spec.lua")
	os.WriteFile(spec, []byte("return fit { name = 'x', model = { compartments = 1 }, theta = { CL = 1, V1 = 10 },\n eta = { CL = 'e' }, omega = { names = { 'e' }, diag = { 0.1 } }, sigma = { additiv = 1 } }\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"fit", "../../scenarios/theophylline_fit.lua", "--data", bad, "--out", dir}, "bad.csv line 3, column TIME"},
		{[]string{"fit", "../../scenarios/vancomycin_map.lua", "--data", "../../scenarios/vancomycin_levels.csv", "--recommend", "7", "--out", dir}, "no subject with that ID"},
		{[]string{"fit", spec, "--data", bad, "--out", dir}, "unknown key 'additiv'"},
		{[]string{"fit", "../../scenarios/theophylline_fit.lua", "--data", bad, "--method", "fo"}, "want map, map-nelder-mead, foce-i or saem"},
	} {
		_, errs, code := medtwin(t, c.args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want %q", c.args, code, errs, c.want)
		}
	}
}
