package pk

import "fmt"

// Input is one change of a model's inputs, as the exact and ODE paths apply
// it: at time T (h), a bolus of Amount mg into state State (0-based), or a
// change of that state's infusion rate by Rate mg/h (negative when an
// infusion ends).
type Input struct {
	T      float64
	State  int
	Amount float64
	Rate   float64
}

// Inputs expands dosing records into the ordered inputs the model receives
// (ADDL repeated, lag time and bioavailability applied; at equal times
// infusion ends come before infusion starts and boluses, as in Simulate), for
// a backend that simulates outside this package. Steady-state records are
// refused: their initial state needs the simulation itself.
func (m Model) Inputs(doses []Dose) ([]Input, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	evs, err := m.events(doses)
	if err != nil {
		return nil, err
	}
	out := make([]Input, 0, len(evs))
	for _, e := range evs {
		switch e.kind {
		case 0:
			return nil, fmt.Errorf("pk: %s: steady-state records (SS = %d) need the CPU backend", e.ss.name(e.ssIdx), e.ss.SS)
		case 1:
			out = append(out, Input{T: e.t, State: e.idx, Rate: -e.rate})
		case 2:
			out = append(out, Input{T: e.t, State: e.idx, Amount: e.amt})
		case 3:
			out = append(out, Input{T: e.t, State: e.idx, Rate: e.rate})
		}
	}
	return out, nil
}
