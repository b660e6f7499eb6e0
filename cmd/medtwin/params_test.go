package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --params reads name=value lines (comments and blank lines skipped); --set
// wins over the file; a bad line is named with file and line.
func TestParamsFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.txt")
	if err := writeParamsFile(p, []string{"calibrated"}, []string{"servers", "arrival_rate"}, []string{"11", "7.5"}); err != nil {
		t.Fatal(err)
	}
	out, errs, code := medtwin(t, "run", "../../scenarios/mmc.lua", "--params", p, "--set", "arrival_rate=8", "--list-params")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"servers       11 ", "arrival_rate  8 "} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	os.WriteFile(p, []byte("# x\nservers=11\nnope=3\n"), 0o644)
	if _, errs, code := medtwin(t, "run", "../../scenarios/mmc.lua", "--params", p, "--list-params"); code != 2 || !strings.Contains(errs, "p.txt line 3") {
		t.Errorf("bad line: exit %d, %s", code, errs)
	}
}
