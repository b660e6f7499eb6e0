package privacy

import "testing"

// The policy fails closed: deny and unreadable outweigh permit, an unreadable
// Consent of unknown patient excludes everyone, opt-in needs a permit.
func TestAdmit(t *testing.T) {
	var l Ledger
	l.Note("a", Permit)
	l.Note("b", Permit)
	l.Note("b", Deny)
	l.Note("c", Unreadable)
	l.Note("c", Permit)
	for _, c := range []struct {
		pol     Policy
		patient string
		ok      bool
		reason  string
	}{
		{Policy{}, "a", true, ""},
		{Policy{}, "b", false, ReasonDenied},
		{Policy{}, "c", false, ReasonUnreadable},
		{Policy{}, "d", true, ""},
		{Policy{RequireConsent: true}, "a", true, ""},
		{Policy{RequireConsent: true}, "d", false, ReasonNoPermit},
	} {
		if ok, r := c.pol.Admit(&l, c.patient); ok != c.ok || r != c.reason {
			t.Errorf("%+v %s: %v %q, want %v %q", c.pol, c.patient, ok, r, c.ok, c.reason)
		}
	}
	l.NoteUnattributed()
	if ok, r := (Policy{}).Admit(&l, "a"); ok || r != ReasonUnknown {
		t.Errorf("after an unattributed unreadable Consent: %v %q", ok, r)
	}
}
