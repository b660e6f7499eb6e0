package fhir

import (
	"bytes"
	"regexp"
	"strings"

	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
	"github.com/medtwin/medtwin/physio/cohort"
	"github.com/medtwin/medtwin/physio/privacy"
	"github.com/medtwin/medtwin/plugins/fhir/internal/jsonformat"
	"google.golang.org/protobuf/proto"
)

// reader unmarshals FHIR resources and notes in consents every document that
// could not be read but may hold a Consent, so that the policy fails closed.
type reader struct {
	un       *jsonformat.Unmarshaller
	consents *privacy.Ledger
	drug     drugFilter
}

// Unmarshal is jsonformat's, noting an unreadable document (see noteUnreadable).
func (r *reader) Unmarshal(doc []byte) (proto.Message, error) {
	msg, err := r.un.Unmarshal(doc)
	if err != nil {
		noteUnreadable(doc, r.consents)
	}
	return msg, err
}

// patientIDOf strips the prefixes of a patient reference, as fromBundle's
// records are keyed.
func patientIDOf(ref string) string {
	return strings.TrimPrefix(strings.TrimPrefix(ref, "urn:uuid:"), "Patient/")
}

// noteConsents notes what each active research Consent of b says about its
// patient.
func noteConsents(b *bcrpb.Bundle, consents *privacy.Ledger) {
	for _, e := range b.GetEntry() {
		c := e.GetResource().GetConsent()
		if c == nil {
			continue
		}
		research := false
		for _, cd := range c.GetScope().GetCoding() {
			research = research || cd.GetCode().GetValue() == "research"
		}
		if !research || c.GetStatus().GetValue().String() != "ACTIVE" {
			continue
		}
		id := patientIDOf(refID(c.GetPatient()))
		switch c.GetProvision().GetType().GetValue().String() {
		case "DENY":
			consents.Note(id, privacy.Deny)
		case "PERMIT":
			consents.Note(id, privacy.Permit)
		}
	}
}

// patientRef finds the patient references of raw, unreadable JSON.
var patientRef = regexp.MustCompile(`"reference"\s*:\s*"(?:Patient/|urn:uuid:)([^"\\]+)"`)

// noteUnreadable notes a document that did not parse. One that is of another
// resource type, or does not mention a Consent at all, cannot deny anything;
// otherwise each patient it references has an unreadable Consent, and if it
// references none, the Consent's patient is unknown.
func noteUnreadable(doc []byte, consents *privacy.Ledger) {
	switch t := resourceType(doc); {
	case !bytes.Contains(doc, []byte("Consent")):
		return
	case t != "Consent" && t != "Bundle" && t != "no resourceType" && t != "resourceType unreadable":
		return
	}
	ms := patientRef.FindAllSubmatch(doc, -1)
	if len(ms) == 0 {
		consents.NoteUnattributed()
		return
	}
	for _, m := range ms {
		consents.Note(patientIDOf(string(m[1])), privacy.Unreadable)
	}
}

// admit applies the consent policy to every record of the import, counts the
// patients read and left out, and de-identifies the rest.
func admit(recs []*record, consents *privacy.Ledger, pol privacy.Policy, key []byte, rep *cohort.ImportReport) []cohort.ImportedPatient {
	var out []cohort.ImportedPatient
	seen := map[*record]bool{}
	first := map[string]bool{}
	for _, r := range recs {
		rep.PatientsRead++
		if seen[r] || first[r.id] {
			rep.Excluded["the same Patient id again in this import (the first copy is kept)"]++
			continue
		}
		seen[r], first[r.id] = true, true
		if ok, why := pol.Admit(consents, r.id); !ok {
			rep.Excluded[why]++
			continue
		}
		if !r.hasBirth || (r.gender != "male" && r.gender != "female") {
			rep.Excluded["no birth date or no male/female gender"]++
			continue
		}
		if !r.last.IsZero() && r.birth.After(r.last) {
			rep.Excluded["birth date after the latest clinical record"]++
			continue
		}
		if r.last.IsZero() {
			rep.Filled["age_y: missing (NaN), no dated clinical record to take it at"]++
		}
		p := deidentify(r, key)
		var dropped int
		p.Drug, dropped = drugEvents(r.drug)
		if dropped > 0 {
			rep.Excluded["drug levels before the patient's first administration (levels, not patients)"] += dropped
		}
		out = append(out, p)
		for h, n := range r.edHours {
			rep.EDVisitsByHour[h] += n
		}
	}
	return out
}
