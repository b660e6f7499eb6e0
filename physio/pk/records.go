package pk

import (
	"fmt"
	"math"
)

// Validate checks a record on its own (outside a model): the checks of the
// model-independent fields, with errors naming the record.
func (d Dose) Validate(i int) error {
	any := Model{NCmt: 3, Absorption: true}
	if d.Cmt > any.N() {
		return fmt.Errorf("pk: %s: CMT %d is not a compartment (1..%d)", d.name(i), d.Cmt, any.N())
	}
	return d.check(any, i)
}

// Administration is one dose given at a time (ADDL expanded).
type Administration struct {
	Time   float64 // hours
	Amount float64 // mg
	Rate   float64 // 0 for a bolus
	Cmt    int
}

// Expand turns records into administrations in time order (ADDL repeated).
// Records with SS are refused: steady state is for the PK library's solvers,
// not for a patient that lives in a simulation.
func Expand(doses []Dose) ([]Administration, error) {
	var out []Administration
	for i, d := range doses {
		if err := d.Validate(i); err != nil {
			return nil, err
		}
		if d.SS != 0 {
			return nil, fmt.Errorf("pk: %s: SS is not supported here (give the doses that lead to steady state)", d.name(i))
		}
		if d.ADDL > 100000 {
			return nil, fmt.Errorf("pk: %s: ADDL %d is too many doses", d.name(i), d.ADDL)
		}
		for k := 0; k <= d.ADDL; k++ {
			out = append(out, Administration{Time: d.Time + float64(k)*d.II, Amount: d.Amt, Rate: d.Rate, Cmt: d.Cmt})
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
