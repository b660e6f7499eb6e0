package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/engine/results"
)

// TestTrialFromFitProvenance: a theophylline FOCE-I fit's population.json
// drives a trial (`fit("DIR")` in the spec), and the trial's subjects.arrow
// names the fit: method, OFV and the SHA-256 of the data set it was fitted
// to (computed here from the file).
func TestTrialFromFitProvenance(t *testing.T) {
	dir := t.TempDir()
	fitDir := filepath.Join(dir, "theoph_fit")
	if _, errs, code := medtwin(t, "fit", "../../scenarios/theophylline_fit.lua", "--data", "../../scenarios/theophylline.csv",
		"--method", "foce-i", "--out", fitDir, "--no-report", "-q"); code != 0 {
		t.Fatalf("fit: exit %d: %s", code, errs)
	}
	spec := filepath.Join(dir, "trial.lua")
	os.WriteFile(spec, []byte(`local pop = fit("theoph_fit")
return trial {
  name = "theoph_from_fit", subjects = 50, seed = 2,
  population = { covariates = { { name = "weight_kg", dist = "normal", mean = 70, sd = 5, min = 40 } } },
  model = pop.model,
  arms = { { name = "4 mg/kg", doses = { { amt = 4, cmt = 1 } } } },
  sampling = { times = { 1, 6 }, residual = pop.residual },
  endpoints = { cmax = { cmax = { 0, 24 } } },
}`), 0o644)
	out := filepath.Join(dir, "trial")
	if _, errs, code := medtwin(t, "trial", spec, "--out", out); code != 0 {
		t.Fatalf("trial: exit %d: %s", code, errs)
	}
	tab, err := results.Read(filepath.Join(out, "subjects.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Release()
	raw, _ := os.ReadFile("../../scenarios/theophylline.csv")
	sum := sha256.Sum256(raw)
	params := tab.Meta()["medtwin.params"]
	for _, w := range []string{`["fit_1_method","foce-i"]`, `["fit_1_data_sha256","` + hex.EncodeToString(sum[:]) + `"]`, `["fit_1_ofv","`, `["fit_1_dir","theoph_fit"]`} {
		if !strings.Contains(params, w) {
			t.Errorf("subjects.arrow medtwin.params has no %s: %s", w, params)
		}
	}
}
