package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Every verb that writes an output directory leaves a manifest.json in it that
// lists the directory's files (issue 24: a trial directory had none).
func TestEveryOutputDirectoryHasAManifest(t *testing.T) {
	dir := t.TempDir()
	runs := map[string][]string{
		"trial":       {"trial", "../../scenarios/vancomycin_trial.lua", "--subjects", "10", "--out", filepath.Join(dir, "trial")},
		"trial shard": {"trial", "../../scenarios/vancomycin_trial.lua", "--subjects", "10", "--shard", "1/2", "--out", filepath.Join(dir, "trial-shard")},
		"validate":    {"validate", "testdata/mgc/mgc.lua", "--observed", "testdata/mgc/visits.csv", "--replications", "1", "--out", filepath.Join(dir, "validate")},
		"calibrate": {"calibrate", "testdata/mgc/mgc.lua", "--observed", "testdata/mgc/visits.csv", "--fit", "servers=5..6",
			"--max-evals", "2", "--out", filepath.Join(dir, "calibrate")},
	}
	for name, args := range runs {
		if _, errs, code := medtwin(t, args...); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errs)
		}
		out := args[len(args)-1]
		data, err := os.ReadFile(filepath.Join(out, "manifest.json"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var m struct {
			Files []struct{ Name string }
		}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		listed := map[string]bool{}
		for _, f := range m.Files {
			listed[filepath.Base(f.Name)] = true
		}
		entries, _ := os.ReadDir(out)
		for _, e := range entries {
			if e.Type().IsRegular() && e.Name() != "manifest.json" && !listed[e.Name()] {
				t.Errorf("%s: manifest.json does not list %s (lists %v)", name, e.Name(), listed)
			}
		}
	}
}
