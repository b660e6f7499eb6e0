package fhir

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/privacy"
)

// consentLine is a Bulk Data Consent resource of the patient with that id.
func consentLine(id, cid, provision string) string {
	return `{"resourceType":"Consent","id":"` + cid + `","status":"active",` +
		`"scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"research"}]},` +
		`"category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],` +
		`"patient":{"reference":"Patient/` + id + `"},` +
		`"policyRule":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"OPTOUT"}]},` +
		`"provision":{"type":"` + provision + `"}}`
}

// bundlePatientID returns the id of the Patient of a sample Bundle.
func bundlePatientID(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Entry []struct {
			Resource struct{ ResourceType, ID string }
		}
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	for _, e := range b.Entry {
		if e.Resource.ResourceType == "Patient" {
			return e.Resource.ID
		}
	}
	t.Fatalf("%s has no Patient", path)
	return ""
}

// importDir copies the sample Bundles and writes the extra files, then imports.
func importDir(t *testing.T, samples []string, files map[string]string, opt cohort.ImportOptions) ([]cohort.ImportedPatient, *cohort.ImportReport) {
	t.Helper()
	dir := t.TempDir()
	for _, s := range samples {
		raw, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(s)), raw, 0o644)
	}
	for name, body := range files {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	opt.Key = key
	pts, rep, err := Importer{}.Import([]string{dir}, opt)
	if err != nil {
		t.Fatal(err)
	}
	return pts, rep
}

func pseudonyms(pts []cohort.ImportedPatient) map[string]bool {
	m := map[string]bool{}
	for _, p := range pts {
		m[p.Pseudonym] = true
	}
	return m
}

// Issue 19 item 4: a Consent denying research use in another file (Bulk Data
// puts every Consent in Consent.ndjson) applies to the patient of a Bundle.
func TestConsentInAnotherFileApplies(t *testing.T) {
	a, b := "testdata/patient-01.json", "testdata/patient-02.json"
	ida, idb := bundlePatientID(t, a), bundlePatientID(t, b)
	pts, rep := importDir(t, []string{a, b}, map[string]string{"Consent.ndjson": consentLine(ida, "c1", "deny") + "\n"}, cohort.ImportOptions{})
	got := pseudonyms(pts)
	if got[Pseudonym(key, ida)] || !got[Pseudonym(key, idb)] || rep.Excluded[privacy.ReasonDenied] != 1 {
		t.Fatalf("denied patient imported %v, other imported %v, excluded %v", got[Pseudonym(key, ida)], got[Pseudonym(key, idb)], rep.Excluded)
	}
	// opt-in: a permit in another file admits its patient, and only it
	pts, rep = importDir(t, []string{a, b}, map[string]string{"Consent.ndjson": consentLine(idb, "c2", "permit") + "\n"},
		cohort.ImportOptions{RequireConsent: true})
	if got := pseudonyms(pts); len(pts) != 1 || !got[Pseudonym(key, idb)] || rep.Excluded[privacy.ReasonNoPermit] != 1 {
		t.Fatalf("require: %d imported, %v", len(pts), rep.Excluded)
	}
}

// Issue 19 item 4: one unreadable line of Consent.ndjson neither drops the
// other lines' denials nor lets its own patient in: the import fails closed.
func TestConsentNDJSONUnreadableLineFailsClosed(t *testing.T) {
	a, b, c := "testdata/patient-01.json", "testdata/patient-02.json", "testdata/patient-03.json"
	ida, idb, idc := bundlePatientID(t, a), bundlePatientID(t, b), bundlePatientID(t, c)
	// b's Consent has a provision type FHIR R4 does not know: unreadable
	corrupt := strings.Replace(consentLine(idb, "c2", "deny"), `"type":"deny"`, `"type":"maybe"`, 1)
	body := corrupt + "\n" + consentLine(ida, "c1", "deny") + "\n"
	pts, rep := importDir(t, []string{a, b, c}, map[string]string{"Consent.ndjson": body}, cohort.ImportOptions{})
	got := pseudonyms(pts)
	if got[Pseudonym(key, ida)] || got[Pseudonym(key, idb)] || !got[Pseudonym(key, idc)] {
		t.Fatalf("imported: denied %v, unreadable %v, other %v (want false false true); %v",
			got[Pseudonym(key, ida)], got[Pseudonym(key, idb)], got[Pseudonym(key, idc)], rep.Excluded)
	}
	if rep.Excluded[privacy.ReasonDenied] != 1 || rep.Excluded[privacy.ReasonUnreadable] != 1 {
		t.Fatalf("excluded %v", rep.Excluded)
	}
	// a Consent line cut short before its patient: nobody can be shown not to
	// be its patient, so nobody is imported
	cut := consentLine(idc, "c3", "deny")
	cut = cut[:strings.Index(cut, `"patient"`)]
	pts, rep = importDir(t, []string{a, b, c}, map[string]string{"Consent.ndjson": cut + "\n" + consentLine(ida, "c1", "deny") + "\n"}, cohort.ImportOptions{})
	if len(pts) != 0 || rep.Excluded[privacy.ReasonUnknown] != 2 || rep.Excluded[privacy.ReasonDenied] != 1 {
		t.Fatalf("unattributable unreadable Consent: %d imported, excluded %v", len(pts), rep.Excluded)
	}
	// an unreadable line of another resource type does not touch consent
	obs := `{"resourceType":"Observation","id":"o1","status":"bogus","subject":{"reference":"Patient/` + idc + `"}}`
	pts, _ = importDir(t, []string{a, b, c}, map[string]string{"Observation.ndjson": obs + "\n" + obs + "\n"}, cohort.ImportOptions{})
	if len(pts) != 3 {
		t.Fatalf("an unreadable Observation changed the cohort: %d imported", len(pts))
	}
}
