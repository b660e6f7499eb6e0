package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFitResumeSAEM: a theophylline SAEM fit cut off after 50 iterations
// (--max-iterations 50, as an interrupted fit leaves its checkpoint) and
// continued with --resume writes the same population.json, byte for byte,
// as the uninterrupted fit; a FOCE-I run refuses the SAEM checkpoint.
func TestFitResumeSAEM(t *testing.T) {
	whole, cut := t.TempDir(), t.TempDir()
	args := func(dir, method string, extra ...string) []string {
		return append([]string{"fit", "../../scenarios/theophylline_fit.lua", "--data", "../../scenarios/theophylline.csv",
			"--method", method, "--out", dir, "--no-report", "--quiet"}, extra...)
	}
	if _, errs, code := medtwin(t, args(whole, "saem")...); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, errs, code := medtwin(t, args(cut, "saem", "--max-iterations", "50")...); code != 0 || !strings.Contains(errs, "stopped after iteration 50") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	_, errs, code := medtwin(t, args(cut, "saem", "--resume")...)
	if code != 0 || !strings.Contains(errs, "resuming after iteration 50") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	a, _ := os.ReadFile(filepath.Join(whole, "population.json"))
	b, _ := os.ReadFile(filepath.Join(cut, "population.json"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("resumed population.json differs from the uninterrupted one:\n%s\n---\n%s", a, b)
	}
	if _, errs, code = medtwin(t, args(cut, "foce-i", "--resume")...); code == 0 || !strings.Contains(errs, "checkpoint of a saem fit") {
		t.Errorf("foce-i --resume on a SAEM checkpoint: exit %d: %s", code, errs)
	}
}
