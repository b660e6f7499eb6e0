// Package fhir reads FHIR R4 Bundles (transaction or collection, one file or a
// directory of *.json, NDJSON of Bundles, or Bulk Data NDJSON of resources) with github.com/google/fhir/go
// and turns each Patient into a de-identified virtual patient (HIPAA Safe
// Harbor, 45 CFR 164.514(b)(2)): covariates only, a keyed HMAC-SHA256
// pseudonym instead of any identifier, ages over 89 as 90, no dates, names,
// addresses, telecoms or record numbers. The consent policy of
// physio/privacy applies over the whole import, after every file is read (a
// Consent in any file governs its patient; a denying or unreadable one leaves
// the patient out, counted). It registers itself as the "fhir"
// importer of physio/cohort; only cmd imports it.
//
// What a careful import does with bad input (issue 18, Low 14), all reported:
//   - A Bundle (a .json file, or one line of an NDJSON of Bundles) is one
//     document: when it cannot be read it is left out whole, with its reason
//     and its place (file, line); the other files and lines still import.
//   - In Bulk Data NDJSON each line is one resource: a bad line (unreadable,
//     a Patient without id, an Observation whose value is not a number) is
//     left out with file and line, and the other lines still import.
//   - A Patient id seen again in the same import (the same file given twice,
//     overlapping exports) is one patient: the first copy, in file order, is
//     kept and each later one counted as excluded; one patient is never two
//     rows under one pseudonym.
//   - Age is taken at the patient's latest dated clinical record. A patient
//     with none has no age: age_y is NaN (missing, counted under "filled"),
//     never 0. A birth date after the latest clinical record is impossible
//     data: the patient is left out, counted.
package fhir

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/fhir/go/fhirversion"
	dtpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/pk"
	"github.com/medtwin/medtwin/physio/privacy"
	"github.com/medtwin/medtwin/plugins/fhir/internal/jsonformat"
)

func init() { cohort.RegisterImporter("fhir", Importer{}) }

// LOINC codes read as covariates (LOINC 2.7x): body weight, body height, and
// serum/plasma creatinine (mass/volume, by either of its two common codes).
const (
	loincWeight = "29463-7"
	loincHeight = "8302-2"
	loincSCr1   = "2160-0"
	loincSCr2   = "38483-4"
)

// Importer is the FHIR R4 importer.
type Importer struct{}

// maxFile bounds one input file (a Bulk Data NDJSON file may be large, but not
// unbounded).
const maxFile = 512 << 20

// Import reads every path (a file, or a directory of *.json and *.ndjson).
// A file that cannot be read is reported and the rest still imports.
func (Importer) Import(paths []string, opt cohort.ImportOptions) ([]cohort.ImportedPatient, *cohort.ImportReport, error) {
	if len(opt.Key) < 16 {
		return nil, nil, fmt.Errorf("fhir: the pseudonym key must be at least 16 bytes (give --key-file or MEDTWIN_PSEUDONYM_KEY)")
	}
	raw, err := jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
	if err != nil {
		return nil, nil, err
	}
	un := &reader{un: raw, consents: &privacy.Ledger{}, drug: newDrugFilter(opt)}
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("fhir: %w", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		for _, pat := range []string{"*.json", "*.ndjson"} {
			m, _ := filepath.Glob(filepath.Join(p, pat))
			files = append(files, m...)
		}
	}
	sort.Strings(files)
	rep := &cohort.ImportReport{Excluded: map[string]int{}, Filled: map[string]int{}}
	var out []*record
	var bulk []looseResource
	for i, f := range files {
		rep.Files++
		n := len(rep.Errors)
		pts, loose, err := importFile(un, f, opt, rep)
		if err != nil {
			rep.FilesFailed++
			rep.Errors = append(rep.Errors, err.Error())
		}
		for k := n; k < len(rep.Errors); k++ {
			rep.Errors[k] = strings.ReplaceAll(rep.Errors[k], f, fileLabel(f, i, len(files)))
		}
		if err != nil {
			continue
		}
		out = append(out, pts...)
		for _, l := range loose {
			l.where = strings.ReplaceAll(l.where, f, fileLabel(f, i, len(files)))
			bulk = append(bulk, l)
		}
	}
	// Bulk Data $export: one resource per NDJSON line, by type across files
	// (Patient.ndjson, Observation.ndjson, ...): joined as one collection
	if len(bulk) > 0 {
		b := &bcrpb.Bundle{}
		where := make([]string, len(bulk))
		for i, r := range bulk {
			b.Entry = append(b.Entry, &bcrpb.Bundle_Entry{Resource: r.res})
			where[i] = r.where
		}
		pts, err := fromBundle(b, un.consents, un.drug, where, rep)
		if err != nil {
			rep.Errors = append(rep.Errors, "bulk data NDJSON: "+err.Error())
		}
		out = append(out, pts...)
	}
	pts := admit(out, un.consents, privacy.Policy{RequireConsent: opt.RequireConsent}, opt.Key, rep)
	fillMissing(pts, rep)
	return pts, rep, nil
}

// fileLabel names input file i of n in the report without its name, which is
// often the patient's (Synthea writes Buster_Hoeger_e4531916.json): its place
// in the sorted list and the start of its SHA-256, which `sha256sum` finds.
func fileLabel(path string, i, n int) string {
	h := "unreadable"
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() && st.Size() <= maxFile {
		if b, err := os.ReadFile(path); err == nil {
			sum := sha256.Sum256(b)
			h = hex.EncodeToString(sum[:6])
		}
	}
	return fmt.Sprintf("file %d of %d (SHA-256 %s…)", i+1, n, h)
}

// looseResource is one line of a Bulk Data NDJSON file and its place (file
// and line), joined with the other files' lines into one collection.
type looseResource struct {
	res   *bcrpb.ContainedResource
	where string
}

// importFile reads one file: the patients of its Bundles, and, for NDJSON, the
// lines that are single resources (Bulk Data), returned to be joined.
func importFile(un *reader, path string, opt cohort.ImportOptions, rep *cohort.ImportReport) ([]*record, []looseResource, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() { // a FIFO or a device would block or never end
		return nil, nil, fmt.Errorf("%s: not a regular file", path)
	}
	if st.Size() > maxFile {
		return nil, nil, fmt.Errorf("%s: %d bytes, more than %d", path, st.Size(), maxFile)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var docs [][]byte
	if strings.HasSuffix(path, ".ndjson") {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 1<<20), maxFile)
		for sc.Scan() {
			if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
				docs = append(docs, append([]byte(nil), line...))
			}
		}
		if err := sc.Err(); err != nil {
			return nil, nil, fmt.Errorf("%s: %v", path, err)
		}
	} else {
		docs = [][]byte{data}
	}
	var out []*record
	var loose []looseResource
	ndjson := strings.HasSuffix(path, ".ndjson")
	for i, doc := range docs {
		where := path
		if len(docs) > 1 {
			where = fmt.Sprintf("%s line %d", path, i+1)
		}
		msg, err := un.Unmarshal(doc)
		if err != nil && ndjson && len(docs) > 1 {
			// one bad line of a Bulk Data file: that resource is left out,
			// with its reason, and the other lines still import
			rep.Errors = append(rep.Errors, fmt.Sprintf("%s: %s (line left out)", where, describe(doc, err)))
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s", where, describe(doc, err))
		}
		cr := msg.(*bcrpb.ContainedResource)
		b := cr.GetBundle()
		if b == nil && ndjson {
			loose = append(loose, looseResource{cr, fmt.Sprintf("%s line %d", path, i+1)})
			continue
		}
		if b == nil {
			return nil, nil, fmt.Errorf("%s: resourceType %s, want a Bundle", where, resourceType(doc))
		}
		pts, err := fromBundle(b, un.consents, un.drug, nil, rep)
		if err != nil && ndjson && len(docs) > 1 {
			// one bad Bundle of an NDJSON of Bundles: that line is left out
			rep.Errors = append(rep.Errors, fmt.Sprintf("%s: %v (line left out)", where, err))
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", where, err)
		}
		out = append(out, pts...)
	}
	return out, loose, nil
}

// describe names the resource behind an unmarshalling error where it can.
func describe(doc []byte, err error) string {
	return fmt.Sprintf("not a valid FHIR R4 resource (%s): %v", resourceType(doc), err)
}

func resourceType(doc []byte) string {
	i := bytes.Index(doc, []byte(`"resourceType"`))
	if i < 0 {
		return "no resourceType"
	}
	rest := doc[i+len(`"resourceType"`):]
	if j := bytes.IndexByte(rest, '"'); j >= 0 {
		rest = rest[j+1:]
		if k := bytes.IndexByte(rest, '"'); k >= 0 && k < 64 {
			return string(rest[:k])
		}
	}
	return "resourceType unreadable"
}

// record gathers one patient's resources from a bundle.
type record struct {
	id, gender string
	birth      time.Time
	hasBirth   bool
	last       time.Time // latest clinical date: age is taken then
	weight     dated
	height     dated
	scr        dated
	conditions int
	edVisits   int
	edHours    [24]int
	snomed     map[string]bool
	rxnorm     map[string]bool
	zip        string
	encounters []cohort.Encounter // not yet shifted
	drug       []drugRec          // administrations and drug levels (see drug.go)
}

type dated struct {
	v  float64
	t  time.Time
	ok bool
}

func (d *dated) offer(v float64, t time.Time) {
	if !d.ok || !t.Before(d.t) {
		*d = dated{v, t, true}
	}
}

// refID is the patient id a Reference points to: "Patient/<id>" (parsed into
// patient_id by the library) or the "urn:uuid:<id>" of a transaction Bundle.
func refID(ref *dtpb.Reference) string {
	if id := ref.GetPatientId().GetValue(); id != "" {
		return id
	}
	return ref.GetUri().GetValue()
}

// localTime is the wall-clock time of a FHIR dateTime in its own zone (an
// IANA name or an offset such as "+02:00"; UTC when neither parses).
func localTime(us int64, tz string) time.Time {
	t := usTime(us)
	if loc, err := time.LoadLocation(tz); err == nil && tz != "" {
		return t.In(loc)
	}
	if off, err := time.Parse("-07:00", tz); err == nil {
		_, secs := off.Zone()
		return t.In(time.FixedZone(tz, secs))
	}
	return t
}

func usTime(us int64) time.Time { return time.UnixMicro(us).UTC() }

// fromBundle gathers the records of the Bundle's patients, and notes its
// Consents in consents (first, so that a later error does not lose them).
// A Bundle read from one document fails whole on a bad entry (where is nil);
// the collection joined from Bulk Data lines gives each entry its place in
// where, and a bad entry is left out, reported in rep with its place.
func fromBundle(b *bcrpb.Bundle, consents *privacy.Ledger, drug drugFilter, where []string, rep *cohort.ImportReport) ([]*record, error) {
	noteConsents(b, consents)
	bad := func(i int, err error) error {
		if where == nil {
			return err
		}
		rep.Errors = append(rep.Errors, fmt.Sprintf("%s: %v (line left out)", where[i], err))
		return nil
	}
	recs := map[string]*record{}
	var order []string
	get := func(ref string) *record {
		ref = strings.TrimPrefix(strings.TrimPrefix(ref, "urn:uuid:"), "Patient/")
		r, ok := recs[ref]
		if !ok {
			r = &record{id: ref}
			recs[ref] = r
		}
		return r
	}
	// patients first, so that references resolve whatever the entry order
	seen := map[string]bool{}
	for i, e := range b.GetEntry() {
		if p := e.GetResource().GetPatient(); p != nil {
			id := p.GetId().GetValue()
			if id == "" {
				if err := bad(i, fmt.Errorf("a Patient has no id")); err != nil {
					return nil, err
				}
				continue
			}
			if seen[id] { // one patient, one row: admit counts the copy
				order = append(order, id)
				continue
			}
			seen[id] = true
			r := get(id)
			order = append(order, id)
			r.gender = strings.ToLower(p.GetGender().GetValue().String())
			if as := p.GetAddress(); len(as) > 0 {
				r.zip = as[0].GetPostalCode().GetValue()
			}
			if bd := p.GetBirthDate(); bd != nil {
				r.birth, r.hasBirth = usTime(bd.GetValueUs()), true
			}
		}
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("the Bundle has no Patient")
	}
	for i, e := range b.GetEntry() {
		res := e.GetResource()
		switch {
		case res.GetObservation() != nil:
			o := res.GetObservation()
			q := o.GetValue().GetQuantity()
			v := math.NaN()
			if q != nil {
				var err error
				v, err = strconv.ParseFloat(q.GetValue().GetValue(), 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
					if err := bad(i, fmt.Errorf("Observation/%s: value %q is not a number", o.GetId().GetValue(), q.GetValue().GetValue())); err != nil {
						return nil, err
					}
					continue
				}
			}
			r := get(refID(o.GetSubject()))
			t := usTime(o.GetEffective().GetDateTime().GetValueUs())
			if t.After(r.last) {
				r.last = t
			}
			if q == nil {
				continue
			}
			unit := q.GetCode().GetValue()
			if unit == "" {
				unit = q.GetUnit().GetValue()
			}
			for _, c := range o.GetCode().GetCoding() {
				if c.GetSystem().GetValue() != "http://loinc.org" {
					continue
				}
				switch c.GetCode().GetValue() {
				case loincWeight:
					if unit == "kg" {
						r.weight.offer(v, t)
					}
				case loincHeight:
					if unit == "cm" {
						r.height.offer(v, t)
					}
				case loincSCr1, loincSCr2:
					if unit == "mg/dL" {
						r.scr.offer(v, t)
					}
				default:
					if drug.levels[c.GetCode().GetValue()] {
						if !(v >= 0) {
							return nil, fmt.Errorf("Observation/%s: drug level %v is negative", o.GetId().GetValue(), v)
						}
						if d, ok := level(q, v, c.GetCode().GetValue(), t); ok {
							r.drug = append(r.drug, d)
						}
					}
				}
			}
		case res.GetEncounter() != nil:
			en := res.GetEncounter()
			r := get(refID(en.GetSubject()))
			if t := usTime(en.GetPeriod().GetStart().GetValueUs()); t.After(r.last) {
				r.last = t
			}
			enc := cohort.Encounter{Class: en.GetClassValue().GetCode().GetValue(), Hours: math.NaN()}
			if st := en.GetPeriod().GetStart(); st != nil {
				enc.Start = usTime(st.GetValueUs()).Unix()
				if e := en.GetPeriod().GetEnd(); e != nil {
					enc.End = usTime(e.GetValueUs()).Unix()
					enc.Hours = float64(e.GetValueUs()-st.GetValueUs()) / 3.6e9
				}
				r.encounters = append(r.encounters, enc)
			}
			if en.GetClassValue().GetCode().GetValue() == "EMER" {
				r.edVisits++
				if st := en.GetPeriod().GetStart(); st != nil {
					r.edHours[localTime(st.GetValueUs(), st.GetTimezone()).Hour()]++
				}
			}
		case res.GetCondition() != nil:
			c := res.GetCondition()
			r := get(refID(c.GetSubject()))
			active := false
			for _, cd := range c.GetClinicalStatus().GetCoding() {
				active = active || cd.GetCode().GetValue() == "active"
			}
			if active {
				r.conditions++
				for _, cd := range c.GetCode().GetCoding() {
					if cd.GetSystem().GetValue() == "http://snomed.info/sct" {
						r.snomed = addCode(r.snomed, cd.GetCode().GetValue())
					}
				}
			}
		case res.GetMedicationAdministration() != nil:
			m := res.GetMedicationAdministration()
			r := get(refID(m.GetSubject()))
			d, ok, err := administration(m, drug)
			if err != nil {
				return nil, err
			}
			if ok {
				r.drug = append(r.drug, d)
				if d.t.After(r.last) {
					r.last = d.t
				}
			}
		case res.GetMedicationRequest() != nil:
			m := res.GetMedicationRequest()
			r := get(refID(m.GetSubject()))
			if m.GetStatus().GetValue().String() == "ACTIVE" {
				for _, cd := range m.GetMedication().GetCodeableConcept().GetCoding() {
					if cd.GetSystem().GetValue() == "http://www.nlm.nih.gov/research/umls/rxnorm" {
						r.rxnorm = addCode(r.rxnorm, cd.GetCode().GetValue())
					}
				}
			}
		}
	}
	var out []*record
	for _, id := range order {
		out = append(out, recs[id])
	}
	return out, nil
}

// deidentify keeps covariates only. Age is in whole years at the patient's
// latest clinical date, capped at 90 (Safe Harbor groups ages over 89), and
// NaN (missing) for a patient without a dated clinical record: there is no
// date to take it at (before, it was taken at birth: 0). admit has left out
// a birth after that date.
func deidentify(r *record, key []byte) cohort.ImportedPatient {
	age := math.NaN()
	if !r.last.IsZero() {
		age = min(float64(yearsBetween(r.birth, r.last)), 90)
	}
	nan := math.NaN()
	val := func(d dated) float64 {
		if d.ok {
			return d.v
		}
		return nan
	}
	female := 0.0
	if r.gender == "female" {
		female = 1
	}
	cov := map[string]float64{
		"age_y": age, "female": female, "weight_kg": val(r.weight), "height_cm": val(r.height),
		"scr_mg_dl": val(r.scr), "active_conditions": float64(r.conditions), "ed_visits": float64(r.edVisits),
	}
	shift := DateShift(key, r.id)
	var encs []cohort.Encounter
	for _, e := range r.encounters {
		e.Start += shift
		if e.End != 0 {
			e.End += shift
		}
		encs = append(encs, e)
	}
	sort.Slice(encs, func(i, j int) bool { return encs[i].Start < encs[j].Start })
	return cohort.ImportedPatient{Pseudonym: Pseudonym(key, r.id), Covariates: cov, Conditions: sortedCodes(r.snomed),
		Medications: sortedCodes(r.rxnorm), ZIP3: ZIP3(r.zip), Encounters: encs}
}

// DateShift is the patient's date offset in seconds: a whole number of days
// in [−365, 365] \ {0}, from the keyed HMAC of the Patient id, so one patient
// keeps one offset across imports with the same key; intervals and hours of
// day are kept, calendar dates are not.
func DateShift(key []byte, patientID string) int64 {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("date-shift/Patient/" + patientID))
	s := m.Sum(nil)
	v := int64(uint64(s[0])<<8|uint64(s[1])) % 730 // 0..729
	days := v - 365                                // -365..364
	if days >= 0 {
		days++ // 1..365: never 0
	}
	return days * 86400
}

// restrictedZIP3 are the three-digit ZIP areas of 20 000 people or fewer
// (2000 Census), which Safe Harbor requires be written as 000 (HHS, Guidance
// Regarding Methods for De-identification of PHI, 2012, §2.4).
var restrictedZIP3 = map[string]bool{"036": true, "059": true, "063": true, "102": true, "203": true, "556": true,
	"692": true, "790": true, "821": true, "823": true, "830": true, "831": true, "878": true, "879": true,
	"884": true, "890": true, "893": true}

// ZIP3 cuts a postal code to its first three digits (000 when restricted or
// when the code does not start with three digits).
func ZIP3(zip string) string {
	if len(zip) < 3 {
		return "000"
	}
	z := zip[:3]
	for _, c := range z {
		if c < '0' || c > '9' {
			return "000"
		}
	}
	if restrictedZIP3[z] {
		return "000"
	}
	return z
}

func addCode(set map[string]bool, code string) map[string]bool {
	if code == "" {
		return set
	}
	if set == nil {
		set = map[string]bool{}
	}
	set[code] = true
	return set
}

func sortedCodes(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// yearsBetween is the calendar age at to of a person born on from: the years
// between them, less one when to's month and day come before from's (the
// birthday not yet reached that year). The day of the year cannot be compared
// instead: after 28 February it is one more in a leap year, so someone born on
// 1 March 1932 would still be 89 on 1 March 2022. A 29 February birthday is
// reached on 1 March in common years (28 February comes before 29 February).
func yearsBetween(from, to time.Time) int {
	y := to.Year() - from.Year()
	if to.Month() < from.Month() || to.Month() == from.Month() && to.Day() < from.Day() {
		y--
	}
	return max(y, 0)
}

// Pseudonym is the keyed HMAC-SHA256 of the Patient id, hex, first 128 bits:
// stable across imports with the same key, not reversible without it.
func Pseudonym(key []byte, patientID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("Patient/" + patientID))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// fillMissing fills a missing weight, height or creatinine with the median of
// the patients of the same sex that have one, and reports each fill.
func fillMissing(pts []cohort.ImportedPatient, rep *cohort.ImportReport) {
	for _, name := range []string{"weight_kg", "height_cm", "scr_mg_dl"} {
		for _, sex := range []float64{0, 1} {
			var have []float64
			for _, p := range pts {
				if v := p.Covariates[name]; p.Covariates["female"] == sex && !math.IsNaN(v) {
					have = append(have, v)
				}
			}
			if len(have) == 0 {
				continue
			}
			sort.Float64s(have)
			med := have[len(have)/2]
			if len(have)%2 == 0 {
				med = (have[len(have)/2-1] + have[len(have)/2]) / 2
			}
			for _, p := range pts {
				if p.Covariates["female"] == sex && math.IsNaN(p.Covariates[name]) {
					p.Covariates[name] = med
					rep.Filled[name+": median of the same sex"]++
				}
			}
		}
	}
	for _, p := range pts {
		if crcl, err := pk.CockcroftGault(p.Covariates["age_y"], p.Covariates["weight_kg"], p.Covariates["scr_mg_dl"], p.Covariates["female"] == 1); err == nil {
			p.Covariates["crcl_ml_min"] = crcl
		} else {
			p.Covariates["crcl_ml_min"] = math.NaN()
		}
	}
}
