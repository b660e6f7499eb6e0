package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/results"
)

// TestFitFOCEITheophylline: `medtwin fit --method foce-i` prints the
// population estimates with their SEs, progress lines on stderr, and writes
// population.json and the CPRED, CWRES and NPDE columns. The AIC is compared with nlme's
// 366.043 for fm3Theo.nlme (Pinheiro & Bates 2000 §8.2; nlme's logLik
// −177.0215, printed by R 4.2 with nlme 3.1): FOCE-I and nlme's
// Lindstrom–Bates approximation agree to within 1 unit here. The report has
// the four goodness-of-fit plots and the pcVPC (simulated by the trial
// engine) beside the 12 subjects.
func TestFitFOCEITheophylline(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := medtwin(t, "fit", "../../scenarios/theophylline_fit.lua", "--data", "../../scenarios/theophylline.csv",
		"--method", "foce-i", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "population fit (foce-i)") || !strings.Contains(out, "RSE%") || !strings.Contains(errs, "iteration") {
		t.Fatalf("no population summary or progress:\n%s\n%s", out, errs)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "population.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pop struct {
		AIC        float64            `json:"aic"`
		Theta      map[string]float64 `json:"theta"`
		Converged  bool               `json:"converged"`
		Provenance map[string]any     `json:"provenance"`
	}
	if err := json.Unmarshal(raw, &pop); err != nil {
		t.Fatal(err)
	}
	if !pop.Converged || math.Abs(pop.AIC-366.043) > 1 || pop.Provenance["data_sha256"] == "" {
		t.Errorf("population.json: converged %v, AIC %.3f (nlme 366.043), provenance %v", pop.Converged, pop.AIC, pop.Provenance)
	}
	html, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	for _, w := range []string{"DV vs PRED", "DV vs IPRED", "CWRES vs time", "CWRES vs PRED", "Prediction-corrected VPC", "P50 observed", "simulated by the trial engine from the fit"} {
		if !strings.Contains(string(html), w) {
			t.Errorf("report.html has no %q", w)
		}
	}
	if c := strings.Count(string(html), "<svg"); c != 12+4+1 {
		t.Errorf("report has %d figures, want 17", c)
	}
	rec, err := results.Read(filepath.Join(dir, "records.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if rec.Column("cwres") < 0 || rec.Column("cpred") < 0 || rec.Column("npde") < 0 {
		t.Errorf("records.arrow has no cwres/cpred/npde column")
	}
}
