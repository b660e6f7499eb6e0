package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/medtwin/medtwin/physio/cohort"
)

var key = []byte("test-key-0123456789abcdef")

// bundleFacts reads a bundle with encoding/json, independently of the FHIR
// library: the patient's id, gender, birth date, latest weight (LOINC 29463-7)
// and the latest clinical date.
type facts struct {
	id, gender string
	birth      time.Time
	weight     float64
	last       time.Time
	snomed     []string // active conditions
	rxnorm     []string // active medication requests
}

func bundleFacts(t *testing.T, path string) facts {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Entry []struct{ Resource map[string]any }
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	var f facts
	var wt time.Time
	for _, e := range b.Entry {
		r := e.Resource
		switch r["resourceType"] {
		case "Patient":
			f.id, f.gender = r["id"].(string), r["gender"].(string)
			f.birth, _ = time.Parse("2006-01-02", r["birthDate"].(string))
		case "Observation":
			ts, _ := time.Parse(time.RFC3339, r["effectiveDateTime"].(string))
			if ts.After(f.last) {
				f.last = ts
			}
			code := r["code"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"]
			if code == "29463-7" && !ts.Before(wt) {
				wt, f.weight = ts, r["valueQuantity"].(map[string]any)["value"].(float64)
			}
		case "Condition":
			st := r["clinicalStatus"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"]
			c := r["code"].(map[string]any)["coding"].([]any)[0].(map[string]any)
			if st == "active" && c["system"] == "http://snomed.info/sct" && !slices.Contains(f.snomed, c["code"].(string)) {
				f.snomed = append(f.snomed, c["code"].(string))
			}
		case "MedicationRequest":
			c := r["medicationCodeableConcept"].(map[string]any)["coding"].([]any)[0].(map[string]any)
			if r["status"] == "active" && !slices.Contains(f.rxnorm, c["code"].(string)) {
				f.rxnorm = append(f.rxnorm, c["code"].(string))
			}
		case "Encounter":
			ts, _ := time.Parse(time.RFC3339, r["period"].(map[string]any)["start"].(string))
			if ts.After(f.last) {
				f.last = ts
			}
		}
	}
	return f
}

// ageByAddDate is the calendar age counted the long way: the number of
// birthdays (time.AddDate, which puts 29 February on 1 March in common years)
// on or before at.
func ageByAddDate(birth, at time.Time) int {
	n := 0
	for !birth.AddDate(n+1, 0, 0).After(at) {
		n++
	}
	return n
}

// Every sample bundle imports; age, sex and weight match what encoding/json
// reads from the same file; the pseudonym is the keyed HMAC of the id.
func TestImportSamples(t *testing.T) {
	files, _ := filepath.Glob("testdata/patient-*.json")
	sort.Strings(files)
	pts, rep, err := Importer{}.Import([]string{"testdata"}, cohort.ImportOptions{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 6 || rep.Files != 6 || rep.FilesFailed != 0 || rep.PatientsRead != 6 {
		t.Fatalf("%d patients, report %+v", len(pts), rep)
	}
	for i, f := range files {
		want := bundleFacts(t, f)
		p := pts[i]
		age := ageByAddDate(want.birth, want.last)
		female := 0.0
		if want.gender == "female" {
			female = 1
		}
		c := p.Covariates
		if c["age_y"] != float64(age) || c["female"] != female || math.Abs(c["weight_kg"]-want.weight) > 1e-9 {
			t.Errorf("%s: age %v sex %v weight %v, want %d %v %v", f, c["age_y"], c["female"], c["weight_kg"], age, female, want.weight)
		}
		slices.Sort(want.snomed)
		slices.Sort(want.rxnorm)
		if !slices.Equal(p.Conditions, want.snomed) || !slices.Equal(p.Medications, want.rxnorm) {
			t.Errorf("%s: conditions %v medications %v, want %v %v", f, p.Conditions, p.Medications, want.snomed, want.rxnorm)
		}
		if p.Pseudonym != Pseudonym(key, want.id) || strings.Contains(p.Pseudonym, want.id) || len(p.Pseudonym) != 32 {
			t.Errorf("%s: pseudonym %q", f, p.Pseudonym)
		}
	}
	// creatinine appears in patients 04–06 only (SOURCE.md); the others are filled and reported
	if n := rep.Filled["scr_mg_dl: median of the same sex"]; n != 3 {
		t.Errorf("%d creatinine fills reported, want 3: %v", n, rep.Filled)
	}
	other, _, _ := Importer{}.Import([]string{"testdata/patient-01.json"}, cohort.ImportOptions{Key: []byte("another-key-0123456789")})
	if other[0].Pseudonym == pts[0].Pseudonym {
		t.Error("another key gave the same pseudonym")
	}
	again, _, _ := Importer{}.Import([]string{"testdata/patient-01.json"}, cohort.ImportOptions{Key: key})
	if again[0].Pseudonym != pts[0].Pseudonym {
		t.Error("the same key gave another pseudonym")
	}
	if _, _, err := (Importer{}).Import([]string{"testdata"}, cohort.ImportOptions{Key: []byte("short")}); err == nil {
		t.Error("a short key was accepted")
	}
}

// Bad files are reported by name and resource, and the rest still imports;
// a Consent denying research leaves its patient out; ages over 89 become 90.
func TestImportBadAndPolicy(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("testdata/patient-01.json")
	if err != nil {
		t.Fatal(err)
	}
	src := string(good)
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a-good.json", src)
	write("b-truncated.json", src[:len(src)/2])
	write("c-patient-only.json", `{"resourceType": "Patient", "id": "x", "gender": "male", "birthDate": "1950-01-01"}`)
	write("d-no-patient.json", `{"resourceType": "Bundle", "type": "collection", "entry": []}`)
	// R5 made Encounter.class a list of CodeableConcepts; R4 has one Coding
	amb := `"class": {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": "AMB"
                },`
	if !strings.Contains(src, amb) {
		t.Fatal("the sample changed: no AMB class")
	}
	write("e-r5-field.json", strings.Replace(src, amb, `"class": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"}]}],`, 1))
	old := strings.Replace(src, `"birthDate": "1988-03-16"`, `"birthDate": "1920-03-16"`, 1)
	write("f-old.json", strings.ReplaceAll(old, "e4531916-b162-4f4b-90c2-ce37e132b8d4", "e4531916-b162-4f4b-90c2-ce37e132b8d5"))
	consent := `{"fullUrl": "urn:uuid:c0", "resource": {"resourceType": "Consent", "id": "c0", "status": "active",
	  "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "research"}]},
	  "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
	  "patient": {"reference": "urn:uuid:e4531916-b162-4f4b-90c2-ce37e132b8d6"},
	  "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTOUT"}]},
	  "provision": {"type": "deny"}}, "request": {"method": "POST", "url": "Consent"}},`
	denied := strings.ReplaceAll(src, "e4531916-b162-4f4b-90c2-ce37e132b8d4", "e4531916-b162-4f4b-90c2-ce37e132b8d6")
	denied = strings.Replace(denied, `"entry": [`, `"entry": [`+consent, 1)
	write("g-consent-deny.json", denied)

	pts, rep, err := Importer{}.Import([]string{dir}, cohort.ImportOptions{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 7 || rep.FilesFailed != 4 || len(pts) != 2 {
		t.Fatalf("%d imported, report %+v", len(pts), rep)
	}
	// files are named by place and hash, never by name: record files are
	// often named after the patient (issue 18, Medium 7)
	for want, why := range map[string]string{"file 2 of 7 (SHA-256 ": "", "file 3 of 7 (SHA-256 ": "resourceType Patient, want a Bundle",
		"file 4 of 7 (SHA-256 ": "the Bundle has no Patient", "file 5 of 7 (SHA-256 ": "not a valid FHIR R4 resource (Bundle)"} {
		found := false
		for _, e := range rep.Errors {
			found = found || strings.Contains(e, want) && strings.Contains(e, why)
		}
		if !found {
			t.Errorf("no error containing %q and %q in %q", want, why, rep.Errors)
		}
	}
	for _, e := range rep.Errors {
		if strings.Contains(e, ".json") || strings.Contains(e, dir) {
			t.Errorf("the report names a file: %q", e)
		}
	}
	if rep.Excluded["consent denies research use"] != 1 {
		t.Errorf("consent exclusions %v", rep.Excluded)
	}
	if pts[1].Covariates["age_y"] != 90 {
		t.Errorf("a patient born in 1920 has age %v, want 90 (Safe Harbor)", pts[1].Covariates["age_y"])
	}
	// policy "require": only a patient with an active Consent permitting research stays
	write("g-consent-deny.json", strings.Replace(denied, `"provision": {"type": "deny"}`, `"provision": {"type": "permit"}`, 1))
	pts, rep, err = Importer{}.Import([]string{dir}, cohort.ImportOptions{Key: key, RequireConsent: true})
	if err != nil || len(pts) != 1 || rep.Excluded["no consent permitting research use (policy: require)"] != 2 {
		t.Fatalf("require: %d imported, %v, %v", len(pts), rep.Excluded, err)
	}
	if pts[0].Pseudonym != Pseudonym(key, "e4531916-b162-4f4b-90c2-ce37e132b8d6") {
		t.Fatal("require kept the wrong patient")
	}
}

// BenchmarkImport reports patients per second on the sample bundles.
func BenchmarkImport(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, _, err := (Importer{}).Import([]string{"testdata"}, cohort.ImportOptions{Key: key}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(6*b.N)/b.Elapsed().Seconds(), "patients/s")
}

// Bulk Data $export NDJSON (one resource per line, a file per type) of three
// patients imports to the same patients as their Bundles.
func TestImportBulkNDJSON(t *testing.T) {
	dir := t.TempDir()
	bundles := []string{"testdata/patient-01.json", "testdata/patient-02.json", "testdata/patient-03.json"}
	byType := writeBulk(t, dir, bundles)
	want, _, err := Importer{}.Import(bundles, cohort.ImportOptions{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	got, rep, err := Importer{}.Import([]string{dir}, cohort.ImportOptions{Key: key})
	if err != nil || len(got) != 3 || rep.FilesFailed != 0 {
		t.Fatalf("%d patients, %+v, %v", len(got), rep, err)
	}
	fingerprint := func(p cohort.ImportedPatient) string {
		var names []string
		for n := range p.Covariates {
			names = append(names, n)
		}
		sort.Strings(names)
		s := p.Pseudonym
		for _, n := range names {
			s += fmt.Sprintf(" %s=%x", n, math.Float64bits(p.Covariates[n]))
		}
		return s
	}
	var a, b []string
	for i := range want {
		a, b = append(a, fingerprint(want[i])), append(b, fingerprint(got[i]))
	}
	sort.Strings(a)
	sort.Strings(b)
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("bundles:\n%s\nbulk NDJSON:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	// one bad line leaves out that resource with its reason, not the whole
	// file (issue 18, Low 14): the three patients still import
	pl := byType["Patient"]
	os.WriteFile(filepath.Join(dir, "Patient.ndjson"), []byte(strings.Join([]string{pl[0], `{"resourceType": "Patient", "id": 5, "gender": 7}`, pl[1], pl[2]}, "\n")+"\n"), 0o644)
	got, rep, err = Importer{}.Import([]string{dir}, cohort.ImportOptions{Key: key})
	if err != nil || len(got) != 3 || rep.FilesFailed != 0 || len(rep.Errors) != 1 ||
		!strings.Contains(rep.Errors[0], "line 2: not a valid FHIR R4 resource (Patient)") || strings.Contains(rep.Errors[0], "Patient.ndjson") {
		t.Fatalf("a bad line: %d patients, %+v, %v", len(got), rep, err)
	}
}

// writeBulk writes the resources of the bundles as Bulk Data NDJSON into dir,
// one file per resource type (Patient.ndjson, Observation.ndjson, ...), and
// returns the lines by type.
func writeBulk(t *testing.T, dir string, bundles []string) map[string][]string {
	t.Helper()
	byType := map[string][]string{}
	for _, f := range bundles {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var b struct {
			Entry []struct{ Resource json.RawMessage }
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		for _, e := range b.Entry {
			var head struct{ ResourceType string }
			json.Unmarshal(e.Resource, &head)
			var compact bytes.Buffer
			if err := json.Compact(&compact, e.Resource); err != nil {
				t.Fatal(err)
			}
			byType[head.ResourceType] = append(byType[head.ResourceType], compact.String())
		}
	}
	for typ, lines := range byType {
		if err := os.WriteFile(filepath.Join(dir, typ+".ndjson"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return byType
}

// ZIP codes keep three digits, except the restricted areas of the HHS
// guidance (e.g. 036, 059, 893), which become 000.
func TestZIP3(t *testing.T) {
	for in, want := range map[string]string{"01002": "010", "03601": "000", "05901-1234": "000", "89301": "000",
		"02139": "021", "": "000", "ab123": "000", "12": "000"} {
		if got := ZIP3(in); got != want {
			t.Errorf("ZIP3(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every encounter of a patient moves by the same whole number of days, never
// zero and at most a year, and keeps its length; the samples' ZIP codes are cut.
func TestDateShiftKeepsIntervals(t *testing.T) {
	files, _ := filepath.Glob("testdata/patient-*.json")
	sort.Strings(files)
	pts, _, err := Importer{}.Import(files, cohort.ImportOptions{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		var b struct {
			Entry []struct {
				Resource struct {
					ResourceType string
					Period       struct{ Start, End string }
					Address      []struct{ PostalCode string }
				}
			}
		}
		if err := json.Unmarshal(mustReadFile(t, f), &b); err != nil {
			t.Fatal(err)
		}
		var starts, lens []float64
		zip := ""
		for _, e := range b.Entry {
			r := e.Resource
			if r.ResourceType == "Patient" && len(r.Address) > 0 {
				zip = r.Address[0].PostalCode
			}
			if r.ResourceType == "Encounter" {
				s, _ := time.Parse(time.RFC3339, r.Period.Start)
				en, _ := time.Parse(time.RFC3339, r.Period.End)
				starts = append(starts, float64(s.Unix()))
				lens = append(lens, en.Sub(s).Hours())
			}
		}
		sort.Float64s(starts)
		p := pts[i]
		if p.ZIP3 != zip[:3] || len(p.Encounters) != len(starts) || len(starts) == 0 {
			t.Fatalf("%s: zip3 %q (from %q), %d encounters, want %d", f, p.ZIP3, zip, len(p.Encounters), len(starts))
		}
		shift := float64(p.Encounters[0].Start) - starts[0]
		if shift == 0 || math.Abs(shift) > 365*86400 || math.Mod(shift, 86400) != 0 {
			t.Fatalf("%s: shift %v s", f, shift)
		}
		sort.Float64s(lens)
		var got []float64
		for k, e := range p.Encounters {
			if float64(e.Start)-starts[k] != shift {
				t.Fatalf("%s: encounter %d moved by %v s, the first by %v s", f, k, float64(e.Start)-starts[k], shift)
			}
			got = append(got, e.Hours)
		}
		sort.Float64s(got)
		for k := range got {
			if math.Abs(got[k]-lens[k]) > 1e-9 {
				t.Fatalf("%s: lengths of stay %v, want %v", f, got, lens)
			}
		}
	}
}

func mustReadFile(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Ages are calendar ages: around leap years the day of the year is not the
// birthday (1 March is day 61 of 1932 and day 60 of 2022). Expected ages are
// counted by hand from the dates.
func TestYearsBetweenLeapYears(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	for _, c := range []struct {
		birth, at string
		want      int
	}{
		{"1932-03-01", "2022-03-01", 90}, // the Safe Harbor boundary: 90 on the birthday
		{"1932-03-01", "2022-02-28", 89},
		{"1932-03-02", "2022-03-01", 89},
		{"1950-03-01", "2020-02-29", 69}, // born in a common year, the day before the birthday in a leap year
		{"1950-03-01", "2020-03-01", 70},
		{"1950-12-31", "2020-12-30", 69},
		{"1950-12-31", "2020-12-31", 70},
		{"1960-02-29", "2021-02-28", 60}, // 29 February: the birthday is 1 March in common years
		{"1960-02-29", "2021-03-01", 61},
		{"1960-02-29", "2024-02-29", 64},
		{"2000-05-05", "1999-01-01", 0}, // a date before the birth is age 0
	} {
		if got := yearsBetween(d(c.birth), d(c.at)); got != c.want {
			t.Errorf("born %s, at %s: age %d, want %d", c.birth, c.at, got, c.want)
		}
		if got := ageByAddDate(d(c.birth), d(c.at)); got != c.want && c.want > 0 {
			t.Errorf("the test's own reference: born %s, at %s: %d, want %d", c.birth, c.at, got, c.want)
		}
	}
}

// Through the importer: a patient born on 1 March 1932 and last seen on 1 March
// 2022 is 90 and is reported as 90 (Safe Harbor groups ages over 89), one born
// a day later is 89.
func TestImportAgeOnSafeHarborBoundary(t *testing.T) {
	dir := t.TempDir()
	bundle := func(id, birth string) string {
		return `{"resourceType": "Bundle", "type": "collection", "entry": [
  {"fullUrl": "urn:uuid:` + id + `", "resource": {"resourceType": "Patient", "id": "` + id + `", "gender": "female", "birthDate": "` + birth + `"}},
  {"resource": {"resourceType": "Observation", "id": "o` + id + `", "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
    "subject": {"reference": "urn:uuid:` + id + `"}, "effectiveDateTime": "2022-03-01T10:00:00+00:00",
    "valueQuantity": {"value": 61.5, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}}}]}`
	}
	for name, b := range map[string]string{"a.json": bundle("p1", "1932-03-01"), "b.json": bundle("p2", "1932-03-02")} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pts, rep, err := Importer{}.Import([]string{dir}, cohort.ImportOptions{Key: key})
	if err != nil || len(pts) != 2 {
		t.Fatalf("%d patients, %v, report %+v", len(pts), err, rep)
	}
	for i, want := range []float64{90, 89} {
		if got := pts[i].Covariates["age_y"]; got != want {
			t.Errorf("patient %d: age %v, want %v", i+1, got, want)
		}
	}
}
