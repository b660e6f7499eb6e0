package pk

import (
	"reflect"
	"strings"
	"testing"
)

// Inputs expands ADDL, applies F and the lag to depot doses, splits an
// infusion into a start and an end (amount/rate later), and orders an
// infusion's end before a dose at the same time; SS records are refused.
func TestInputs(t *testing.T) {
	m := Model{NCmt: 1, Absorption: true, P: Params{KA: 1, CL: 5, V1: 50, F: 0.5, ALAG: 0.25}}
	got, err := m.Inputs([]Dose{
		{Time: 0, Amt: 100, II: 12, ADDL: 1, Cmt: 1}, // depot: F and lag apply
		{Time: 10, Amt: 200, Rate: 100, Cmt: 2},      // central infusion 10-12 h
		{Time: 12, Amt: 50, Cmt: 2},                  // central bolus at 12 h
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Input{
		{T: 0.25, State: 0, Amount: 50},
		{T: 10, State: 1, Rate: 100},
		{T: 12, State: 1, Rate: -100},
		{T: 12, State: 1, Amount: 50},
		{T: 12.25, State: 0, Amount: 50},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("inputs\n%+v\nwant\n%+v", got, want)
	}
	if _, err := m.Inputs([]Dose{{Amt: 100, II: 12, SS: 1, Source: "doses.csv line 2"}}); err == nil ||
		!strings.Contains(err.Error(), "doses.csv line 2") || !strings.Contains(err.Error(), "steady-state") {
		t.Errorf("SS record: %v", err)
	}
}
