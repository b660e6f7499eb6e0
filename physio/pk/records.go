package pk

import (
	"fmt"
	"math"
)

// Validate checks a record on its own (outside a model): the checks of the
// model-independent fields, with errors naming the record. What a model's
// F and lag make of a steady-state record (an infusion or a lag longer than
// II) is the model's to check: a model of the language may give the
// infused state an F below 1.
func (d Dose) Validate(i int) error {
	any := Model{NCmt: 3, Absorption: true}
	if d.Cmt > any.N() {
		return fmt.Errorf("pk: %s: CMT %d is not a compartment (1..%d)", d.name(i), d.Cmt, any.N())
	}
	return d.checkFields(i, any.N())
}

// Administration is one dose given at a time (ADDL expanded).
type Administration struct {
	Time   float64 // hours
	Amount float64 // mg
	Rate   float64 // 0 for a bolus
	Cmt    int
	// SS and II are those of a steady-state record (SS 1 or 2) on its first
	// administration, at the record's TIME: before that dose, the state is
	// the steady state of Amount every II h (SS 1) or has it added (SS 2).
	// Zero on every other administration.
	SS int
	II float64
}

// Expand turns records into administrations in time order (ADDL repeated).
// A steady-state record's first administration carries its SS and II: a
// caller that cannot put a state in steady state must refuse it (Record
// gives it back as a record).
func Expand(doses []Dose) ([]Administration, error) {
	var out []Administration
	for i, d := range doses {
		if err := d.Validate(i); err != nil {
			return nil, err
		}
		if d.ADDL > 100000 {
			return nil, fmt.Errorf("pk: %s: ADDL %d is too many doses", d.name(i), d.ADDL)
		}
		for k := 0; k <= d.ADDL; k++ {
			a := Administration{Time: d.Time + float64(k)*d.II, Amount: d.Amt, Rate: d.Rate, Cmt: d.Cmt}
			if k == 0 && d.SS != 0 {
				a.SS, a.II = d.SS, d.II
			}
			out = append(out, a)
		}
	}
	for i := 1; i < len(out); i++ { // stable insertion: keep record order at equal times
		for j := i; j > 0 && out[j].Time < out[j-1].Time; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	if len(out) > 0 && math.IsInf(out[len(out)-1].Time, 0) {
		return nil, fmt.Errorf("pk: a dose time is infinite")
	}
	return out, nil
}

// Record is the administration as a dosing record (no ADDL; SS and II kept
// on a steady-state record's first administration).
func (a Administration) Record(source string) Dose {
	return Dose{Time: a.Time, Amt: a.Amount, Rate: a.Rate, Cmt: a.Cmt, SS: a.SS, II: a.II, Source: source}
}
