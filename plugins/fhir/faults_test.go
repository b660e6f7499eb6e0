package fhir

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
)

// An Observation line whose value is not a finite number (400 nines: valid
// FHIR decimal and JSON, past float64's range) used to drop every patient of the Bulk Data
// export, with a reason naming neither file nor line; now that line is left
// out, named by file place and line, and the three patients import (issue 18,
// Low 14).
func TestBulkBadLineLeavesOutThatLine(t *testing.T) {
	dir := t.TempDir()
	byType := writeBulk(t, dir, []string{"testdata/patient-01.json", "testdata/patient-02.json", "testdata/patient-03.json"})
	obs := byType["Observation"]
	bad := regexp.MustCompile(`"valueQuantity":\{"value":[0-9.eE+-]+`).ReplaceAllString(obs[0], `"valueQuantity":{"value":`+strings.Repeat("9", 400))
	if bad == obs[0] {
		t.Fatal("no valueQuantity in the first Observation to spoil")
	}
	lines := append([]string{bad}, obs[1:]...)
	if err := os.WriteFile(filepath.Join(dir, "Observation.ndjson"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, rep, err := Importer{}.Import([]string{dir}, cohort.ImportOptions{Key: key})
	if err != nil || len(got) != 3 {
		t.Fatalf("%d patients (want 3), %+v, %v", len(got), rep, err)
	}
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0], "line 1: Observation/") || !strings.Contains(rep.Errors[0], "is not a number (line left out)") ||
		!strings.HasPrefix(rep.Errors[0], "file ") || strings.Contains(rep.Errors[0], "Observation.ndjson") {
		t.Fatalf("report: %q", rep.Errors)
	}
}

// A bad Bundle on one line of an NDJSON of Bundles leaves out that line, and
// the other Bundles import.
func TestNDJSONOfBundlesBadLine(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for _, f := range []string{"testdata/patient-01.json", "testdata/patient-02.json"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Join(strings.Fields(string(raw)), " "))
	}
	badBundle := `{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient", "gender": "male"}}]}`
	path := filepath.Join(dir, "b.ndjson")
	if err := os.WriteFile(path, []byte(lines[0]+"\n"+badBundle+"\n"+lines[1]+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, rep, err := Importer{}.Import([]string{path}, cohort.ImportOptions{Key: key})
	if err != nil || len(got) != 2 || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0], "line 2: a Patient has no id (line left out)") {
		t.Fatalf("%d patients (want 2), %q, %v", len(got), rep.Errors, err)
	}
}

// The same patient twice (one file given twice under two names, or one
// Patient line twice in a Bulk Data export) is one row: before, two rows
// carried one pseudonym. The copy is counted as excluded.
func TestSamePatientTwiceIsOneRow(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile("testdata/patient-01.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.json", "b.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bulk := t.TempDir()
	byType := writeBulk(t, bulk, []string{"testdata/patient-01.json", "testdata/patient-02.json"})
	pl := byType["Patient"]
	os.WriteFile(filepath.Join(bulk, "Patient.ndjson"), []byte(strings.Join([]string{pl[0], pl[1], pl[0]}, "\n")+"\n"), 0o644)
	for _, c := range []struct {
		dir  string
		want int
	}{{dir, 1}, {bulk, 2}} {
		got, rep, err := Importer{}.Import([]string{c.dir}, cohort.ImportOptions{Key: key})
		if err != nil || len(got) != c.want {
			t.Fatalf("%d patients, want %d: %+v %v", len(got), c.want, rep, err)
		}
		seen := map[string]bool{}
		for _, p := range got {
			if seen[p.Pseudonym] {
				t.Fatalf("two rows with pseudonym %s", p.Pseudonym)
			}
			seen[p.Pseudonym] = true
		}
		if n := rep.Excluded["the same Patient id again in this import (the first copy is kept)"]; n != 1 {
			t.Errorf("copies counted: %d, want 1 (%v)", n, rep.Excluded)
		}
	}
}

// Age is taken at the latest dated clinical record. A patient with none has
// no age (NaN, reported), not 0; one born in 2090 with a record of 2020 is
// impossible data and left out, counted; before, both were imported aged 0.
func TestAgeWithoutRecordsOrBornAfterThem(t *testing.T) {
	dir := t.TempDir()
	noRecords := `{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient", "id": "a", "gender": "female", "birthDate": "1950-02-03"}}]}`
	future := `{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient", "id": "b", "gender": "male", "birthDate": "2090-01-01"}},
	  {"resource": {"resourceType": "Encounter", "id": "e", "status": "finished", "class": {"code": "EMER"}, "subject": {"reference": "Patient/b"},
	   "period": {"start": "2020-01-01T03:00:00-05:00"}}}]}`
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(noRecords), 0o644)
	os.WriteFile(filepath.Join(dir, "b.json"), []byte(future), 0o644)
	got, rep, err := Importer{}.Import([]string{dir}, cohort.ImportOptions{Key: key})
	if err != nil || len(got) != 1 {
		t.Fatalf("%d patients, want 1 (the one without records): %+v %v", len(got), rep, err)
	}
	if a := got[0].Covariates["age_y"]; !math.IsNaN(a) {
		t.Errorf("age of a patient without a dated record: %v, want NaN", a)
	}
	if rep.Excluded["birth date after the latest clinical record"] != 1 || rep.Filled["age_y: missing (NaN), no dated clinical record to take it at"] != 1 {
		t.Errorf("report: excluded %v, filled %v", rep.Excluded, rep.Filled)
	}
}
