package models

// Dosing is implemented by a model whose doses into a state are scaled by a
// bioavailability and delayed by a lag time, NONMEM's F and ALAG (Beal,
// Sheiner et al., NONMEM Users Guide Part V, ch. 8): a dose of AMT into state
// i enters as F(i)·AMT at TIME + ALAG(i). A model that does not implement it
// takes doses as given.
type Dosing interface {
	// DoseF is the bioavailable fraction of a dose into state i (1: all).
	DoseF(i int) float64
	// DoseLag is the lag time of a dose into state i, in the model's time
	// unit (0: none).
	DoseLag(i int) float64
}

// DoseF is the depot's bioavailability (parameter f); other states take a
// dose whole.
func (m *LinearPK) DoseF(i int) float64 {
	if i == 0 {
		return m.p["f"]
	}
	return 1
}

// DoseLag is the depot's absorption lag (parameter alag, hours); doses into
// other states have none.
func (m *LinearPK) DoseLag(i int) float64 {
	if i == 0 {
		return m.p["alag"]
	}
	return 0
}
