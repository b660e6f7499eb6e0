package fhir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
)

// FuzzImport feeds arbitrary files (as .json and as .ndjson) to the importer:
// each is imported or reported by its place in the list (never its name,
// which may be a patient's), never a panic.
func FuzzImport(f *testing.F) {
	small := `{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient", "id": "p", "gender": "female", "birthDate": "1950-02-03"}},
	  {"resource": {"resourceType": "Observation", "id": "o", "status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
	   "subject": {"reference": "Patient/p"}, "effectiveDateTime": "2020-01-01T10:00:00+02:00", "valueQuantity": {"value": 61.5, "unit": "kg", "code": "kg"}}},
	  {"resource": {"resourceType": "Encounter", "id": "e", "status": "finished", "class": {"code": "EMER"}, "subject": {"reference": "Patient/p"},
	   "period": {"start": "2020-01-01T03:00:00-05:00"}}}]}`
	f.Add(small, false)
	f.Add(small[:len(small)/2], false)
	f.Add(strings.ReplaceAll(small, "\n", ""), true)
	f.Add(`{"resourceType": "Patient", "id": "p", "gender": "male", "birthDate": "1900"}`+"\n"+`{"resourceType": "Consent"}`, true)
	f.Add(`{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}]}`, false)
	// issue 18, Low 14: a bulk line past float64, the same Patient twice, a bad
	// Bundle line among good ones, a birth after the latest record, no record
	pat := `{"resourceType": "Patient", "id": "p", "gender": "female", "birthDate": "1950-02-03"}`
	f.Add(pat+"\n"+`{"resourceType": "Observation", "id": "o", "status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]}, "subject": {"reference": "Patient/p"}, "valueQuantity": {"value": `+strings.Repeat("9", 400)+`, "code": "kg"}}`, true)
	f.Add(pat+"\n"+pat+"\n"+pat, true)
	f.Add(strings.ReplaceAll(small, "\n", "")+"\n"+`{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient", "gender": "male"}}]}`, true)
	f.Add(strings.Replace(small, "1950-02-03", "2090-01-01", 1), false)
	f.Add(`{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": `+pat+`}]}`, false)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src string, nd bool) {
		name := "b.json"
		if nd {
			name = "b.ndjson"
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Skip()
		}
		defer os.Remove(path)
		pts, rep, err := Importer{}.Import([]string{path}, cohort.ImportOptions{Key: key})
		if err != nil {
			t.Fatalf("a bad file must be reported, not fail the import: %v", err)
		}
		for _, e := range rep.Errors {
			if strings.Contains(e, name) || !strings.HasPrefix(e, "file 1 of 1 (SHA-256 ") && !strings.HasPrefix(e, "bulk data NDJSON") {
				t.Fatalf("error names the file, or does not say which: %s", e)
			}
		}
		for _, p := range pts {
			if a := p.Covariates["age_y"]; a < 0 || a > 90 {
				t.Fatalf("age %v outside 0..90", a)
			}
		}
	})
}
