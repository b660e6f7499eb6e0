package main

import (
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/medtwin/medtwin/engine/results"
	"github.com/medtwin/medtwin/scripts"
)

// scenarioProvenance is the manifest's account of a scenario's replications.
func scenarioProvenance(sc *scripts.Scenario) results.Provenance {
	return results.Provenance{Version: Version, Scenario: filepath.Base(sc.Path), ScenarioSHA256: sc.SHA256,
		Params: sc.Values(), Seed: sc.Seed, To: sc.Replications, Total: sc.Replications}
}

// writeDirManifest writes dir/manifest.json (results.Manifest: command,
// provenance, size and SHA-256 of every file) over the plain files directly
// in dir, for verbs whose output directory holds files written by several
// writers (trial, validate, calibrate).
func writeDirManifest(dir string, p results.Provenance, started time.Time) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name() != "manifest.json" {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	return results.NewManifest(p, started).Write(dir, files)
}
