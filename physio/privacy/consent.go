// Package privacy is the consent policy of a cohort import, applied by every
// importer over the whole import, after all its files are read: a Consent in
// one file governs the patient wherever the patient's own record is, and the
// policy fails closed (a patient with any denying or unreadable Consent is
// left out, and counted). Importers parse their format's Consents and report
// them to a Ledger; the Policy decides. The package imports nothing of medtwin
// and names no importer.
package privacy

// Decision is what one Consent says about research use of a patient's data.
type Decision uint8

// Decisions of a Consent.
const (
	// Permit is an active research Consent that permits.
	Permit Decision = iota + 1
	// Deny is an active research Consent that denies.
	Deny
	// Unreadable is a Consent that could not be read: it may deny.
	Unreadable
)

// Reasons under which Admit leaves a patient out (keys of the import report's
// exclusion counts).
const (
	ReasonDenied     = "consent denies research use"
	ReasonUnreadable = "unreadable Consent (policy fails closed)"
	ReasonUnknown    = "unreadable Consent naming no patient (policy fails closed: every patient left out)"
	ReasonNoPermit   = "no consent permitting research use (policy: require)"
)

// Ledger gathers what every Consent of one import says, by patient id (the
// id in the source records, before pseudonymisation). The zero Ledger is
// empty and ready to use.
type Ledger struct {
	seen map[string]uint8 // bit per Decision
	// unattributed counts unreadable Consents whose patient is unknown.
	unattributed int
}

// Note records one Consent's decision about a patient.
func (l *Ledger) Note(patient string, d Decision) {
	if l.seen == nil {
		l.seen = map[string]uint8{}
	}
	l.seen[patient] |= 1 << d
}

// NoteUnattributed records an unreadable Consent whose patient cannot be told:
// it may deny any patient, so the policy then admits no one.
func (l *Ledger) NoteUnattributed() { l.unattributed++ }

// Unattributed returns the number of unreadable Consents naming no patient.
func (l *Ledger) Unattributed() int { return l.unattributed }

// Policy is the consent policy of an import.
type Policy struct {
	// RequireConsent admits only patients with a Consent that permits research
	// use (opt-in); otherwise a patient without one is admitted (opt-out).
	RequireConsent bool
}

// Admit says whether the patient may be imported under the Consents in l, and
// if not, why (one of the Reason constants). A Consent that denies, one that
// could not be read, or an unreadable one whose patient is unknown leaves the
// patient out, whatever else permits.
func (p Policy) Admit(l *Ledger, patient string) (ok bool, reason string) {
	s := l.seen[patient]
	switch {
	case s&(1<<Deny) != 0:
		return false, ReasonDenied
	case s&(1<<Unreadable) != 0:
		return false, ReasonUnreadable
	case l.unattributed > 0:
		return false, ReasonUnknown
	case p.RequireConsent && s&(1<<Permit) == 0:
		return false, ReasonNoPermit
	}
	return true, ""
}
