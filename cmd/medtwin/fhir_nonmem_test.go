package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/fit"
	"github.com/medtwin/medtwin/plugins/fhir"
)

// TestFHIRImportNonmem: testdata/vanco_bundle.json (crafted: the shared
// Synthea bundles hold no MedicationAdministration and no drug level) has one
// patient with vancomycin 1 g over 1 h at 08:00 and 20:00 on 1 March, 1.25 g
// over 1.5 h at 08:00 on 2 March, a dose not done at 20:00, a trough of 0
// before the first dose, a trough of 12.4 mg/L at 07:30 on 2 March and a
// level of 28.1 µg/mL at 10:30; a second patient has no drug records. The
// data set, read back by fit.ReadCSV, holds the first patient alone under
// her pseudonym, times in hours from the first dose (0, 12, 23.5, 24, 26.5),
// the infusion rates (1000, 1000, 1250/1.5 mg/h), the levels in mg/L, and
// no date or name.
func TestFHIRImportNonmem(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MEDTWIN_AUDIT_LOG", filepath.Join(dir, "audit.log"))
	key := "a-secret-key-for-tests-0123456789"
	keyFile := filepath.Join(dir, "key")
	os.WriteFile(keyFile, []byte(key+"\n"), 0o600)
	csv := filepath.Join(dir, "vanco.csv")
	out, errs, code := medtwin(t, "fhir", "import", "testdata/vanco_bundle.json", "--key-file", keyFile,
		"--out", filepath.Join(dir, "p.arrow"), "--nonmem", csv, "--medication-rxnorm", "11124")
	if code != 0 || !strings.Contains(out, "drug records of 1 patients") || !strings.Contains(out, "excluded: 1 (drug levels before") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	raw, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"2026", "Testperson", "7d1c2f3e"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("the data set holds %q:\n%s", leak, raw)
		}
	}
	ds, err := fit.ReadCSV(strings.NewReader(string(raw)), "vanco.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Subjects) != 1 || ds.Subjects[0].ID != fhir.Pseudonym([]byte(key), "7d1c2f3e-0000-4000-8000-000000000001") {
		t.Fatalf("subjects %v", ds.Subjects)
	}
	type row struct {
		time, amt, rate, dv float64
		evid                int
	}
	want := []row{{0, 1000, 1000, 0, 1}, {12, 1000, 1000, 0, 1}, {23.5, 0, 0, 12.4, 0}, {24, 1250, 1250 / 1.5, 0, 1}, {26.5, 0, 0, 28.1, 0}}
	rs := ds.Subjects[0].Records
	if len(rs) != len(want) {
		t.Fatalf("%d records, want %d:\n%s", len(rs), len(want), raw)
	}
	wt := ds.Covariate("WT")
	for i, w := range want {
		r := rs[i]
		if r.Time != w.time || r.EVID != w.evid || r.Dose.Amt != w.amt || math.Abs(r.Dose.Rate-w.rate) > 1e-9 || r.DV != w.dv || r.Cov[wt] != 82 {
			t.Errorf("record %d: time %v EVID %d AMT %v RATE %v DV %v WT %v; want %+v", i, r.Time, r.EVID, r.Dose.Amt, r.Dose.Rate, r.DV, r.Cov[wt], w)
		}
	}
	// another medication only: nothing to write, said
	_, errs, code = medtwin(t, "fhir", "import", "testdata/vanco_bundle.json", "--key-file", keyFile,
		"--out", filepath.Join(dir, "p2.arrow"), "--nonmem", filepath.Join(dir, "none.csv"), "--medication-rxnorm", "723")
	if code != 1 || !strings.Contains(errs, "no imported patient has a MedicationAdministration") {
		t.Errorf("exit %d: %s", code, errs)
	}
}
