package pk

import (
	"slices"
	"testing"
)

// A reset (SS = 1) sets the amounts, stops every rate and ends the two
// infusions running, so their ends change nothing, while an infusion started
// after it ends as usual; SS = 2 adds to the amounts and keeps the rates.
func TestInfusionsSteadyState(t *testing.T) {
	var f Infusions
	a, r := []float64{1, 2}, []float64{3, 4}
	f.Start(1)
	f.Start(2)
	f.SteadyState(2, []float64{10, 20}, a, r)
	if !slices.Equal(a, []float64{11, 22}) || !slices.Equal(r, []float64{3, 4}) {
		t.Errorf("SS = 2: amounts %v, rates %v, want 11 22 and 3 4", a, r)
	}
	f.SteadyState(1, []float64{5, 6}, a, r)
	if !slices.Equal(a, []float64{5, 6}) || !slices.Equal(r, []float64{0, 0}) {
		t.Errorf("SS = 1: amounts %v, rates %v, want 5 6 and 0 0", a, r)
	}
	f.Start(3)
	if f.End(1) || f.End(2) || !f.End(3) {
		t.Error("the infusions the reset ended must not end again; the one started after it must")
	}
	if !f.End(1) {
		t.Error("an id ends once only after the reset: reused later, it ends as usual")
	}
}
