package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestRunProfiles: run's hidden --cpuprofile and --memprofile write pprof
// files (gzip-compressed profile.proto), the heap profile with its in-use
// sample types (their names are in the profile's string table).
func TestRunProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof")
	_, errs, code := medtwin(t, "run", "../../scenarios/mmc.lua", "--replications", "2", "--set", "customers=2000",
		"--out", filepath.Join(dir, "out"), "--quiet", "--cpuprofile", cpu, "--memprofile", mem)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, c := range []struct{ path, want string }{{cpu, "samples"}, {mem, "inuse_space"}} {
		f, err := os.Open(c.path)
		if err != nil {
			t.Fatal(err)
		}
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		b, err := io.ReadAll(z)
		f.Close()
		if err != nil || !bytes.Contains(b, []byte(c.want)) {
			t.Fatalf("%s: %d bytes, %v; no %q", c.path, len(b), err, c.want)
		}
	}
}
