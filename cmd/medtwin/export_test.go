package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// export turns a run directory into Parquet and CSV files (one per Arrow file)
// and refuses a bad format or a missing input, before writing anything, with
// exit 2.
func TestExportRunDirectory(t *testing.T) {
	dir := t.TempDir()
	run, exp := filepath.Join(dir, "run"), filepath.Join(dir, "exports")
	if _, errs, code := medtwin(t, "run", "../../scenarios/mmc.lua", "--replications", "2", "--set", "customers=500", "--out", run, "--quiet"); code != 0 {
		t.Fatal(errs)
	}
	out, errs, code := medtwin(t, "export", "--format", "parquet,csv", "--out", exp, run)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range []string{"kpis.parquet", "kpis.csv", "kpis.meta.json", "summary.parquet", "summary.csv", "summary.meta.json"} {
		if st, err := os.Stat(filepath.Join(exp, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty", f)
		}
	}
	if !strings.Contains(out, filepath.Join(exp, "kpis.parquet")) {
		t.Errorf("export does not list what it wrote:\n%s", out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "--format", "xlsx", run}, "--format"},
		{[]string{"export", "--out", filepath.Join(dir, "never"), filepath.Join(dir, "missing")}, "missing"},
		{[]string{"export"}, "needs an Arrow file"},
	} {
		if _, errs, code := medtwin(t, c.args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q (want 2 and %q)", c.args, code, errs, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "never")); err == nil {
		t.Error("a refused export created its output directory")
	}
}
