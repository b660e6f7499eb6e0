package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFitResume: a theophylline FOCE-I fit cut off after 3 iterations
// (--max-iterations 3, as an interrupted fit leaves its checkpoint) and
// continued with --resume writes the same population.json, byte for byte,
// as the uninterrupted fit; progress lines name the iteration, the OFV and
// the parameters; a checkpoint of another data set is refused.
func TestFitResume(t *testing.T) {
	whole, cut := t.TempDir(), t.TempDir()
	args := func(dir string, extra ...string) []string {
		return append([]string{"fit", "../../scenarios/theophylline_fit.lua", "--data", "../../scenarios/theophylline.csv",
			"--method", "foce-i", "--out", dir, "--no-report"}, extra...)
	}
	if _, errs, code := medtwin(t, args(whole)...); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	_, errs, code := medtwin(t, args(cut, "--max-iterations", "3")...)
	if code != 0 || !strings.Contains(errs, "iteration 3 OFV") || !strings.Contains(errs, "CL=") || !strings.Contains(errs, "ω²(eta_cl)=") {
		t.Fatalf("exit %d, progress:\n%s", code, errs)
	}
	_, errs, code = medtwin(t, args(cut, "--resume")...)
	if code != 0 || !strings.Contains(errs, "resuming after iteration 3") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	a, _ := os.ReadFile(filepath.Join(whole, "population.json"))
	b, _ := os.ReadFile(filepath.Join(cut, "population.json"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("resumed population.json differs from the uninterrupted one:\n%s\n---\n%s", a, b)
	}
	other := filepath.Join(t.TempDir(), "other.csv")
	raw, _ := os.ReadFile("../../scenarios/theophylline.csv")
	os.WriteFile(other, append(raw, '\n'), 0o644)
	_, errs, code = medtwin(t, "fit", "../../scenarios/theophylline_fit.lua", "--data", other, "--method", "foce-i", "--out", cut, "--resume")
	if code == 0 || !strings.Contains(errs, "belongs to another spec or data set") {
		t.Errorf("another data set: exit %d: %s", code, errs)
	}
	if _, errs, code = medtwin(t, "fit", "../../scenarios/theophylline_fit.lua", "--data", other, "--method", "map", "--resume", "--out", cut); code != 2 {
		t.Errorf("map --resume: exit %d: %s", code, errs)
	}
}
